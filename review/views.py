"""What the row screen shows, assembled from the database for templates and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ocr.parsing import display_value
from records.models import AuditEntry, Batch, Page, RowField, ScanFile, StaffUser
from records.vocabulary import FIELDS_BY_NAME, FieldStatus, ValueKind
from review.approval import RowState
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


def row_json(state: RowState, four_eyes: frozenset[str]) -> dict[str, Any]:
    return {
        "id": state.row.id,
        "version": state.row.version,
        "verified": state.row.verified_at is not None,
        "checks": checks_json(state.report),
        "passed": state.report.passed,
        "unresolved": [f.id for f in state.unresolved],
        "fields": [
            field_json(f, four_eyes, state.report.suggestions.get(f.name)) for f in state.fields
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
