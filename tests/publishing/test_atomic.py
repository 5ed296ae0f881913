"""Publishing is atomic for readers and idempotent after a crash.

A reader of the public model (the lookup service) sees the state before a publish or the state
after it, never a mix, however many records the publish writes, withdraws or replaces.  A crash
after the public transaction but before the staff side records it (step 3) leaves publication
rows without content hashes: the next run writes the same records again under the same public
ids, without duplicates.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, update
from sqlmodel import Session, col

from publishing.publish import publish
from records.db import get_engine
from records.models import Publication, RowField, Sheet, StaffUser, TableRow
from records.public_db import public_engine, public_record
from records.settings import Settings
from records.vocabulary import FieldStatus, Role
from tests.factories import add_page

GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga", "Phúc", "Quân")
MIDDLE = ("Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh", "Đức", "Kim")
SURNAME = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")


def person(index: int) -> tuple[str, str]:
    """A name and birth date for ``index``: varied, deterministic, valid."""
    name = " ".join(
        (
            SURNAME[index % len(SURNAME)],
            MIDDLE[index // len(SURNAME) % len(MIDDLE)],
            GIVEN[index // (len(SURNAME) * len(MIDDLE)) % len(GIVEN)],
        )
    )
    day = 1 + index % 28
    month = 1 + index // 28 % 12
    return name, f"{1960 + index % 30}-{month:02d}-{day:02d}"


def add_verified_rows(
    session: Session,
    count: int,
    *,
    batch: str,
    people: list[tuple[str, str]] | None = None,
) -> list[int]:
    """``count`` approved rows on a new page of ``batch`` (bulk inserts: thousands in well under
    a second); ``people`` gives their names and birth dates (default: ``person(i)``).  Returns
    the staff row ids in row order."""
    page = add_page(session, batch=batch)
    sheet = Sheet(page_id=page.id or 0, exam_year=1990, level="PTTH", council="Bà Rịa")
    session.add(sheet)
    approver = StaffUser(
        username=f"duyet-{batch}",
        full_name="Cán bộ duyệt",
        role=Role.APPROVER,
        password_hash="-",  # noqa: S106 - no one signs in as this account
    )
    session.add(approver)
    session.flush()
    now = datetime.now(UTC)
    connection = session.connection()
    connection.execute(
        insert(TableRow),
        [
            {
                "page_id": page.id,
                "sheet_id": sheet.id,
                "row_number": number,
                "verified_at": now,
                "verified_by": approver.id,
                "version": 1,
            }
            for number in range(1, count + 1)
        ],
    )
    row_ids = list(
        connection.execute(
            select(TableRow.id)  # type: ignore[call-overload]
            .where(TableRow.page_id == page.id)
            .order_by(TableRow.row_number)
        ).scalars()
    )
    chosen = people or [person(i) for i in range(count)]
    fields = []
    for row_id, (name, birth) in zip(row_ids, chosen, strict=True):
        for field_name, value in (
            ("full_name", name),
            ("birth_date", birth),
            ("result", "passed"),
            ("total", "50.5"),
            ("scores.math", "7"),
        ):
            fields.append(
                {
                    "row_id": row_id,
                    "name": field_name,
                    "raw_text": value,
                    "ocr_value": value,
                    "value": value,
                    "status": FieldStatus.VERIFIED,
                    "sampled": False,
                    "version": 1,
                }
            )
    connection.execute(insert(RowField), fields)
    session.commit()
    return [int(i) for i in row_ids]


def _count(settings: Settings) -> int:
    with public_engine(settings).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(public_record)).scalar_one())


def _public_ids(settings: Settings) -> list[str]:
    with public_engine(settings).connect() as connection:
        return [str(i) for i in connection.execute(select(public_record.c.public_id)).scalars()]


# The reader reads the public model (SQLite in both settings); once is enough.
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_reader_sees_the_old_or_the_new_state_never_a_mix(
    settings: Settings, session: Session
) -> None:
    first = add_verified_rows(session, 1500, batch="lot-1")
    assert publish(settings).published == 1500
    # The second publish withdraws 500, changes 500 and adds 3000: every partial state of it
    # would show a count other than these two.
    with get_engine(settings).begin() as connection:
        connection.execute(
            update(TableRow).where(col(TableRow.id).in_(first[:500])).values(verified_at=None)
        )
        connection.execute(
            update(RowField)
            .where(col(RowField.row_id).in_(first[500:1000]), col(RowField.name) == "total")
            .values(value="51.0")
        )
    add_verified_rows(session, 3000, batch="lot-2")
    old, new = 1500, 1500 - 500 + 3000

    seen: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(_count(settings))
        except BaseException as error:  # reported by the test thread
            errors.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not seen and reader.is_alive():
        time.sleep(0.001)
    summary = publish(settings)
    time.sleep(0.05)
    done.set()
    reader.join(timeout=10)
    assert not errors, errors
    assert (summary.withdrawn, summary.updated, summary.published) == (500, 500, 3000)
    assert len(seen) > 5, "the reader should have read while the publish ran"
    assert set(seen) <= {old, new}, sorted(set(seen) - {old, new})
    assert seen[0] == old and seen[-1] == new and _count(settings) == new
    assert seen == sorted(seen)  # once new, never old again


def test_a_crash_before_the_staff_side_records_the_publish_is_finished_by_the_next_run(
    settings: Settings, session: Session
) -> None:
    add_verified_rows(session, 300, batch="lot-1")
    publish(settings)
    ids = sorted(_public_ids(settings))
    # What a crash between step 2 (public transaction committed) and step 3 leaves.
    with get_engine(settings).begin() as connection:
        connection.execute(update(Publication).values(content_hash=None))
    again = publish(settings)
    assert again.published == 300 and again.unchanged == 0
    assert sorted(_public_ids(settings)) == ids  # same ids, no duplicates
    assert publish(settings).unchanged == 300  # and now the staff side knows


def test_a_crash_before_the_public_transaction_is_finished_by_the_next_run(
    settings: Settings, session: Session
) -> None:
    add_verified_rows(session, 200, batch="lot-1")
    publish(settings)
    ids = sorted(_public_ids(settings))
    # What a crash between step 1 (public ids chosen) and step 2 leaves: ids, nothing public.
    with public_engine(settings).begin() as connection:
        connection.execute(public_record.delete())
    with get_engine(settings).begin() as connection:
        connection.execute(update(Publication).values(content_hash=None, published_at=None))
    assert publish(settings).published == 200
    assert sorted(_public_ids(settings)) == ids
