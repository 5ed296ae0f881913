"""A reviewer's decision on one field, written with optimistic locking and an audit entry.

Two people may open the same row.  Every decision names the version of the field it was made
on; the update only happens if that is still the field's version (``UPDATE ... WHERE version =
:seen``), so the second of two concurrent edits is refused with a message naming who changed
it, instead of silently overwriting the first.  The row's version moves with every field
decision, so an approval made on a stale view of the row is refused the same way.

Status after a decision:
- value unchanged: ``verified``; but a four-eyes field (name, birth date, result by default)
  corrected by someone else becomes ``verified`` only when a *different* person confirms it;
- value changed (or emptied): ``corrected``, remembering who corrected it;
- "illegible": ``illegible`` with no value; only an approver's override can approve the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from records.audit import record
from records.models import AuditEntry, Page, RowField, Sheet, StaffUser, TableRow
from records.vocabulary import FieldStatus
from review.values import canonical_input


class Decision(StrEnum):
    SET = "set"  # keep or replace the value with the text sent
    BLANK = "blank"  # the cell is empty on the sheet
    ILLEGIBLE = "illegible"  # the cell cannot be read


class ReviewError(Exception):
    """A decision that cannot be carried out; ``str()`` is the Vietnamese message."""

    status_code = 400


class StaleEditError(ReviewError):
    """Someone else changed the field or row since it was shown."""

    status_code = 409


class RowLockedError(ReviewError):
    """The row is approved: only an approver's reopening allows changes."""

    status_code = 409


class NotFoundError(ReviewError):
    status_code = 404


@dataclass(frozen=True)
class FieldDecision:
    field_id: int
    seen_version: int
    decision: Decision
    text: str = ""
    reason: str | None = None  # the reviewer's own note, kept in the audit trail


def needs_second_person(field: RowField, four_eyes: frozenset[str]) -> bool:
    """A correction of a four-eyes field that no second person has confirmed yet."""
    return field.status is FieldStatus.CORRECTED and field.name in four_eyes


def is_resolved(field: RowField, four_eyes: frozenset[str]) -> bool:
    if field.status in (FieldStatus.AUTO, FieldStatus.VERIFIED):
        return True
    return field.status is FieldStatus.CORRECTED and not needs_second_person(field, four_eyes)


def _last_change_by(session: Session, field_id: int) -> str:
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "row_field", AuditEntry.entity_id == field_id)
        .order_by(col(AuditEntry.id).desc())
    ).first()
    return entry.actor if entry else "người khác"


def _outcome(
    field: RowField,
    new_value: str | None,
    decision: Decision,
    user: StaffUser,
    four_eyes: frozenset[str],
) -> tuple[FieldStatus, int | None, str]:
    """(status, corrected_by, audit action) for a decision on ``field``."""
    if decision is Decision.ILLEGIBLE:
        return FieldStatus.ILLEGIBLE, field.corrected_by, "field.illegible"
    if new_value != field.value:
        return FieldStatus.CORRECTED, user.id, "field.correct"
    if needs_second_person(field, four_eyes):
        if field.corrected_by == user.id:
            raise ReviewError(
                "Chính bạn đã sửa trường này: cần một người khác xác nhận (kiểm tra bốn mắt)."
            )
        return FieldStatus.VERIFIED, field.corrected_by, "field.second_confirm"
    if field.status is FieldStatus.CORRECTED:
        return FieldStatus.CORRECTED, field.corrected_by, "field.confirm"
    return FieldStatus.VERIFIED, field.corrected_by, "field.confirm"


def decide(
    session: Session, request: FieldDecision, user: StaffUser, four_eyes: frozenset[str]
) -> RowField:
    """Apply one decision and commit it with its audit entry; return the updated field."""
    found = session.exec(
        select(RowField, TableRow, Sheet)
        .join(TableRow, col(RowField.row_id) == col(TableRow.id))
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(Sheet, col(Sheet.page_id) == col(Page.id), isouter=True)
        .where(RowField.id == request.field_id)
    ).first()
    if found is None:
        raise NotFoundError("Không tìm thấy trường này.")
    field, row, sheet = found
    if row.verified_at is not None:
        raise RowLockedError("Dòng này đã được duyệt; cần người phê duyệt mở lại để sửa.")
    if field.version != request.seen_version:
        raise StaleEditError(
            f"{_last_change_by(session, field.id or 0)} vừa thay đổi trường này. "
            "Hãy xem giá trị mới rồi quyết định lại."
        )
    if request.decision is Decision.SET:
        new_value = canonical_input(field.name, request.text, sheet.exam_year if sheet else None)
    else:
        new_value = None
    status, corrected_by, action = _outcome(field, new_value, request.decision, user, four_eyes)
    old_value = field.value  # read before the UPDATE, which also refreshes ``field``
    changed = session.exec(
        update(RowField)
        .where(col(RowField.id) == field.id, col(RowField.version) == request.seen_version)
        .values(
            value=new_value, status=status, corrected_by=corrected_by, version=RowField.version + 1
        )
    )
    if changed.rowcount != 1:
        session.rollback()
        raise StaleEditError("Một người khác vừa thay đổi trường này. Hãy tải lại và xem lại.")
    session.exec(
        update(TableRow).where(col(TableRow.id) == row.id).values(version=TableRow.version + 1)
    )
    record(
        session,
        actor=user.username,
        action=action,
        entity="row_field",
        entity_id=field.id,
        field_name=field.name,
        old_value=old_value,
        new_value=new_value,
        ocr_value=field.ocr_value,
        reason=request.reason,
    )
    session.commit()
    session.refresh(field)
    return field
