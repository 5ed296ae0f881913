"""Writing one page's OCR result to the database, in one transaction.

The page's rows, fields and its status "done" are committed together: a process killed before
the commit leaves the page pending (and it is read again on the next run); after the commit the
page is never read again.  So no row is lost and none is duplicated, whatever the timing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from sqlmodel import Session, col, delete, select

from ocr.checks import SAMPLED
from ocr.model import Box, PageOutcome, SheetResult
from records.audit import record
from records.models import Page, RowField, Sheet, TableRow
from records.vocabulary import FieldStatus, ProcessingStatus

ACTOR = "system:ocr"

OUTCOME_NOTES = {
    PageOutcome.BLANK: "Trang trắng: không có chữ",
    PageOutcome.NO_TABLE: "Không tìm thấy bảng điểm trên trang",
    PageOutcome.UNKNOWN_COLUMNS: "Không nhận ra tiêu đề các cột của bảng",
}


def _clear_page(session: Session, page_id: int) -> None:
    """Remove rows of an earlier, unfinished attempt (none exist after a clean kill)."""
    row_ids = list(session.exec(select(TableRow.id).where(TableRow.page_id == page_id)))
    if row_ids:
        session.exec(delete(RowField).where(col(RowField.row_id).in_(row_ids)))
        session.exec(delete(TableRow).where(col(TableRow.page_id) == page_id))
    session.exec(delete(Sheet).where(col(Sheet.page_id) == page_id))


class _BoxColumns(TypedDict):
    box_x: int | None
    box_y: int | None
    box_w: int | None
    box_h: int | None


def _box_columns(box: Box | None) -> _BoxColumns:
    """A box as the box_x/box_y/box_w/box_h columns rows and fields share."""
    if box is None:
        return _BoxColumns(box_x=None, box_y=None, box_w=None, box_h=None)
    return _BoxColumns(box_x=box.x, box_y=box.y, box_w=box.w, box_h=box.h)


def store_result(
    session: Session, page_id: int, result: SheetResult, image_relpath: Path
) -> dict[FieldStatus, int]:
    """Write ``result`` for the page and mark it done; return field counts by status."""
    page = session.get(Page, page_id)
    if page is None:
        raise LookupError(f"page {page_id} not found")
    _clear_page(session, page_id)
    counts: dict[FieldStatus, int] = dict.fromkeys(FieldStatus, 0)
    page.rotation = result.rotation
    page.deskew_angle = round(result.deskew_angle, 3)
    page.width, page.height = result.width, result.height
    page.image_path = str(image_relpath)
    page.processed_at = datetime.now(UTC)
    page.error = None
    if result.outcome is PageOutcome.TABLE:
        page.status = ProcessingStatus.DONE
    else:
        page.status = ProcessingStatus.SKIPPED
        page.error = OUTCOME_NOTES[result.outcome]
    sheet = Sheet(
        page_id=page_id,
        exam_year=result.header.exam_year,
        level=result.header.level,
        council=result.header.council,
        school=result.header.school,
        issuing_body=result.issuing_body,
        title=result.title,
        raw_text=result.header_text or None,
        columns_json=result.columns.to_json() if result.columns else None,
    )
    session.add(sheet)
    session.flush()
    for row in result.rows:
        table_row = TableRow(
            page_id=page_id, sheet_id=sheet.id, row_number=row.row_number, **_box_columns(row.box)
        )
        session.add(table_row)
        session.flush()
        for field in row.fields.values():
            session.add(
                RowField(
                    row_id=table_row.id or 0,
                    name=field.name,
                    raw_text=field.raw_text,
                    ocr_value=field.ocr_value,
                    value=field.value,
                    confidence=round(field.confidence, 4),
                    status=field.status,
                    reason=field.reason,
                    sampled=(field.reason or "").startswith(SAMPLED),
                    **_box_columns(field.box),
                )
            )
            counts[field.status] += 1
    record(
        session,
        actor=ACTOR,
        action="page.read",
        entity="page",
        entity_id=page_id,
        new_value=f"{len(result.rows)} dòng",
        reason=page.error,
    )
    session.add(page)
    session.commit()
    return counts


def mark_failed(session: Session, page_id: int, reason: str) -> None:
    page = session.get(Page, page_id)
    if page is None:
        raise LookupError(f"page {page_id} not found")
    _clear_page(session, page_id)
    page.status = ProcessingStatus.FAILED
    page.error = reason
    page.processed_at = datetime.now(UTC)
    session.add(page)
    record(
        session, actor=ACTOR, action="page.fail", entity="page", entity_id=page_id, reason=reason
    )
    session.commit()
