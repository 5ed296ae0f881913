"""The review queue: rows with fields that need a person, handed out one row per reviewer.

A reviewer takes a row by leasing it (``claimed_by``/``claimed_until``); the lease is taken
with a conditional UPDATE, so two reviewers asking at the same moment get different rows.  A
lease runs out after ``LEASE`` so a row is not stuck with someone who left.  A reviewer holds
one lease at a time: asking for the next row gives up the previous one.

A row is in the queue for a user when it is not approved and has a field with status
``needs_review``, or a four-eyes correction made by someone else that waits for a second
person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, or_, update
from sqlmodel import Session, col, func, select

from records.models import Page, RowField, ScanFile, TableRow
from records.vocabulary import FieldStatus

LEASE = timedelta(minutes=15)
_CANDIDATES = 8  # rows looked at per attempt; others may take some of them meanwhile


def _needs_person(user_id: int, four_eyes: frozenset[str]):  # type: ignore[no-untyped-def]
    waiting = and_(
        col(RowField.status) == FieldStatus.CORRECTED,
        col(RowField.name).in_(sorted(four_eyes)),
        col(RowField.corrected_by) != user_id,
    )
    condition = col(RowField.status) == FieldStatus.NEEDS_REVIEW
    if four_eyes:
        condition = or_(condition, waiting)
    return exists().where(col(RowField.row_id) == col(TableRow.id), condition)


def _free_for(user_id: int, now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        col(TableRow.claimed_by).is_(None),
        col(TableRow.claimed_until) < now,
        col(TableRow.claimed_by) == user_id,
    )


def release(session: Session, user_id: int) -> None:
    session.exec(
        update(TableRow)
        .where(col(TableRow.claimed_by) == user_id)
        .values(claimed_by=None, claimed_until=None)
    )


def take_next(
    session: Session,
    batch_id: int,
    user_id: int,
    four_eyes: frozenset[str],
    now: datetime | None = None,
    after_row_id: int = 0,
) -> int | None:
    """Lease the next row of the batch that needs this user; its id, or None when done.

    ``after_row_id`` skips rows up to that id first (the reviewer moves forward), and wraps
    around to the start when nothing is left after it.
    """
    now = now or datetime.now(UTC)
    pages = (
        select(Page.id)
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .where(ScanFile.batch_id == batch_id)
    )
    # The batch's id range bounds the scan: without it PostgreSQL's planner walks every other
    # batch's rows by primary key (about 40 ms with 500,000 fields; see benchmarks.review).
    low, high = session.exec(
        select(func.min(TableRow.id), func.max(TableRow.id)).where(col(TableRow.page_id).in_(pages))
    ).one()
    if low is None or high is None:
        release(session, user_id)
        session.commit()
        return None
    for start in (after_row_id, 0) if after_row_id else (0,):
        candidates = session.exec(
            select(TableRow.id)
            .where(
                col(TableRow.page_id).in_(pages),
                col(TableRow.verified_at).is_(None),
                col(TableRow.id) > max(start, low - 1),
                col(TableRow.id) <= high,
                _free_for(user_id, now),
                _needs_person(user_id, four_eyes),
            )
            .order_by(col(TableRow.id))
            .limit(_CANDIDATES)
        ).all()
        for row_id in candidates:
            release(session, user_id)
            taken = session.exec(
                update(TableRow)
                .where(col(TableRow.id) == row_id, _free_for(user_id, now))
                .values(claimed_by=user_id, claimed_until=now + LEASE)
            )
            if taken.rowcount == 1:
                session.commit()
                return row_id
            session.rollback()
    release(session, user_id)
    session.commit()
    return None


def next_field_in_row(
    fields: list[RowField], user_id: int, four_eyes: frozenset[str], after_field_id: int = 0
) -> RowField | None:
    """The next field of the row (in column order, after ``after_field_id``) that needs this
    user, wrapping around; None when the row needs nothing more from them."""

    def needs(field: RowField) -> bool:
        if field.status is FieldStatus.NEEDS_REVIEW:
            return True
        return (
            field.status is FieldStatus.CORRECTED
            and field.name in four_eyes
            and field.corrected_by != user_id
        )

    ordered = sorted(fields, key=lambda f: f.id or 0)
    later = [f for f in ordered if (f.id or 0) > after_field_id and needs(f)]
    earlier = [f for f in ordered if (f.id or 0) <= after_field_id and needs(f)]
    for field in later + earlier:
        if field.id != after_field_id:
            return field
    return None
