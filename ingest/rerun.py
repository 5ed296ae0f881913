"""Re-running a batch's failed pages, as an operator asks from the dashboard.

Failed pages go back to ``pending`` (audited) and the batch is resumed by the same command an
operator would type, ``bangdiem ingest --batch NAME``, in a separate process: OCR needs worker
processes and minutes of CPU, which must not run inside the web server.  Files that failed
before any page was read (corrupt, unreadable) are not retried: the same bytes fail the same
way; they need a new scan.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from records.audit import record
from records.models import Batch, Page, ScanFile
from records.settings import Settings
from records.vocabulary import ProcessingStatus


def reset_failed_pages(session: Session, batch_id: int, actor: str) -> int:
    """Set the batch's failed pages back to pending; return how many."""
    page_ids = list(
        session.exec(
            select(Page.id)
            .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
            .where(ScanFile.batch_id == batch_id, Page.status == ProcessingStatus.FAILED)
        )
    )
    if not page_ids:
        return 0
    session.exec(
        update(Page)
        .where(col(Page.id).in_(page_ids))
        .values(status=ProcessingStatus.PENDING, error=None)
    )
    for page_id in page_ids:
        record(session, actor=actor, action="page.rerun", entity="page", entity_id=page_id)
    session.commit()
    return len(page_ids)


def start_resume(settings: Settings, batch: Batch, log_dir: Path) -> subprocess.Popen[bytes]:
    """Start ``bangdiem ingest --batch NAME`` in the background; its output goes to a log file
    in ``log_dir`` (the operator reads the outcome on the dashboard)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BANGDIEM_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
    }
    with (log_dir / f"ingest-batch-{batch.id}.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - fixed argv, the batch name is one argument
            [sys.executable, "-m", "bangdiem", "ingest", "--batch", batch.name, "--no-progress"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
