"""Publishing: only verified records, only the fields shown, incremental, withdrawals."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from publishing.publish import publish
from records.models import Publication, StaffUser
from records.public_db import public_engine, public_record
from records.settings import Settings
from review import approval
from tests.review.conftest import ReviewPage


def _public(settings: Settings) -> list[dict[str, object]]:
    with public_engine(settings).connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(public_record))]


def test_only_verified_rows_are_published_with_random_ids(
    settings: Settings, session: Session, approved_page: ReviewPage
) -> None:
    summary = publish(settings)
    assert (summary.published, summary.withdrawn) == (2, 0)
    records = _public(settings)
    assert len(records) == 2  # row 1 (its total misread) is not verified
    ids = {r["public_id"] for r in records}
    staff_ids = {str(row.id) for row in approved_page.rows}
    assert not ids & staff_ids and all(len(str(i)) == 16 for i in ids)
    record = records[0]
    assert record["full_name"] == "Nguyễn Thị Hoà" and record["folded_key"] == "nguyen thi hoa"
    assert record["exam_year"] == 1990 and record["council"] == "Bà Rịa"
    assert json.loads(str(record["scores_json"]))["math"] == "7"


def test_republishing_sends_only_changes_and_withdraws_reopened_rows(
    settings: Settings, session: Session, approved_page: ReviewPage, staff: dict[str, StaffUser]
) -> None:
    publish(settings)
    first_ids = {r["public_id"] for r in _public(settings)}
    again = publish(settings)
    assert (again.published, again.updated, again.unchanged) == (0, 0, 2)
    row = approved_page.rows[1]
    session.refresh(row)
    reopened = approval.reopen(
        session, row.id or 0, row.version, staff["minh"], "Sai ngày sinh", frozenset()
    )
    assert publish(settings).withdrawn == 1
    assert len(_public(settings)) == 1
    approval.approve(session, row.id or 0, reopened.row.version, staff["lan"], frozenset())
    assert publish(settings).published == 1
    assert {r["public_id"] for r in _public(settings)} == first_ids  # the same public id again
    publication = session.get(Publication, 1)
    assert publication is not None and publication.withdrawn_at is None


def test_hidden_fields_are_not_even_copied(
    settings: Settings, session: Session, approved_page: ReviewPage
) -> None:
    publish(replace(settings, public_fields=frozenset({"exam_year", "result"})))
    record = _public(settings)[0]
    assert record["result"] == "passed" and record["exam_year"] == 1990
    assert record["scores_json"] is None and record["total"] is None
    assert record["council"] is None and record["ranking"] is None


def test_reopening_in_the_review_app_withdraws_the_record_at_once(
    settings: Settings, session: Session, approved_page: ReviewPage
) -> None:
    from fastapi.testclient import TestClient

    from review.app import create_app
    from tests.review.conftest import login

    publish(settings)
    row = approved_page.rows[1]
    session.refresh(row)
    client = TestClient(create_app(settings))
    token = login(client, "minh")
    response = client.post(
        f"/rows/{row.id}/reopen",
        data={"csrf_token": token, "version": str(row.version), "reason": "Sai ngày sinh"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert len(_public(settings)) == 1  # without waiting for the next publish
    again = publish(settings)
    assert (again.withdrawn, again.unchanged) == (0, 1)
