"""Writing one page's OCR result to the database, in one transaction.

The page's rows, fields and its status "done" are committed together: a process killed before
the commit leaves the page pending (and it is read again on the next run); after the commit the
page is never read again.  So no row is lost and none is duplicated, whatever the timing.

A lost database connection (the server restarted, the network dropped) rolls the page's
transaction back and writes it again, 5 attempts with doubling waits within
BANGDIEM_DB_RETRY_SECONDS; then DatabaseUnavailableError stops the batch with the page still
pending.  Writing a page again is safe: it first clears whatever an earlier attempt left.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict, TypeVar

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlmodel import Session, col, delete, select

from ingest.errors import DatabaseUnavailableError
from ocr.model import Box, PageOutcome, SheetResult
from ocr.trust_policy import SAMPLED
from records.audit import record
from records.models import Page, RowField, Sheet, TableRow
from records.vocabulary import FieldStatus, ProcessingStatus

ACTOR = "system:ocr"
ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 30.0

T = TypeVar("T")

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


def retry_delays(budget_s: float, attempts: int = ATTEMPTS) -> list[float]:
    """Waits before attempts 2..n, doubling, summing to ``budget_s`` (30 s: 2, 4, 8, 16)."""
    parts = [2.0**i for i in range(attempts - 1)]
    return [budget_s * part / sum(parts) for part in parts] if parts else []


def with_retry(session: Session, write: Callable[[], T], budget_s: float) -> T:
    """Run ``write`` (one transaction ending in a commit); when the database connection is
    lost, roll back and run it again after a wait, a bounded number of times."""
    delays = retry_delays(budget_s)
    for attempt in range(1, len(delays) + 2):
        try:
            return write()
        except (OperationalError, InterfaceError, DisconnectionError) as error:
            # The connection may be gone already; the pool replaces it (pool_pre_ping).
            with contextlib.suppress(OperationalError, InterfaceError, DisconnectionError):
                session.rollback()
            detail = str(getattr(error, "orig", None) or error).strip().splitlines()
            cause = detail[0][:200] if detail else type(error).__name__
            if attempt > len(delays):
                raise DatabaseUnavailableError(
                    f"{attempt} lần thử trong {sum(delays):.0f} giây; lỗi cuối: {cause}"
                ) from error
            wait = delays[attempt - 1]
            print(
                f"Mất kết nối cơ sở dữ liệu khi lưu trang ({cause}); thử lại lần "
                f"{attempt + 1}/{len(delays) + 1} sau {wait:.1f} giây…",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def store_result(
    session: Session,
    page_id: int,
    result: SheetResult,
    image_relpath: Path,
    *,
    retry_seconds: float = DEFAULT_RETRY_SECONDS,
) -> dict[FieldStatus, int]:
    """Write ``result`` for the page and mark it done; return field counts by status."""
    return with_retry(
        session, lambda: _write_result(session, page_id, result, image_relpath), retry_seconds
    )


def _write_result(
    session: Session, page_id: int, result: SheetResult, image_relpath: Path
) -> dict[FieldStatus, int]:
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


def mark_failed(
    session: Session, page_id: int, reason: str, *, retry_seconds: float = DEFAULT_RETRY_SECONDS
) -> None:
    with_retry(session, lambda: _write_failure(session, page_id, reason), retry_seconds)


def _write_failure(session: Session, page_id: int, reason: str) -> None:
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
