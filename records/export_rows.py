"""Reading table rows out of the database in the export format (records.export_format)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select

from records.export_format import FieldReading, SheetHeader, build_row
from records.models import Batch, Page, RowField, ScanFile, Sheet, TableRow

_CHUNK = 500


def iter_export_rows(session: Session, batch_name: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield one export object per table row, by file name, page and row number."""
    query = (
        select(TableRow, Page, ScanFile, Sheet)
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .join(Sheet, col(TableRow.sheet_id) == col(Sheet.id), isouter=True)
        .order_by(
            col(ScanFile.original_name),
            col(ScanFile.id),
            col(Page.page_number),
            col(TableRow.row_number),
        )
    )
    if batch_name is not None:
        query = query.join(Batch, col(ScanFile.batch_id) == col(Batch.id)).where(
            Batch.name == batch_name
        )
    results = session.exec(query).all()
    for start in range(0, len(results), _CHUNK):
        chunk = results[start : start + _CHUNK]
        row_ids = [row.id for row, _, _, _ in chunk]
        fields: dict[int, dict[str, FieldReading]] = defaultdict(dict)
        for field in session.exec(select(RowField).where(col(RowField.row_id).in_(row_ids))):
            fields[field.row_id][field.name] = FieldReading(
                value=field.value,
                confidence=field.confidence,
                status=field.status,
                reason=field.reason,
            )
        for row, page, scan_file, sheet in chunk:
            header = SheetHeader(
                exam_year=sheet.exam_year if sheet else None,
                level=sheet.level if sheet else None,
                council=sheet.council if sheet else None,
                school=sheet.school if sheet else None,
            )
            yield build_row(
                scan_file.original_name,
                page.page_number,
                row.row_number,
                header,
                fields.get(row.id or 0, {}),
            )
