"""Rows in the staff database for tests that start after ingest: a batch, a file, a page."""

from __future__ import annotations

from sqlmodel import Session

from records.models import Batch, Page, ScanFile


def add_page(
    session: Session, *, batch: str = "lot-1", file_name: str = "a.png", page_number: int = 1
) -> Page:
    """A page of a registered scan file in ``batch`` (created when new), flushed."""
    lot = Batch(name=batch)
    session.add(lot)
    session.flush()
    scan = ScanFile(
        batch_id=lot.id or 0,
        sha256=f"{abs(hash((batch, file_name))):064d}"[:64],
        original_name=file_name,
        stored_path="x",
        format=file_name.rsplit(".", 1)[-1],
        size_bytes=1,
        page_count=page_number,
    )
    session.add(scan)
    session.flush()
    page = Page(scan_file_id=scan.id or 0, page_number=page_number)
    session.add(page)
    session.flush()
    return page
