"""The queue hands different reviewers different rows, and leases run out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from records.models import StaffUser
from records.settings import Settings
from review import queue
from review.decisions import Decision, FieldDecision, decide
from tests.review.conftest import ReviewPage, add_review_page

FOUR_EYES = frozenset({"full_name", "birth_date", "result"})


def _batch_id(session: Session, review_page: ReviewPage) -> int:
    from records.models import ScanFile

    scan = session.get(ScanFile, review_page.page.scan_file_id)
    assert scan is not None
    return scan.batch_id


def test_two_reviewers_get_different_rows(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    total = review_page.field(session, 1, "total")  # a second row that needs a person
    decide(
        session,
        FieldDecision(total.id or 0, total.version, Decision.ILLEGIBLE),
        staff["lan"],
        FOUR_EYES,
    )
    total.status = "needs_review"  # type: ignore[assignment]
    session.add(total)
    session.commit()
    batch = _batch_id(session, review_page)
    first = queue.take_next(session, batch, staff["ha"].id or 0, FOUR_EYES)
    second = queue.take_next(session, batch, staff["hung"].id or 0, FOUR_EYES)
    assert first == review_page.rows[0].id and second == review_page.rows[1].id
    # Asking again gives each their own row back, not the other's.
    assert queue.take_next(session, batch, staff["ha"].id or 0, FOUR_EYES) == first
    third = queue.take_next(session, batch, staff["minh"].id or 0, FOUR_EYES)
    assert third is None


def test_a_lease_runs_out(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    batch = _batch_id(session, review_page)
    now = datetime.now(UTC)
    assert queue.take_next(session, batch, staff["ha"].id or 0, FOUR_EYES, now) is not None
    assert queue.take_next(session, batch, staff["hung"].id or 0, FOUR_EYES, now) is None
    later = now + queue.LEASE + timedelta(seconds=1)
    assert queue.take_next(session, batch, staff["hung"].id or 0, FOUR_EYES, later) == (
        review_page.rows[0].id
    )


def test_four_eyes_corrections_go_to_someone_else(
    session: Session, review_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    batch = _batch_id(session, review_page)
    total = review_page.field(session, 0, "total")
    decide(
        session,
        FieldDecision(total.id or 0, total.version, Decision.SET, "50,5"),
        staff["ha"],
        FOUR_EYES,
    )
    name = review_page.field(session, 2, "full_name")
    decide(
        session,
        FieldDecision(name.id or 0, name.version, Decision.SET, "Lê Thị Hoà"),
        staff["ha"],
        FOUR_EYES,
    )
    assert queue.take_next(session, batch, staff["ha"].id or 0, FOUR_EYES) is None
    assert queue.take_next(session, batch, staff["hung"].id or 0, FOUR_EYES) == (
        review_page.rows[2].id
    )


def test_queue_is_per_batch_and_moves_forward(
    session: Session,
    settings: Settings,
    review_page: ReviewPage,
    staff: dict[str, StaffUser],
) -> None:
    other = add_review_page(session, settings, rows=1, batch="lô-2")
    batch = _batch_id(session, review_page)
    assert queue.take_next(session, batch, staff["ha"].id or 0, FOUR_EYES) == review_page.rows[0].id
    assert queue.take_next(session, _batch_id(session, other), staff["ha"].id or 0, FOUR_EYES) == (
        other.rows[0].id
    )


def test_next_field_in_row_wraps_around() -> None:
    from records.models import RowField
    from records.vocabulary import FieldStatus

    fields = [
        RowField(
            id=i,
            row_id=1,
            name=f"f{i}",
            status=FieldStatus.NEEDS_REVIEW if i in (2, 5) else FieldStatus.AUTO,
        )
        for i in range(1, 7)
    ]
    assert queue.next_field_in_row(fields, 1, FOUR_EYES, 2).id == 5  # type: ignore[union-attr]
    assert queue.next_field_in_row(fields, 1, FOUR_EYES, 5).id == 2  # type: ignore[union-attr]
    assert queue.next_field_in_row(fields[:3], 1, FOUR_EYES, 2) is None
