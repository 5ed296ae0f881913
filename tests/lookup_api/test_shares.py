"""Verification for employers: the holder makes a code, the employer sees the record and its
status, the holder sees every use and revokes; all of it logged, none of it guessable."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session

from lookup_api import shares
from lookup_api.app import create_app
from publishing.publish import publish
from records.models import StaffUser
from records.public_db import processing_log, public_engine, share_code, share_use
from records.settings import Settings
from review import approval
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

NAME, BIRTH = "Nguyễn Thị Hoà", "1972-03-12"
EMPLOYER = "Công ty TNHH Ánh Dương"


def _client(settings: Settings) -> TestClient:
    publish(settings)
    return TestClient(create_app(settings))


def _public_id(client: TestClient) -> str:
    answer = client.post("/api/v1/search", json={"full_name": NAME, "birth": BIRTH}).json()
    public_id: str = answer["records"][0]["public_id"]
    return public_id


def _share(client: TestClient, **changes: Any) -> dict[str, Any]:
    body = {"public_id": _public_id(client), "birth": BIRTH, "for_whom": EMPLOYER, **changes}
    response = client.post("/api/v1/shares", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _log_kinds(settings: Settings) -> dict[str, int]:
    with public_engine(settings).connect() as connection:
        rows = connection.execute(
            select(processing_log.c.kind, func.count()).group_by(processing_log.c.kind)
        )
        return {kind: count for kind, count in rows}


def test_codes_are_random_readable_and_forgiving_to_type() -> None:
    codes = {shares.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12 and set(code) <= set(shares.ALPHABET)
    assert not set("01OILU") & set(shares.ALPHABET)
    code = next(iter(codes))
    shown = shares.grouped(code)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", shown)
    assert shares.normalize_code(f"  {shown.lower()} ") == code
    assert shares.normalize_code(shown.replace("-", " ")) == code
    assert shares.normalize_code("ABCD-EFGH-IJKL") is None  # I and L are never in a code
    assert shares.normalize_code("1 OR 1=1") is None


def test_holder_makes_a_code_only_by_proving_the_birth_date_again(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    public_id = _public_id(client)
    wrong = client.post(
        "/api/v1/shares",
        json={"public_id": public_id, "birth": "1972-03-13", "for_whom": EMPLOYER},
    )
    unknown = client.post(
        "/api/v1/shares",
        json={"public_id": "khong-co-ho-so-nay", "birth": BIRTH, "for_whom": EMPLOYER},
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()  # no oracle for public ids
    too_long = client.post(
        "/api/v1/shares",
        json={"public_id": public_id, "birth": BIRTH, "for_whom": EMPLOYER, "days": 91},
    )
    assert too_long.status_code == 422

    created = _share(client, days=7)
    code = created["code"]
    assert shares.normalize_code(code) is not None and code.count("-") == 2
    assert created["verify_url"] == f"http://127.0.0.1:8701/xac-minh?ma={code}"
    assert created["manage_token"] in created["manage_url"]
    assert created["qr_svg"].startswith("<svg") and "<script" not in created["qr_svg"]
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    with public_engine(settings).connect() as connection:
        stored = connection.execute(select(share_code)).one()
    assert stored.manage_hash == shares.manage_hash(created["manage_token"])
    assert created["manage_token"] not in str(tuple(stored))  # only its hash is kept
    assert _log_kinds(settings)["share"] == 3  # two refusals and one code, all logged

    default = _share(client)
    expires = datetime.fromisoformat(default["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)


def test_employer_sees_the_record_and_the_holder_sees_who(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    created = _share(client)
    code = created["code"]
    answer = client.post("/api/v1/verify", json={"code": code.lower(), "verifier": EMPLOYER})
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "valid" and body["status_text"] == "Còn hiệu lực"
    record = body["record"]
    assert record["full_name"] == NAME and record["birth_date"] == BIRTH
    assert record["result"] == "passed" and record["scores"]["math"] == "7"
    assert record["exam_year"] == 1990 and record["council"] == "Bà Rịa"
    assert "public_id" not in record and "id" not in record and "row_id" not in record

    unknown = client.post("/api/v1/verify", json={"code": "2345-6789-ABCD", "verifier": "X Y"})
    assert unknown.status_code == 404
    nameless = client.post("/api/v1/verify", json={"code": code, "verifier": ""})
    assert nameless.status_code == 422

    token = created["manage_token"]
    uses = client.get(f"/api/v1/shares/{code}/uses", headers={"X-Manage-Token": token})
    assert uses.status_code == 200
    listed = uses.json()
    assert [u["verifier"] for u in listed["uses"]] == [EMPLOYER]
    assert listed["status"] == "valid" and listed["for_whom"] == EMPLOYER
    assert "client_prefix" not in listed["uses"][0]  # the employer's network stays in the log
    for headers in ({}, {"X-Manage-Token": token[:-1] + ("A" if token[-1] != "A" else "B")}):
        refused = client.get(f"/api/v1/shares/{code}/uses", headers=headers)
        assert refused.status_code == 404
    other = client.get("/api/v1/shares/2345-6789-ABCD/uses", headers={"X-Manage-Token": token})
    assert other.status_code == 404 and other.json() == refused.json()
    kinds = _log_kinds(settings)
    assert kinds["verify"] == 2 and kinds["share"] >= 4  # the nameless one never ran

    with public_engine(settings).connect() as connection:
        use = connection.execute(select(share_use)).one()
    assert use.verifier == EMPLOYER and use.client_prefix == "unknown"  # TestClient's host


def test_expired_and_revoked_codes_show_no_record(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    expiring, revoking = _share(client), _share(client)
    with public_engine(settings).begin() as connection:
        connection.execute(
            update(share_code)
            .where(share_code.c.code == shares.normalize_code(expiring["code"]))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    expired = client.post("/api/v1/verify", json={"code": expiring["code"], "verifier": "A B"})
    assert expired.json()["status"] == "expired" and "record" not in expired.json()

    headers = {"X-Manage-Token": revoking["manage_token"]}
    wrong = client.delete(f"/api/v1/shares/{revoking['code']}", headers={"X-Manage-Token": "x"})
    assert wrong.status_code == 404
    still = client.post("/api/v1/verify", json={"code": revoking["code"], "verifier": "C D"})
    assert still.json()["status"] == "valid"
    revoked = client.delete(f"/api/v1/shares/{revoking['code']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert revoked.json()["revoked_at"] is not None
    after = client.post("/api/v1/verify", json={"code": revoking["code"], "verifier": "E F"})
    assert after.json()["status"] == "revoked" and "record" not in after.json()
    uses = client.get(f"/api/v1/shares/{revoking['code']}/uses", headers=headers).json()
    assert [u["verifier"] for u in uses["uses"]] == ["E F", "C D"]  # attempts after too


def test_a_withdrawn_record_is_no_longer_shown(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    staff: dict[str, StaffUser],  # noqa: F811
) -> None:
    client = _client(settings)
    created = {}
    for row in approved_page.rows[1:]:  # the two approved rows share name and birth date
        created[row.id] = _share(client)
    for row in approved_page.rows[1:]:
        session.refresh(row)
        approval.reopen(session, row.id or 0, row.version, staff["minh"], "Sai tên", frozenset())
    assert publish(settings).withdrawn == 2
    for share in created.values():
        answer = client.post("/api/v1/verify", json={"code": share["code"], "verifier": "G H"})
        assert answer.json()["status"] == "withdrawn" and "record" not in answer.json()
        assert answer.json()["status_text"] == "Hồ sơ không còn được công bố"


def test_portal_pages_from_search_to_revocation(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    found = client.post("/", data={"full_name": "Nguyen Thi Hoa", "birth": "12/03/1972"})
    assert "Tạo mã xác minh" in found.text and 'action="/chia-se"' in found.text
    public_id = re.findall(r'name="public_id" value="([^"]+)"', found.text)[0]
    assert 'name="birth" value="12/03/1972"' in found.text

    refused = client.post(
        "/chia-se", data={"public_id": public_id, "birth": "13/03/1972", "for_whom": EMPLOYER}
    )
    assert refused.status_code == 404 and "Không tìm thấy hồ sơ" in refused.text
    made = client.post(
        "/chia-se",
        data={"public_id": public_id, "birth": "12/03/1972", "for_whom": EMPLOYER, "days": "10"},
    )
    assert made.status_code == 200
    page = made.text
    code = re.findall(r'<p class="share-code">([A-Z0-9-]+)</p>', page)[0]
    assert "<svg" in page and "<style" not in page and "<script" not in page
    assert "Tải thư xác minh (PDF)" in page and "bản sao từ sổ gốc" in page
    manage = re.findall(r'href="http://127\.0\.0\.1:8701(/ma/[^"]+)"', page)[0]
    token = manage.split("khoa=")[1]

    form = client.get(f"/xac-minh?ma={code}")
    assert form.status_code == 200 and f'value="{code}"' in form.text
    shown = client.post("/xac-minh", data={"ma": code, "nguoi_xac_minh": EMPLOYER})
    assert "Còn hiệu lực" in shown.text and NAME in shown.text and "Đỗ tốt nghiệp" in shown.text
    wrong = client.post("/xac-minh", data={"ma": "2345-6789-ABCD", "nguoi_xac_minh": EMPLOYER})
    assert wrong.status_code == 404 and "không đúng" in wrong.text

    holder = client.get(manage)
    assert holder.status_code == 200 and EMPLOYER in holder.text
    assert holder.headers["cache-control"] == "no-store"  # it carries the management key
    assert "Các lượt xác minh" in holder.text and "Thu hồi mã" in holder.text
    stranger = client.get(f"/ma/{code}/quan-ly?khoa=sai")
    assert stranger.status_code == 404 and EMPLOYER not in stranger.text

    revoked = client.post(f"/ma/{code}/thu-hoi", data={"khoa": token})
    assert revoked.status_code == 200 and "Đã bị thu hồi" in revoked.text
    again = client.post("/xac-minh", data={"ma": code, "nguoi_xac_minh": EMPLOYER})
    assert "Đã bị thu hồi" in again.text and "Đỗ tốt nghiệp" not in again.text


def test_every_share_endpoint_passes_the_guard(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    publish(settings)
    from dataclasses import replace

    client = TestClient(create_app(replace(settings, lookup_client_rate=(1, 60.0))))
    assert client.post("/api/v1/verify", json={"code": "x", "verifier": "A B"}).status_code == 404
    for method, path in (
        ("POST", "/api/v1/verify"),
        ("POST", "/api/v1/shares"),
        ("GET", "/api/v1/shares/2345-6789-ABCD/uses"),
        ("DELETE", "/api/v1/shares/2345-6789-ABCD"),
        ("GET", "/api/v1/shares/2345-6789-ABCD/letter.pdf"),
        ("GET", "/api/v1/public-key"),
        ("GET", "/xac-minh"),
        ("POST", "/xac-minh"),
        ("POST", "/chia-se"),
        ("GET", "/ma/2345-6789-ABCD/quan-ly"),
        ("POST", "/ma/2345-6789-ABCD/thu-hoi"),
        ("POST", "/ma/2345-6789-ABCD/thu-xac-minh.pdf"),
    ):
        assert client.request(method, path).status_code == 429, path


def test_codes_past_their_retention_go_with_their_uses(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    old_expired, old_revoked, recent, live = (_share(client) for _ in range(4))
    now = datetime.now(UTC)
    ended = {
        old_expired["code"]: {"expires_at": now - timedelta(days=400)},
        old_revoked["code"]: {"revoked_at": now - timedelta(days=366)},
        recent["code"]: {"expires_at": now - timedelta(days=10)},
    }
    for shown in (old_expired, old_revoked, recent, live):
        verified = client.post("/api/v1/verify", json={"code": shown["code"], "verifier": "A B"})
        assert verified.status_code == 200
    with public_engine(settings).begin() as connection:
        for code, values in ended.items():
            connection.execute(
                update(share_code)
                .where(share_code.c.code == shares.normalize_code(code))
                .values(**values)
            )
        assert shares.purge(connection, settings.share_retention_days) == 2
    with public_engine(settings).connect() as connection:
        codes = set(connection.execute(select(share_code.c.code)).scalars())
        used = set(connection.execute(select(share_use.c.code)).scalars())
    kept = {shares.normalize_code(c["code"]) for c in (recent, live)}
    assert codes == used == kept
