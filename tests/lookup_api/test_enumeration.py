"""Harvesting the public lookup must fail (DOMAIN.md §4: a public score service was scraped
wholesale through guessable keys; sequential keys plus a CAPTCHA are not enough).

What a crawler would try, each against the real app on a real read model: fragments and
wildcards instead of a name, a name or a date alone, a birth year with a misspelt name,
guessing record ids or walking staff ids, a query vague enough to return a crowd, a burst of
requests from one network or from many, and skipping the CAPTCHA.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from lookup_api.app import NOT_FOUND, create_app
from publishing.publish import publish
from records.models import Publication
from records.settings import Settings
from tests.lookup_api import captcha_for_tests
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.publishing.test_atomic import add_verified_rows
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

# The read model is a SQLite file whatever the staff database (publishing from PostgreSQL is
# tested in tests/publishing), so the lookup side runs once.
pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

NAME, BIRTH = "Nguyễn Thị Hoà", "1972-03-12"  # rows 2 and 3 of the approved page
NOBODY = {"full_name": "Trần Văn Không", "birth": "1950-01-01"}
CLIENT = ("203.0.113.5", 50000)
TOO_MANY_REQUESTS = "Quá nhiều yêu cầu"
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")


def _client(settings: Settings, address: tuple[str, int] = CLIENT) -> TestClient:
    return TestClient(create_app(settings), client=address)


def _search(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/search", json=body)


@pytest.fixture
def published(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> Settings:
    """Settings of a read model holding the approved page, with rate limits out of the way."""
    publish(settings)
    return replace(settings, lookup_client_rate=(10**6, 1.0), lookup_global_rate=(10**6, 1.0))


FRAGMENTS = ("Nguyễn", "Hoà", "Ng%", "*", "%", "Nguyễn Thị _", "Nguyễn Thị %", "Ng* Thị Hoà")


def test_fragments_and_wildcards_are_refused(published: Settings) -> None:
    client = _client(published)
    for full_name in FRAGMENTS:
        answer = _search(client, full_name=full_name, birth=BIRTH)
        assert answer.status_code == 422 and "records" not in answer.json(), full_name
        page = client.post("/", data={"full_name": full_name, "birth": BIRTH})
        assert page.status_code == 422 and "Hội đồng thi" not in page.text, full_name


def test_a_name_prefix_finds_nothing(published: Settings) -> None:
    client = _client(published)
    for prefix in ("Nguyễn Thị", "Nguyen Thi", "Thị Hoà"):
        answer = _search(client, full_name=prefix, birth=BIRTH)
        assert answer.json() == {"records": [], "message": NOT_FOUND}, prefix


def test_a_name_alone_or_a_date_alone_is_refused(published: Settings) -> None:
    client = _client(published)
    for body in (
        {"full_name": NAME},
        {"full_name": NAME, "birth": ""},
        {"full_name": NAME, "birth": "  "},
        {"full_name": NAME, "birth": "%"},
        {"full_name": NAME, "birth": "1972-03"},
        {"full_name": NAME, "birth": "19"},
        {"birth": BIRTH},
        {"full_name": "", "birth": BIRTH},
        {"full_name": "  ", "birth": BIRTH},
        {"exam_year": 1990},
    ):
        answer = _search(client, **body)
        assert answer.status_code == 422, body
        assert "records" not in answer.json(), body
    assert client.post("/", data={"full_name": NAME}).status_code == 422
    assert client.post("/", data={"birth": BIRTH}).status_code == 422


def test_a_birth_year_allows_no_misspelling(published: Settings) -> None:
    client = _client(published)
    one_slip = {"full_name": "Nguyen Thi Hoan", "birth": "1972"}
    assert _search(client, **one_slip).json() == {"records": [], "message": NOT_FOUND}
    # ... while the full date does (one slip is a typo, not a sweep) and so does the exact name.
    assert len(_search(client, full_name="Nguyen Thi Hoan", birth=BIRTH).json()["records"]) == 2
    assert len(_search(client, full_name="Nguyen Thi Hoa", birth="1972").json()["records"]) == 2
    wrong_year = _search(client, full_name=NAME, birth="1973")
    assert wrong_year.json()["records"] == []


def test_public_ids_are_random_and_no_endpoint_takes_a_staff_id(
    published: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    add_verified_rows(session, 200, batch="lot-ids")
    publish(published)
    session.expire_all()
    ordered = list(
        session.exec(
            select(Publication.row_id, Publication.public_id).order_by(Publication.row_id)  # type: ignore[call-overload]
        )
    )
    ids = [str(public_id) for _, public_id in ordered]
    staff_ids = {str(row_id) for row_id, _ in ordered}
    assert len(ids) == 202 and len(set(ids)) == len(ids)
    assert all(PUBLIC_ID.match(i) for i in ids) and not set(ids) & staff_ids
    assert ids not in (sorted(ids), sorted(ids, reverse=True))  # not increasing with the rows
    # Random: neighbours in sorted order share only a short prefix, first characters vary.
    neighbours = sorted(ids)
    prefixes = [os.path.commonprefix([a, b]) for a, b in itertools.pairwise(neighbours)]  # noqa: RUF071
    shared = max(len(p) for p in prefixes)
    assert shared <= 5
    assert len({i[0] for i in ids}) >= 30
    increments = {
        int.from_bytes(b.encode()) - int.from_bytes(a.encode()) for a, b in itertools.pairwise(ids)
    }
    assert len(increments) == len(ids) - 1  # no constant step between consecutive rows

    # Nothing in the public API is keyed by a staff id: no parameter or body field names one,
    # and a staff id put wherever the API takes a path parameter finds no record.
    client = _client(published)
    spec = client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            if ref:
                component = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                names |= {n.lower() for n in component.get("properties", {})}
            staffish = {"id", "row_id", "row", "page_id", "page", "sheet_id", "field_id"}
            assert not names & staffish, (method, path, names & staffish)
            for row_id in sorted(staff_ids, key=int)[:5]:
                url = re.sub(r"\{[^}]+\}", row_id, path)
                if url != path and method == "get":
                    answer = client.get(url)
                    assert answer.status_code in (404, 422), (url, answer.status_code)
                    assert "Hoà" not in answer.text and "Hội đồng thi" not in answer.text


def _identical_people(session: Session, count: int, batch: str) -> None:
    add_verified_rows(session, count, batch=batch, people=[(NAME, BIRTH)] * count)


def test_too_many_matches_answer_exactly_like_none(published: Settings, session: Session) -> None:
    cap = published.lookup_max_results
    assert cap == 3
    _identical_people(session, cap - 2, "lot-a")  # the approved page holds 2 already
    publish(published)
    client = _client(published)
    assert len(_search(client, full_name=NAME, birth=BIRTH).json()["records"]) == cap

    _identical_people(session, 1, "lot-b")  # one more than the cap
    publish(published)
    client = _client(published)
    nobody = _search(client, **NOBODY)
    for body in (
        {"full_name": NAME, "birth": BIRTH},
        {"full_name": "nguyen thi hoa", "birth": "12/03/1972"},
        {"full_name": NAME, "birth": "1972"},
        {"full_name": NAME, "birth": BIRTH, "exam_year": 1990},
    ):
        crowd = _search(client, **body)
        assert crowd.status_code == nobody.status_code == 200
        assert crowd.content == nobody.content, body  # byte for byte
        assert crowd.json() == {"records": [], "message": NOT_FOUND}
        assert sorted(crowd.headers.keys()) == sorted(nobody.headers.keys())
    # The portal too: the results section of a crowd is that of nobody.
    section = re.compile(r'<section aria-live="polite" id="results">.*?</section>', re.S)
    crowd_page = client.post("/", data={"full_name": NAME, "birth": "12/03/1972"})
    nobody_page = client.post("/", data=NOBODY)
    assert crowd_page.status_code == nobody_page.status_code == 200
    crowd_section, nobody_section = (
        section.search(crowd_page.text),
        section.search(nobody_page.text),
    )
    assert crowd_section and nobody_section
    assert crowd_section.group(0) == nobody_section.group(0)
    assert "Hội đồng thi" not in crowd_page.text


def _is_too_many_requests(answer: Any, window: float) -> None:
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= window + 1
    assert TOO_MANY_REQUESTS in answer.text


def test_a_burst_from_one_network_is_stopped(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    publish(settings)
    count, window = settings.lookup_client_rate
    assert (count, window) == (20, 60.0)  # the default
    app = create_app(settings)
    crawler = TestClient(app, client=CLIENT)
    for number in range(count):
        # Refused queries count too: probing with fragments is probing.
        body = {"full_name": "Nguyễn", "birth": BIRTH} if number % 2 else NOBODY
        assert _search(crawler, **body).status_code in (200, 422)
    refused = _search(crawler, full_name=NAME, birth=BIRTH)
    _is_too_many_requests(refused, window)
    assert refused.json() == {"detail": "Quá nhiều yêu cầu. Hãy thử lại sau ít phút."}
    # The whole /24 is one client; the portal form is limited alike.
    neighbour = TestClient(app, client=("203.0.113.200", 40000))
    _is_too_many_requests(_search(neighbour, full_name=NAME, birth=BIRTH), window)
    page = neighbour.post("/", data={"full_name": NAME, "birth": "12/03/1972"})
    _is_too_many_requests(page, window)
    assert "Hội đồng thi" not in page.text
    # Another network is served.
    other = TestClient(app, client=("198.51.100.7", 40000))
    assert len(_search(other, full_name=NAME, birth=BIRTH).json()["records"]) == 2


def test_ipv6_clients_are_limited_per_48(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    app = create_app(replace(settings, lookup_client_rate=(3, 60.0)))
    for number in range(3):
        host = f"2001:db8:1:{number}::{number + 1}"
        assert _search(TestClient(app, client=(host, 1)), **NOBODY).status_code == 200
    _is_too_many_requests(_search(TestClient(app, client=("2001:db8:1:ffff::9", 1)), **NOBODY), 60)
    assert _search(TestClient(app, client=("2001:db8:2::1", 1)), **NOBODY).status_code == 200


def test_the_global_limit_stops_a_crawler_spread_over_networks(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    app = create_app(replace(settings, lookup_global_rate=(5, 60.0)))
    for number in range(5):
        client = TestClient(app, client=(f"198.51.{number}.7", 1))
        assert _search(client, **NOBODY).status_code == 200
    _is_too_many_requests(_search(TestClient(app, client=("192.0.2.1", 1)), **NOBODY), 60)


@pytest.fixture
def captcha(published: Settings) -> TestClient:
    captcha_for_tests.CALLS.clear()
    return _client(replace(published, captcha_verifier=captcha_for_tests.SPEC))


def test_the_captcha_hook_refuses_missing_and_wrong_tokens_on_the_api(captcha: TestClient) -> None:
    query = {"full_name": NAME, "birth": BIRTH}
    for extra, headers in (
        ({}, {}),
        ({"captcha_token": ""}, {}),
        ({"captcha_token": "sai"}, {}),
        ({}, {"X-Captcha-Token": "sai"}),
    ):
        refused = captcha.post("/api/v1/search", json=query | extra, headers=headers)
        assert refused.status_code == 403, (extra, headers)
        assert "CAPTCHA" in refused.json()["detail"] and "records" not in refused.json()
    token = captcha_for_tests.TOKEN
    in_body = captcha.post("/api/v1/search", json=query | {"captcha_token": token})
    assert in_body.status_code == 200 and len(in_body.json()["records"]) == 2
    in_header = captcha.post("/api/v1/search", json=query, headers={"X-Captcha-Token": token})
    assert in_header.status_code == 200 and len(in_header.json()["records"]) == 2
    assert (token, CLIENT[0]) in captcha_for_tests.CALLS  # the verifier learns the client


def test_the_captcha_hook_guards_the_portal_form(captcha: TestClient) -> None:
    form = {"full_name": "Nguyen Thi Hoa", "birth": "12/03/1972"}
    for token in (None, "", "sai"):
        data = form if token is None else form | {"captcha_token": token}
        refused = captcha.post("/", data=data)
        assert refused.status_code == 403 and "CAPTCHA" in refused.text
        assert "Đỗ tốt nghiệp" not in refused.text
    passed = captcha.post("/", data=form | {"captcha_token": captcha_for_tests.TOKEN})
    assert passed.status_code == 200 and "Đỗ tốt nghiệp" in passed.text


def test_a_refused_network_does_not_use_up_everyone_s_allowance(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    """A crawler already over its own limit keeps hammering: that must not lock out others."""
    app = create_app(replace(settings, lookup_client_rate=(2, 60.0), lookup_global_rate=(10, 60.0)))
    crawler = TestClient(app, client=CLIENT)
    statuses = [_search(crawler, **NOBODY).status_code for _ in range(30)]
    assert statuses == [200, 200] + [429] * 28
    citizen = TestClient(app, client=("198.51.100.7", 40000))
    assert _search(citizen, **NOBODY).status_code == 200
