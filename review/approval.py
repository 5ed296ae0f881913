"""Turning a reviewed row into a verified record, and reopening one.

A row is approved when every field is resolved and every blocking check passes; an approver
may override failing checks or unresolved fields with a written reason.  Only approvers
approve, and only approvers reopen an approved row (with a reason).  Both are conditional on
the row version the approver saw, like field decisions, and both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from records.audit import record
from records.models import Page, RowField, Sheet, StaffUser, TableRow
from records.vocabulary import Role
from review.decisions import (
    NotFoundError,
    ReviewError,
    RowLockedError,
    StaleEditError,
    is_resolved,
)
from review.row_checks import RowCheckReport, check_row

APPROVER_ROLES = frozenset({Role.APPROVER})


@dataclass
class RowState:
    """A row with everything needed to judge it: fields, sheet and live checks."""

    row: TableRow
    page: Page
    sheet: Sheet | None
    fields: list[RowField]
    report: RowCheckReport
    unresolved: list[RowField]


def load_row(session: Session, row_id: int, four_eyes: frozenset[str]) -> RowState:
    found = session.exec(
        select(TableRow, Page, Sheet)
        .join(Page, col(TableRow.page_id) == col(Page.id))
        .join(Sheet, col(Sheet.page_id) == col(Page.id), isouter=True)
        .where(TableRow.id == row_id)
    ).first()
    if found is None:
        raise NotFoundError("Không tìm thấy dòng này.")
    row, page, sheet = found
    fields = list(
        session.exec(select(RowField).where(RowField.row_id == row_id).order_by(col(RowField.id)))
    )
    report = check_row(
        {f.name: f.value for f in fields},
        exam_year=sheet.exam_year if sheet else None,
        level=sheet.level if sheet else None,
    )
    unresolved = [f for f in fields if not is_resolved(f, four_eyes)]
    return RowState(row, page, sheet, fields, report, unresolved)


def _require_approver(user: StaffUser) -> None:
    if user.role not in APPROVER_ROLES:
        raise ReviewError("Chỉ người phê duyệt mới được duyệt hoặc mở lại hồ sơ.")


def _bump(session: Session, row_id: int, seen_version: int, **values: object) -> None:
    changed = session.exec(
        update(TableRow)
        .where(col(TableRow.id) == row_id, col(TableRow.version) == seen_version)
        .values(version=TableRow.version + 1, **values)
    )
    if changed.rowcount != 1:
        session.rollback()
        raise StaleEditError("Dòng này vừa được người khác thay đổi. Hãy tải lại và xem lại.")


def approve(
    session: Session,
    row_id: int,
    seen_version: int,
    user: StaffUser,
    four_eyes: frozenset[str],
    override_reason: str | None = None,
) -> RowState:
    """Approve the row as a verified record; ReviewError says why when it cannot be."""
    _require_approver(user)
    state = load_row(session, row_id, four_eyes)
    if state.row.verified_at is not None:
        raise RowLockedError("Dòng này đã được duyệt rồi.")
    blocking = [c.message for c in state.report.failing()]
    pending = [f.name for f in state.unresolved]
    reason = (override_reason or "").strip()
    if (blocking or pending) and not reason:
        problems = "; ".join([*blocking, *(f"chưa xong: {n}" for n in pending)])
        raise ReviewError(
            f"Chưa duyệt được: {problems}. Người phê duyệt có thể ghi lý do để duyệt."
        )
    _bump(
        session,
        row_id,
        seen_version,
        verified_at=datetime.now(UTC),
        verified_by=user.id,
        claimed_by=None,
        claimed_until=None,
    )
    record(
        session,
        actor=user.username,
        action="row.approve_override" if (blocking or pending) else "row.approve",
        entity="table_row",
        entity_id=row_id,
        old_value="; ".join([*blocking, *pending]) or None,
        new_value="verified",
        reason=reason or None,
    )
    session.commit()
    return load_row(session, row_id, four_eyes)


def reopen(
    session: Session,
    row_id: int,
    seen_version: int,
    user: StaffUser,
    reason: str,
    four_eyes: frozenset[str],
) -> RowState:
    """Reopen an approved row for correction; the record stops being verified."""
    _require_approver(user)
    if not reason.strip():
        raise ReviewError("Cần ghi lý do mở lại hồ sơ.")
    row = session.get(TableRow, row_id)
    if row is None:
        raise NotFoundError("Không tìm thấy dòng này.")
    if row.verified_at is None:
        raise ReviewError("Dòng này chưa được duyệt.")
    _bump(session, row_id, seen_version, verified_at=None, verified_by=None)
    record(
        session,
        actor=user.username,
        action="row.reopen",
        entity="table_row",
        entity_id=row_id,
        old_value="verified",
        new_value="open",
        reason=reason.strip(),
    )
    session.commit()
    return load_row(session, row_id, four_eyes)


def approve_passing_rows(
    session: Session, page_id: int, user: StaffUser, four_eyes: frozenset[str]
) -> int:
    """Approve every open row of a page whose fields are resolved and checks pass (rows the
    machine read cleanly need a person's approval too, but not one click each)."""
    _require_approver(user)
    rows = session.exec(
        select(TableRow).where(TableRow.page_id == page_id, col(TableRow.verified_at).is_(None))
    ).all()
    approved = 0
    for row in rows:
        state = load_row(session, row.id or 0, four_eyes)
        if state.unresolved or not state.report.passed:
            continue
        approve(session, row.id or 0, row.version, user, four_eyes)
        approved += 1
    return approved
