"""The soak (``python -m benchmarks.soak``) in miniature: a few seconds of five reviewers and an
approver on one batch, then of the public service, on SQLite.  No lost update and no 5xx even
this short; memory flatness needs the real ten minutes and is not asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import soak

pytestmark = pytest.mark.slow


def test_soak_in_miniature(tmp_path: Path) -> None:
    args = soak._parser().parse_args(
        ["--minutes", "0.1", "--records", "2000", "--connections", "4", "--root", str(tmp_path)]
    )
    outcome = soak.run(args)
    [review] = outcome.reviews
    assert review.tally.decided, "no decision was made"
    assert review.lost.count == 0, review.lost
    assert review.lost.successes == review.lost.audit_entries
    assert not [s for s in review.tally.statuses if s >= 500], review.tally.server_errors
    assert not review.tally.unexpected, review.tally.unexpected[:3]
    [public] = outcome.publics
    assert public.tally.requests() > 0
    assert not [s for s in public.tally.statuses if s >= 500 or s == 0], public.tally.server_errors
