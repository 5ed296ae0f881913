"""Field decisions: statuses, four-eyes, optimistic locking and the audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from records.models import AuditEntry, StaffUser, TableRow
from records.vocabulary import FieldStatus
from review.decisions import (
    Decision,
    FieldDecision,
    ReviewError,
    StaleEditError,
    decide,
    is_resolved,
)
from review.values import InvalidValueError
from tests.review.conftest import ReviewPage

FOUR_EYES = frozenset({"full_name", "birth_date", "result"})


def _decide(
    session: Session,
    review_page: ReviewPage,
    user: StaffUser,
    name: str,
    decision: Decision = Decision.SET,
    text: str = "",
    row: int = 0,
) -> None:
    field = review_page.field(session, row, name)
    decide(session, FieldDecision(field.id or 0, field.version, decision, text), user, FOUR_EYES)


def test_confirming_keeps_the_value_and_verifies(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    _decide(session, review_page, staff["ha"], "scores.math", text="7")
    field = review_page.field(session, 0, "scores.math")
    assert (field.value, field.status, field.version) == ("7", FieldStatus.VERIFIED, 2)


def test_correction_keeps_the_ocr_reading_and_is_audited(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    _decide(session, review_page, staff["ha"], "total", text="50,5")
    field = review_page.field(session, 0, "total")
    assert (field.value, field.ocr_value, field.raw_text) == ("50.5", "56.5", "56.5")
    assert field.status is FieldStatus.CORRECTED and field.corrected_by == staff["ha"].id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "field.correct")).one()
    assert (entry.actor, entry.old_value, entry.new_value, entry.ocr_value) == (
        "ha",
        "56.5",
        "50.5",
        "56.5",
    )
    row = session.get(TableRow, review_page.rows[0].id)
    assert row is not None and row.version == 2  # the row moves with its fields


def test_a_stale_version_is_refused_and_names_who_changed_it(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    field = review_page.field(session, 0, "total")
    seen = field.version
    decide(
        session, FieldDecision(field.id or 0, seen, Decision.SET, "50,5"), staff["ha"], FOUR_EYES
    )
    with pytest.raises(StaleEditError, match="ha vừa thay đổi"):
        decide(
            session,
            FieldDecision(field.id or 0, seen, Decision.SET, "51"),
            staff["hung"],
            FOUR_EYES,
        )
    assert review_page.field(session, 0, "total").value == "50.5"  # the first edit survives


def test_four_eyes_field_needs_a_second_person(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    _decide(session, review_page, staff["ha"], "full_name", text="Nguyễn Thị Hoà Bình")
    field = review_page.field(session, 0, "full_name")
    assert field.status is FieldStatus.CORRECTED and not is_resolved(field, FOUR_EYES)
    with pytest.raises(ReviewError, match="người khác xác nhận"):
        _decide(session, review_page, staff["ha"], "full_name", text="Nguyễn Thị Hoà Bình")
    _decide(session, review_page, staff["hung"], "full_name", text="Nguyễn Thị Hoà Bình")
    field = review_page.field(session, 0, "full_name")
    assert field.status is FieldStatus.VERIFIED and is_resolved(field, FOUR_EYES)
    actions = session.exec(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "row_field")
        .order_by(col(AuditEntry.id))
    ).all()
    assert actions == ["field.correct", "field.second_confirm"]


def test_other_fields_are_resolved_by_one_correction(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    _decide(session, review_page, staff["ha"], "total", text="50,5")
    assert is_resolved(review_page.field(session, 0, "total"), FOUR_EYES)
    assert is_resolved(review_page.field(session, 0, "total"), frozenset())


def test_blank_and_illegible(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    _decide(session, review_page, staff["ha"], "ranking", Decision.BLANK)
    ranking = review_page.field(session, 0, "ranking")
    assert (ranking.value, ranking.status) == (None, FieldStatus.CORRECTED)
    _decide(session, review_page, staff["ha"], "total", Decision.ILLEGIBLE)
    total = review_page.field(session, 0, "total")
    assert (total.value, total.status) == (None, FieldStatus.ILLEGIBLE)
    assert not is_resolved(total, FOUR_EYES)


def test_invalid_input_changes_nothing(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    with pytest.raises(InvalidValueError):
        _decide(session, review_page, staff["ha"], "total", text="năm mươi")
    field = review_page.field(session, 0, "total")
    assert (field.value, field.version) == ("56.5", 1)
