"""The public lookup answers a person who knows their own name and birth date."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from lookup_api.app import create_app
from records.models import PublishedRecord, TableRow
from records.settings import Settings
from records.vntext import folded_key
from tests.factories import add_page


def _publish(session: Session, people: list[tuple[str, str, int]]) -> None:
    page = add_page(session, batch="b", file_name="s.pdf")
    for number, (name, birth, year) in enumerate(people, start=1):
        row = TableRow(page_id=page.id or 0, row_number=number)
        session.add(row)
        session.flush()
        session.add(
            PublishedRecord(
                row_id=row.id or 0,
                full_name=name,
                birth_date=birth,
                exam_year=year,
                level="PTTH",
                result="passed",
                name_key=folded_key(name),
            )
        )
    session.commit()


def test_search_ranks_exact_spelling_first(settings: Settings, session: Session) -> None:
    _publish(
        session,
        [
            ("Nguyễn Thị Thúy", "1970-03-12", 1988),
            ("Nguyễn Thị Thuỳ", "1970-03-12", 1988),
            ("Nguyễn Thị Thủy", "1970-03-12", 1988),
            ("Nguyễn Thị Thúy", "1971-01-01", 1989),
        ],
    )
    client = TestClient(create_app(settings))
    answer = client.get(
        "/api/v1/records", params={"full_name": "nguyễn thị thuý", "birth": "1970-03-12"}
    )
    assert answer.status_code == 200
    found = [(r["full_name"], r["match"]) for r in answer.json()["records"]]
    # thuý = thúy (only the mark's place differs); thuỳ and thủy are other names that fold alike;
    # the 1971 namesake is not returned.
    assert found == [
        ("Nguyễn Thị Thúy", "tone"),
        ("Nguyễn Thị Thuỳ", "folded"),
        ("Nguyễn Thị Thủy", "folded"),
    ]
    unaccented = client.get(
        "/api/v1/records", params={"full_name": "NGUYEN  THI THUY", "birth": "1970"}
    ).json()["records"]
    assert {r["match"] for r in unaccented} == {"folded"} and len(unaccented) == 3


def test_name_alone_is_not_enough(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    assert client.get("/api/v1/records", params={"full_name": "Lê Văn Tám"}).status_code == 422
    bad = client.get("/api/v1/records", params={"full_name": "Lê Văn Tám", "birth": "12/3/70"})
    assert bad.status_code == 422


def test_page_is_vietnamese_and_safe(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    page = client.get("/", params={"full_name": "Lê Văn Tám", "birth": "1970"})
    assert page.status_code == 200
    assert 'lang="vi"' in page.text and "Không tìm thấy" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    schema = client.get("/openapi.json").json()
    assert "/api/v1/records" in schema["paths"]
