"""Batch dashboard figures: pages done and failed, fields by status, records verified, and the
auto-accept precision measured on the random review sample, per batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from records.models import Batch, Page, RowField, ScanFile, TableRow
from records.vocabulary import FieldStatus, ProcessingStatus


@dataclass
class BatchFigures:
    id: int
    name: str
    files: int = 0
    pages_by_status: Counter[str] = field(default_factory=Counter)
    fields_by_status: Counter[str] = field(default_factory=Counter)
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    failed_pages: list[tuple[str, str]] = field(default_factory=list)
    rows: int = 0
    rows_verified: int = 0
    sample_kept: int = 0  # sampled auto fields a person confirmed unchanged
    sample_changed: int = 0  # ... and those a person had to correct

    @property
    def pages(self) -> int:
        return sum(self.pages_by_status.values())

    @property
    def sample_checked(self) -> int:
        return self.sample_kept + self.sample_changed

    @property
    def sample_precision(self) -> float:
        """Share of the machine's trusted values that a person found right (the sample)."""
        return self.sample_kept / self.sample_checked if self.sample_checked else 0.0


def batch_figures(session: Session) -> list[BatchFigures]:
    """One summary per batch, newest first, in a handful of grouped queries."""
    batches = session.exec(select(Batch).order_by(col(Batch.created_at).desc())).all()
    figures = {b.id: BatchFigures(id=b.id or 0, name=b.name) for b in batches}
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
    # The sample a person has decided on: kept when the value is still the machine's.
    kept = col(RowField.value).is_not_distinct_from(col(RowField.ocr_value))
    for batch_id, same, count in session.exec(
        select(ScanFile.batch_id, kept, func.count())
        .join(TableRow, col(RowField.row_id) == col(TableRow.id))
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .where(
            col(RowField.sampled),
            col(RowField.status).in_(
                [FieldStatus.VERIFIED, FieldStatus.CORRECTED, FieldStatus.ILLEGIBLE]
            ),
        )
        .group_by(col(ScanFile.batch_id), kept)
    ):
        if same:
            figures[batch_id].sample_kept += count
        else:
            figures[batch_id].sample_changed += count
    for batch_id, verified, count in session.exec(
        select(ScanFile.batch_id, col(TableRow.verified_at).is_not(None), func.count())
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .group_by(col(ScanFile.batch_id), col(TableRow.verified_at).is_not(None))
    ):
        figures[batch_id].rows += count
        if verified:
            figures[batch_id].rows_verified += count
    for scan in session.exec(select(ScanFile).where(ScanFile.status == ProcessingStatus.FAILED)):
        figures[scan.batch_id].failed_files.append((scan.original_name, scan.error or ""))
    for page, scan in session.exec(
        select(Page, ScanFile)
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .where(Page.status == ProcessingStatus.FAILED)
        .order_by(col(ScanFile.original_name), col(Page.page_number))
    ):
        figures[scan.batch_id].failed_pages.append(
            (f"{scan.original_name} tr. {page.page_number}", page.error or "")
        )
    return [figures[b.id] for b in batches]
