"""What the row screen shows, assembled from the database for templates and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ocr.parsing import display_value
from records.models import AuditEntry, Batch, Page, RowField, ScanFile, StaffUser
from records.vocabulary import FIELDS_BY_NAME, FieldStatus, ValueKind
from review.approval import RowState
from review.crops import PAD_CELL, PAD_ROW
from review.decisions import needs_second_person
from review.row_checks import RowCheckReport

STATUS_LABELS = {
    FieldStatus.AUTO: "máy tin cậy",
    FieldStatus.NEEDS_REVIEW: "cần duyệt",
    FieldStatus.CORRECTED: "đã sửa",
    FieldStatus.VERIFIED: "đã xác nhận",
    FieldStatus.ILLEGIBLE: "không đọc được",
}
SEX_AND_RESULT = {"passed": "Đỗ", "failed": "Hỏng"}


def shown_value(name: str, value: str | None) -> str:
    """A stored value as a reviewer types it: "7,5", "12/03/1970", "Đỗ"."""
    if value is None:
        return ""
    spec = FIELDS_BY_NAME.get(name)
    if spec is None or spec.kind is ValueKind.TEXT or spec.kind is ValueKind.SEX:
        return value
    if spec.kind is ValueKind.NUMBER:
        return display_value(value)
    if spec.kind is ValueKind.RESULT:
        return SEX_AND_RESULT.get(value, value)
    if len(value) == 10:  # ISO date
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


def field_label(name: str) -> str:
    spec = FIELDS_BY_NAME.get(name)
    return spec.label_vi if spec else name


@dataclass(frozen=True)
class Place:
    batch: Batch
    scan: ScanFile
    page: Page


def place_of(session: Session, page_id: int) -> Place:
    page, scan, batch = session.exec(
        select(Page, ScanFile, Batch)
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .join(Batch, col(ScanFile.batch_id) == col(Batch.id))
        .where(Page.id == page_id)
    ).one()
    return Place(batch, scan, page)


def field_json(
    field: RowField, four_eyes: frozenset[str], suggestion: str | None = None
) -> dict[str, Any]:
    return {
        "id": field.id,
        "name": field.name,
        "label": field_label(field.name),
        "value": shown_value(field.name, field.value),
        "ocr_text": field.raw_text or "",
        "ocr_value": shown_value(field.name, field.ocr_value),
        "status": field.status.value,
        "status_label": STATUS_LABELS[field.status]
        + (" – chờ người thứ hai" if needs_second_person(field, four_eyes) else ""),
        "reason": field.reason or "",
        "version": field.version,
        "suggestion": shown_value(field.name, suggestion) if suggestion is not None else None,
        "has_box": field.box_w is not None and field.box_h is not None,
    }


def checks_json(report: RowCheckReport) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "ok": c.ok,
            "message": c.message,
            "fields": list(c.fields),
            "blocking": c.blocking,
        }
        for c in report.checks
    ]


CROP_HEIGHT = 48  # pixels on screen of a cell crop


def strip_geometry(state: RowState) -> tuple[int, int, int] | None:
    """(top, width, height) of the row strip on the page, as ``crops.row_strip`` cuts it."""
    row, page = state.row, state.page
    if row.box_y is None or row.box_h is None or not page.width or not page.height:
        return None
    top = max(0, row.box_y - PAD_ROW)
    bottom = min(page.height, row.box_y + row.box_h + PAD_ROW)
    return top, page.width, bottom - top


def cell_view(field: RowField, strip: tuple[int, int, int] | None) -> dict[str, int] | None:
    """Where a cell lies in the row strip, so the screen shows it from the one strip image
    (an SVG viewBox) instead of one image request per cell: 14 requests a row were half the
    server's work in the review benchmark."""
    if strip is None or field.box_x is None or field.box_y is None:
        return None
    if not field.box_w or not field.box_h:
        return None
    top, width, height = strip
    x = max(0, field.box_x - PAD_CELL)
    w = min(width, field.box_x + field.box_w + PAD_CELL) - x
    y = field.box_y - top - PAD_ROW
    h = field.box_h + 2 * PAD_ROW
    if w <= 0 or h <= 0:
        return None
    return {
        "x": x,
        "y": y,
        "w": w,
        "h": h,
        "strip_w": width,
        "strip_h": height,
        "screen_w": max(1, round(CROP_HEIGHT * w / h)),
        "screen_h": CROP_HEIGHT,
    }


def row_json(state: RowState, four_eyes: frozenset[str]) -> dict[str, Any]:
    strip = strip_geometry(state)
    return {
        "id": state.row.id,
        "version": state.row.version,
        "verified": state.row.verified_at is not None,
        "checks": checks_json(state.report),
        "passed": state.report.passed,
        "unresolved": [f.id for f in state.unresolved],
        "fields": [
            {
                **field_json(f, four_eyes, state.report.suggestions.get(f.name)),
                "cell": cell_view(f, strip),
            }
            for f in state.fields
        ],
    }


def audit_for_row(session: Session, state: RowState) -> list[AuditEntry]:
    """The row's trail: its own entries and those of its fields, oldest first."""
    field_ids = [f.id for f in state.fields]
    return list(
        session.exec(
            select(AuditEntry)
            .where(
                (
                    (col(AuditEntry.entity) == "table_row")
                    & (col(AuditEntry.entity_id) == state.row.id)
                )
                | (
                    (col(AuditEntry.entity) == "row_field")
                    & col(AuditEntry.entity_id).in_(field_ids)
                )
            )
            .order_by(col(AuditEntry.id))
        )
    )


def user_names(session: Session) -> dict[int, str]:
    return {u.id or 0: u.username for u in session.exec(select(StaffUser))}
