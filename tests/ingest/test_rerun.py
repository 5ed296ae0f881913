"""An operator's re-run: failed pages go back to pending and the batch is resumed for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from ingest.pipeline import run_batch
from ingest.rerun import reset_failed_pages, start_resume
from records.models import AuditEntry, Batch, Page, TableRow
from records.settings import Settings
from records.vocabulary import Level, ProcessingStatus
from scans.layout import Ruling
from scans.styles import Style
from tests.samples import render


@pytest.mark.slow
# The resumed process is the same on both databases: SQLite is enough here.
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_rerun_reads_the_failed_page_again(
    settings: Settings, session: Session, tmp_path: Path
) -> None:
    (tmp_path / "scans").mkdir()
    render(tmp_path / "scans", 1, Style.COMPUTER_PRINT, Ruling.FULL, 1996, Level.THPT)
    run_batch(session, settings, "lô", [tmp_path / "scans"], workers=1, progress=False)
    rows_before = len(session.exec(select(TableRow)).all())
    # The page failed (say, a worker was killed twice): its rows are gone, the reason stays.
    session.exec(update(Page).values(status=ProcessingStatus.FAILED, error="Tiến trình bị dừng"))
    session.commit()
    batch = session.exec(select(Batch)).one()

    assert reset_failed_pages(session, batch.id or 0, "op") == 1
    assert reset_failed_pages(session, batch.id or 0, "op") == 0  # nothing failed any more
    process = start_resume(settings, batch, tmp_path / "logs")
    assert process.wait(timeout=240) == 0
    session.expire_all()
    page = session.exec(select(Page)).one()
    assert page.status is ProcessingStatus.DONE and page.error is None
    assert len(session.exec(select(TableRow)).all()) == rows_before  # read once more, not twice
    log = next((tmp_path / "logs").iterdir()).read_text("utf-8")
    assert "lô" in log
    actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions.count("page.rerun") == 1 and actions[-1] == "page.read"
