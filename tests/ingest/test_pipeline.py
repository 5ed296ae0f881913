"""The batch end to end: pages read into rows, bad input recorded, and a killed run resumed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from ingest.pipeline import run_batch
from records.export_rows import iter_export_rows
from records.models import Page, ScanFile
from records.settings import Settings
from records.vocabulary import Level, ProcessingStatus
from scans.layout import Ruling
from scans.styles import Style
from tests.samples import render

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Three one-page sheets, and how many table rows they hold."""
    folder = tmp_path_factory.mktemp("batch")
    documents = [
        render(folder, 1, Style.COMPUTER_PRINT, Ruling.FULL, 1996, Level.THPT),
        render(folder, 2, Style.TYPEWRITER, Ruling.PARTIAL, 1988, Level.PTTH),
        render(folder, 3, Style.COMPUTER_PRINT, Ruling.NONE, 1999, Level.THCS),
    ]
    return folder, sum(len(d.truth) for d in documents)


def _with_bad_inputs(source: Path, target: Path) -> Path:
    target.mkdir()
    for item in source.glob("*.png"):
        (target / item.name).write_bytes(item.read_bytes())
    (target / "empty.pdf").write_bytes(b"")
    (target / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Page")
    (target / "notes.png").write_text("không phải ảnh", encoding="utf-8")
    Image.new("L", (1654, 2339), 232).save(target / "blank.png")
    return target


def test_batch_reads_rows_and_records_bad_input(
    batch: tuple[Path, int], settings: Settings, session: Session, tmp_path: Path
) -> None:
    source, truth_rows = batch
    folder = _with_bad_inputs(source, tmp_path / "in")
    summary = run_batch(session, settings, "lot", [folder], workers=1, progress=False)
    failed = dict(summary.registered.failed)
    assert set(failed) == {"empty.pdf", "truncated.pdf", "notes.png"}
    assert "rỗng" in failed["empty.pdf"] and "Không phải" in failed["notes.png"]
    assert summary.pages_done == 3
    assert [why for _, why in summary.pages_skipped] == ["Trang trắng: không có chữ"]
    rows = list(iter_export_rows(session, "lot"))
    assert len(rows) == summary.rows == truth_rows
    statuses = {page.status for page in session.exec(select(Page)).all()}
    assert statuses == {ProcessingStatus.DONE, ProcessingStatus.SKIPPED}
    assert all(s.status is not ProcessingStatus.PENDING for s in session.exec(select(ScanFile)))


def _ingest(folder: Path, data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BANGDIEM_DATA_DIR": str(data), "DATABASE_URL": ""}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bangdiem",
            "ingest",
            str(folder),
            "--batch",
            "lot",
            "--workers",
            "1",
            "--no-progress",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _export(data: Path) -> list[dict[str, object]]:
    env = {**os.environ, "BANGDIEM_DATA_DIR": str(data), "DATABASE_URL": ""}
    out = subprocess.run(
        [sys.executable, "-m", "bangdiem", "export", "--format", "jsonl"],
        env=env,
        capture_output=True,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.decode().splitlines() if line]


def _pages_done(data: Path) -> int:
    database = data / "bangdiem.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return int(
                connection.execute("SELECT count(*) FROM page WHERE status = 'done'").fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_killed_batch_resumes_without_loss_or_duplicates(
    batch: tuple[Path, int], tmp_path: Path
) -> None:
    batch_folder, truth_rows = batch
    whole = tmp_path / "whole"
    assert _ingest(batch_folder, whole).wait(timeout=300) == 0
    expected = _export(whole)
    assert len(expected) == truth_rows

    interrupted = tmp_path / "interrupted"
    process = _ingest(batch_folder, interrupted)
    deadline = time.monotonic() + 240
    while _pages_done(interrupted) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)  # the harshest stop: no clean-up runs
    process.wait(timeout=30)
    assert 1 <= _pages_done(interrupted) < 3
    again = _ingest(batch_folder, interrupted)
    assert again.wait(timeout=300) == 0
    assert _export(interrupted) == expected
    rerun = _ingest(batch_folder, interrupted)  # a third run finds nothing left to do
    output = rerun.communicate(timeout=120)[0].decode()
    assert rerun.returncode == 0 and "Đã nạp từ trước" in output
    assert _export(interrupted) == expected
