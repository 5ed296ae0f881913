"""The ingest process killed with SIGKILL at random moments, again and again, then run to the
end: every row is there once, with the values of an uninterrupted run.

``python -m benchmarks.kills --kills 20`` runs the same loop with 20 kills and prints figures.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from benchmarks.kills import export_rows, kill_and_resume, pages_done, stored_rows, whole_run
from records.vocabulary import Level
from scans.layout import Ruling
from scans.styles import Style
from tests.samples import render

pytestmark = pytest.mark.slow

KILLS = 5


def test_repeated_kills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    documents = [
        render(folder, 1, Style.COMPUTER_PRINT, Ruling.FULL, 1996, Level.THPT),
        render(folder, 2, Style.COMPUTER_PRINT, Ruling.PARTIAL, 1999, Level.THCS),
    ]
    truth_rows = sum(len(d.truth) for d in documents)
    whole = tmp_path / "whole"
    seconds = whole_run(folder, whole, workers=1)
    expected = export_rows(whole)
    assert len(expected) == stored_rows(whole) == truth_rows

    seed = int(os.environ.get("BANGDIEM_KILL_SEED", random.randrange(10**6)))  # noqa: S311
    killed = tmp_path / "killed"
    report = kill_and_resume(
        folder,
        killed,
        kills=KILLS,
        pages=len(documents),
        whole_seconds=seconds,
        rng=random.Random(seed),  # noqa: S311 - kill moments, not secrets
        limit_s=400,
    )
    context = f"seed {seed} (BANGDIEM_KILL_SEED), {report}"
    assert report.kills >= 1, context
    assert pages_done(killed) == len(documents), context
    assert export_rows(killed) == expected, context  # field values, order and count
    assert stored_rows(killed) == len(expected), context  # nothing stored twice
