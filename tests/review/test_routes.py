"""The review app over HTTP: sign-in, roles and CSRF on every route, crops, audit export."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from records.models import AuditEntry, StaffSession, StaffUser
from records.settings import Settings
from review import routes_rows, routes_staff, web_sessions
from review.app import create_app
from review.routes_staff import ClientThrottle
from tests.review.conftest import PASSWORD, ReviewPage, login

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _routes() -> list[APIRoute]:
    routes = [*routes_rows.router.routes, *routes_staff.router.routes]
    assert len(routes) > 20  # the enumeration below must not silently test nothing
    return [r for r in routes if isinstance(r, APIRoute)]


def _concrete(path: str) -> str:
    return (
        path.replace("{batch_id}", "1")
        .replace("{row_id}", "1")
        .replace("{page_id}", "1")
        .replace("{field_id}", "1")
        .replace("{username}", "ha")
    )


@pytest.mark.parametrize(
    "route",
    [r for r in _routes() if r.path not in ("/login",)],
    ids=lambda r: f"{sorted(r.methods)[0]} {r.path}",
)
def test_every_route_needs_a_signed_in_user(
    route: APIRoute, client: TestClient, review_page: ReviewPage
) -> None:
    method = sorted(route.methods or {"GET"})[0]
    response = client.request(method, _concrete(route.path), follow_redirects=False)
    if method == "GET" and not route.path.startswith("/api/"):
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 401


@pytest.mark.parametrize(
    "route",
    [r for r in _routes() if (r.methods or set()) & UNSAFE and r.path != "/login"],
    ids=lambda r: r.path,
)
def test_every_state_change_needs_the_csrf_token(
    route: APIRoute, client: TestClient, review_page: ReviewPage, session: Session
) -> None:
    login(client, "lan")
    before = len(session.exec(select(AuditEntry)).all())
    for headers in ({}, {"X-CSRF-Token": "sai"}):
        response = client.post(
            _concrete(route.path), data={"version": "1"}, headers=headers, follow_redirects=False
        )
        assert response.status_code == 403, route.path
        assert "CSRF" in response.text
    assert len(session.exec(select(AuditEntry)).all()) == before


@pytest.mark.parametrize(
    ("user", "method", "path", "allowed"),
    [
        ("ha", "POST", "/rows/2/approve", False),  # reviewer cannot approve
        ("op", "POST", "/api/fields/1", False),  # operator cannot correct
        ("quantri", "POST", "/api/fields/1", False),  # admin manages users, not records
        ("ha", "POST", "/batches/1/rerun", False),
        ("ha", "GET", "/users", False),
        ("lan", "POST", "/users", False),
        ("op", "POST", "/batches/1/rerun", True),
        ("quantri", "GET", "/users", True),
        ("lan", "POST", "/rows/2/approve", True),
    ],
)
def test_roles(
    user: str,
    method: str,
    path: str,
    allowed: bool,
    client: TestClient,
    review_page: ReviewPage,
) -> None:
    token = login(client, user)
    body = {"version": 1, "value": "7"} if path.startswith("/api/") else None
    form = {
        "csrf_token": token,
        "version": "1",
        "username": "x",
        "full_name": "x",
        "role": "reviewer",
        "password": PASSWORD,
    }
    response = client.request(
        method,
        path,
        headers={"X-CSRF-Token": token} if body else {},
        json=body,
        data=None if body or method == "GET" else form,
        follow_redirects=False,
    )
    if allowed:
        assert response.status_code in (200, 303), response.text
    else:
        assert response.status_code == 403
        assert "Vai trò của bạn không được phép" in response.text


def test_session_cookie_is_httponly_and_strict(
    client: TestClient, staff: dict[str, StaffUser], session: Session
) -> None:
    response = client.post(
        "/login", data={"username": "ha", "password": PASSWORD}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    stored = session.exec(select(StaffSession)).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64  # only a hash is kept


def test_cookie_is_secure_over_https(settings: Settings, staff: dict[str, StaffUser]) -> None:
    client = TestClient(create_app(settings), base_url="https://review.example")
    response = client.post(
        "/login", data={"username": "ha", "password": PASSWORD}, follow_redirects=False
    )
    assert "Secure" in response.headers["set-cookie"]
    assert "max-age=31536000" in client.get("/login").headers["strict-transport-security"]


def test_logout_and_disabling_end_the_session(
    client: TestClient, staff: dict[str, StaffUser], session: Session
) -> None:
    token = login(client, "ha")
    assert client.get("/", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303
    login(client, "ha")
    from review.accounts import set_active

    set_active(session, "ha", False, actor="quantri")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_is_answered_in_vietnamese_and_throttled_per_client(
    settings: Settings, staff: dict[str, StaffUser]
) -> None:
    app = create_app(settings)
    app.state.login_throttle = ClientThrottle(limit=3)
    client = TestClient(app)
    for name in ("a", "b", "c"):  # different names: the per-account lock does not apply
        response = client.post("/login", data={"username": name, "password": "sai-mat-khau"})
        assert response.status_code == 401 and "không đúng" in response.text
    response = client.post("/login", data={"username": "ha", "password": PASSWORD})
    assert response.status_code == 429 and "Quá nhiều lần" in response.text


def test_login_does_not_redirect_off_site(client: TestClient, staff: dict[str, StaffUser]) -> None:
    response = client.post(
        "/login",
        data={"username": "ha", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_row_page_shows_crops_suggestion_and_checks(
    client: TestClient, review_page: ReviewPage
) -> None:
    login(client, "ha")
    page = client.get(f"/rows/{review_page.rows[0].id}")
    assert page.status_code == 200
    assert "Gợi ý: 50,5" in page.text and 'value="50,5"' in page.text  # one Enter accepts it
    assert "Tổng không khớp" in page.text
    assert f"/images/rows/{review_page.rows[0].id}.png" in page.text
    # Cells are cut from the one row strip (an SVG viewBox), not fetched one by one.
    assert 'viewBox="588 0 84 52"' in page.text  # the total: 11th column, 60 px wide
    crop = client.get("/images/fields/1.png")
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    assert client.get(f"/images/pages/{review_page.page.id}.png").status_code == 200
    assert client.get(f"/pages/{review_page.page.id}").status_code == 200


def test_live_checks_follow_typed_values(client: TestClient, review_page: ReviewPage) -> None:
    token = login(client, "ha")
    row = review_page.rows[0].id
    result = client.post(
        f"/api/rows/{row}/checks",
        json={"values": {"total": "50,5"}},
        headers={"X-CSRF-Token": token},
    ).json()
    assert result["passed"] is True
    result = client.post(
        f"/api/rows/{row}/checks",
        json={"values": {"total": "abc"}},
        headers={"X-CSRF-Token": token},
    ).json()
    assert result["passed"] is False and "không phải là điểm" in result["invalid"]["total"]


def test_field_api_conflict_and_audit_export(
    client: TestClient, review_page: ReviewPage, session: Session
) -> None:
    token = login(client, "ha")
    field = review_page.field(session, 0, "total")
    headers = {"X-CSRF-Token": token}
    ok = client.post(
        f"/api/fields/{field.id}", json={"version": 1, "value": "50,5"}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["row"]["passed"] is True
    stale = client.post(
        f"/api/fields/{field.id}", json={"version": 1, "value": "51"}, headers=headers
    )
    assert stale.status_code == 409 and "vừa thay đổi" in stale.json()["detail"]
    bad = client.post(f"/api/fields/{field.id}", json={"version": 2, "value": "x"}, headers=headers)
    assert bad.status_code == 422 and "không phải là điểm" in bad.json()["detail"]
    exported = client.get(f"/rows/{review_page.rows[0].id}/audit.csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["thời điểm", "người", "hành động"]
    assert rows[1][1:3] == ["ha", "field.correct"] and rows[1][6:9] == ["56.5", "50.5", "56.5"]
    batch_csv = client.get("/batches/1/audit.csv").text
    assert "field.correct" in batch_csv


def test_queue_redirects_to_a_row_then_to_the_dashboard_when_done(
    client: TestClient, review_page: ReviewPage, session: Session
) -> None:
    token = login(client, "lan")
    first = client.get("/batches/1/queue", follow_redirects=False)
    assert first.headers["location"] == f"/rows/{review_page.rows[0].id}?queue=1"
    field = review_page.field(session, 0, "total")
    client.post(
        f"/api/fields/{field.id}",
        json={"version": 1, "value": "50,5"},
        headers={"X-CSRF-Token": token},
    )
    approved = client.post(
        f"/rows/{review_page.rows[0].id}/approve",
        data={"csrf_token": token, "version": "2", "queue": "1"},
        follow_redirects=False,
    )
    assert approved.headers["location"].startswith("/batches/1/queue")
    done = client.get(approved.headers["location"], follow_redirects=False)
    assert done.headers["location"] == "/?done=1"


def test_users_can_be_added_and_disabled_by_an_admin(
    client: TestClient, staff: dict[str, StaffUser], session: Session
) -> None:
    token = login(client, "quantri")
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "moi",
            "full_name": "Người mới",
            "role": "reviewer",
            "password": "ngan",
        },
    )
    assert response.status_code == 400 and "ít nhất 10" in response.text
    client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "moi",
            "full_name": "Người mới",
            "role": "reviewer",
            "password": PASSWORD,
        },
    )
    client.post("/users/moi/active", data={"csrf_token": token, "active": "false"})
    user = session.exec(select(StaffUser).where(StaffUser.username == "moi")).one()
    session.refresh(user)
    assert user.active is False


def test_cookie_name_is_the_sessions_module_one() -> None:
    assert web_sessions.COOKIE_NAME == "bangdiem_phien"
