"""Approval: only when resolved and passing, or an approver's written override; reopening."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from records.models import AuditEntry, StaffUser, TableRow
from review import approval
from review.decisions import Decision, FieldDecision, ReviewError, StaleEditError, decide
from tests.review.conftest import ReviewPage

FOUR_EYES = frozenset({"full_name", "birth_date", "result"})


def _row(session: Session, review_page: ReviewPage, index: int) -> TableRow:
    row = session.get(TableRow, review_page.rows[index].id)
    assert row is not None
    session.refresh(row)
    return row


def test_row_with_failing_check_is_not_approved_without_a_reason(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    row = _row(session, review_page, 0)
    with pytest.raises(ReviewError, match="Tổng không khớp"):
        approval.approve(session, row.id or 0, row.version, staff["lan"], FOUR_EYES)
    assert _row(session, review_page, 0).verified_at is None


def test_correcting_the_total_lets_the_row_be_approved(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    total = review_page.field(session, 0, "total")
    decide(
        session,
        FieldDecision(total.id or 0, total.version, Decision.SET, "50,5"),
        staff["ha"],
        FOUR_EYES,
    )
    row = _row(session, review_page, 0)
    state = approval.approve(session, row.id or 0, row.version, staff["lan"], FOUR_EYES)
    assert state.row.verified_at is not None and state.row.verified_by == staff["lan"].id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "row.approve")).one()
    assert entry.actor == "lan"


def test_reviewers_cannot_approve(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    row = _row(session, review_page, 1)
    with pytest.raises(ReviewError, match="người phê duyệt"):
        approval.approve(session, row.id or 0, row.version, staff["ha"], FOUR_EYES)


def test_override_needs_a_reason_and_is_audited_as_such(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    row = _row(session, review_page, 0)
    approval.approve(
        session,
        row.id or 0,
        row.version,
        staff["lan"],
        FOUR_EYES,
        override_reason="Bản gốc ghi tổng sai, đã đối chiếu sổ gốc",
    )
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "row.approve_override")
    ).one()
    assert entry.reason == "Bản gốc ghi tổng sai, đã đối chiếu sổ gốc"
    assert entry.old_value is not None and "Tổng không khớp" in entry.old_value


def test_approval_on_a_stale_view_is_refused(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    seen = _row(session, review_page, 1).version
    field = review_page.field(session, 1, "scores.math")
    decide(
        session,
        FieldDecision(field.id or 0, field.version, Decision.SET, "7"),
        staff["ha"],
        FOUR_EYES,
    )
    with pytest.raises(StaleEditError):
        approval.approve(session, review_page.rows[1].id or 0, seen, staff["lan"], FOUR_EYES)


def test_approved_row_is_locked_until_an_approver_reopens_it_with_a_reason(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    row = _row(session, review_page, 1)
    state = approval.approve(session, row.id or 0, row.version, staff["lan"], FOUR_EYES)
    field = review_page.field(session, 1, "scores.math")
    with pytest.raises(ReviewError, match="đã được duyệt"):
        decide(
            session,
            FieldDecision(field.id or 0, field.version, Decision.SET, "8"),
            staff["ha"],
            FOUR_EYES,
        )
    with pytest.raises(ReviewError, match="lý do"):
        approval.reopen(session, row.id or 0, state.row.version, staff["lan"], " ", FOUR_EYES)
    with pytest.raises(ReviewError, match="người phê duyệt"):
        approval.reopen(session, row.id or 0, state.row.version, staff["ha"], "sai", FOUR_EYES)
    reopened = approval.reopen(
        session,
        row.id or 0,
        state.row.version,
        staff["minh"],
        "Thí sinh báo sai ngày sinh",
        FOUR_EYES,
    )
    assert reopened.row.verified_at is None
    decide(
        session,
        FieldDecision(field.id or 0, field.version, Decision.SET, "7"),
        staff["ha"],
        FOUR_EYES,
    )


def test_pending_four_eyes_correction_blocks_approval(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    name = review_page.field(session, 1, "full_name")
    decide(
        session,
        FieldDecision(name.id or 0, name.version, Decision.SET, "Nguyễn Thị Hoa"),
        staff["lan"],
        FOUR_EYES,
    )
    row = _row(session, review_page, 1)
    with pytest.raises(ReviewError, match="chưa xong: full_name"):
        approval.approve(session, row.id or 0, row.version, staff["lan"], FOUR_EYES)


def test_approve_passing_rows_skips_rows_that_need_work(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    count = approval.approve_passing_rows(
        session, review_page.page.id or 0, staff["lan"], FOUR_EYES
    )
    assert count == 2  # row 1 still has its misread total
    assert _row(session, review_page, 0).verified_at is None
