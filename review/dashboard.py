"""Batch dashboard figures: pages done and failed, fields by status, per batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from records.models import Batch, Page, RowField, ScanFile, TableRow
from records.vocabulary import FieldStatus, ProcessingStatus


@dataclass
class BatchFigures:
    name: str
    files: int = 0
    pages_by_status: Counter[str] = field(default_factory=Counter)
    fields_by_status: Counter[str] = field(default_factory=Counter)
    failed_files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(self.pages_by_status.values())


def batch_figures(session: Session) -> list[BatchFigures]:
    """One summary per batch, newest first, in a handful of grouped queries."""
    batches = session.exec(select(Batch).order_by(col(Batch.created_at).desc())).all()
    figures = {b.id: BatchFigures(name=b.name) for b in batches}
    for batch_id, count in session.exec(
        select(ScanFile.batch_id, func.count()).group_by(col(ScanFile.batch_id))
    ):
        figures[batch_id].files = count
    for batch_id, status, count in session.exec(
        select(ScanFile.batch_id, Page.status, func.count())
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .group_by(col(ScanFile.batch_id), col(Page.status))
    ):
        figures[batch_id].pages_by_status[ProcessingStatus(status).value] += count
    for batch_id, status, count in session.exec(
        select(ScanFile.batch_id, RowField.status, func.count())
        .join(TableRow, col(RowField.row_id) == col(TableRow.id))
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .group_by(col(ScanFile.batch_id), col(RowField.status))
    ):
        figures[batch_id].fields_by_status[FieldStatus(status).value] += count
    for scan in session.exec(select(ScanFile).where(ScanFile.status == ProcessingStatus.FAILED)):
        figures[scan.batch_id].failed_files.append((scan.original_name, scan.error or ""))
    return [figures[b.id] for b in batches]
