"""The public lookup answers a person who knows their own name and birth date, and no one else."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from lookup_api.app import NOT_FOUND, create_app
from publishing.publish import publish
from records.settings import Settings
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401


def _client(settings: Settings) -> TestClient:
    publish(settings)
    return TestClient(create_app(settings))


def test_found_by_name_and_birth_date_in_any_spelling(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    for name, birth, match in (
        ("Nguyễn Thị Hoà", "1972-03-12", "exact"),
        ("nguyễn thị hòa", "12/03/1972", "tone"),
        ("NGUYEN THI HOA", "12/3/1972", "folded"),
        ("Nguyen Thi Hoan", "1972-03-12", "fuzzy"),
        ("Nguyễn Thị Hoà", "1972", "exact"),
    ):
        answer = client.post("/api/v1/search", json={"full_name": name, "birth": birth}).json()
        assert [r["match"] for r in answer["records"]] == [match, match], name
        record = answer["records"][0]
        assert record["result"] == "passed" and record["scores"]["literature"] == "6"
        assert "row_id" not in record and "id" not in record


def test_wrong_birth_date_finds_nothing(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    answer = client.post(
        "/api/v1/search", json={"full_name": "Nguyễn Thị Hoà", "birth": "1972-03-13"}
    )
    assert answer.json() == {"records": [], "message": NOT_FOUND}


def test_portal_page_is_vietnamese_and_uses_no_external_assets(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    page = client.get("/")
    assert page.status_code == 200 and "Tra cứu kết quả thi tốt nghiệp" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    assert "<style" not in page.text  # the CSP forbids inline styles; they would be ignored
    found = client.post("/", data={"full_name": "Nguyen Thi Hoa", "birth": "12/03/1972"})
    assert "Đỗ tốt nghiệp" in found.text and "Ngày sinh" in found.text
    refused = client.post("/", data={"full_name": "Nguyễn", "birth": "12/03/1972"})
    assert refused.status_code == 422 and "đầy đủ họ và tên" in refused.text
