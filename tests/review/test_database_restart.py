"""The review app while its database restarts: a clear 503 in Vietnamese (never a 500
traceback), the next request after the restart works (pool_pre_ping), and a field decision
caught by the restart is not half-applied: the field, its version and the audit entry change
together or not at all.

On a PostgreSQL cluster of the test's own (tests/throwaway_postgres.py): stopping the shared
one would break the tests running beside this one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from records.db import engine_for, migrate
from records.models import StaffUser
from records.settings import Settings, load_settings
from records.vocabulary import Role
from review.accounts import hash_password
from review.app import create_app
from tests.review.conftest import PASSWORD, ReviewPage, add_review_page, login
from tests.throwaway_postgres import Cluster, throwaway_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DOWN = "Cơ sở dữ liệu tạm thời không truy cập được"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as made:
        yield made


@pytest.fixture
def pg_settings(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = load_settings(
        {
            "BANGDIEM_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "DATABASE_URL": cluster.schema_url(cluster.new_schema()),
        }
    )
    migrate(settings)
    yield settings
    engine_for(settings.database_url).dispose()


@pytest.fixture
def page(pg_settings: Settings) -> ReviewPage:
    with Session(engine_for(pg_settings.database_url), expire_on_commit=False) as session:
        session.add(
            StaffUser(
                username="ha",
                full_name="Cán bộ ha",
                role=Role.REVIEWER,
                password_hash=hash_password(PASSWORD),
            )
        )
        session.commit()
        return add_review_page(session, pg_settings)


def _field_state(cluster: Cluster, url: str, field_id: int) -> tuple[object, ...]:
    """(value, version, row version, audit entries) of the field, read afresh."""
    [state] = cluster.execute(
        "SELECT f.value, f.version, r.version, (SELECT count(*) FROM audit_entry a "
        f"WHERE a.entity = 'row_field' AND a.entity_id = {field_id}) "
        f"FROM row_field f JOIN table_row r ON r.id = f.row_id WHERE f.id = {field_id}",
        url,
    )
    return state


def _total_field(cluster: Cluster, url: str, page: ReviewPage) -> int:
    [(field_id,)] = cluster.execute(
        f"SELECT id FROM row_field WHERE row_id = {page.rows[0].id} AND name = 'total'", url
    )
    return int(str(field_id))


def test_requests_while_the_database_is_down_get_503_then_work_again(
    cluster: Cluster, pg_settings: Settings, page: ReviewPage
) -> None:
    url = pg_settings.database_url
    client = TestClient(create_app(pg_settings))  # a 500 would raise here, failing the test
    token = login(client, "ha")
    field_id = _total_field(cluster, url, page)
    assert client.get("/").status_code == 200
    cluster.stop()
    try:
        html = client.get("/")
        assert html.status_code == 503 and DOWN in html.text
        assert html.headers["retry-after"] == "30"
        api = client.get(f"/api/rows/{page.rows[0].id}")
        assert api.status_code == 503 and DOWN in api.json()["detail"]
        decision = client.post(
            f"/api/fields/{field_id}",
            json={"version": 1, "value": "50,5"},
            headers={"X-CSRF-Token": token},
        )
        assert decision.status_code == 503 and "chưa được lưu" in decision.json()["detail"]
    finally:
        cluster.start()
    assert client.get("/").status_code == 200  # the same signed-in session, a new connection
    assert _field_state(cluster, url, field_id) == ("56.5", 1, 1, 0)
    _decision_goes_through(client, token, cluster, url, field_id)


def _decision_goes_through(
    client: TestClient, token: str, cluster: Cluster, url: str, field_id: int
) -> None:
    """The next decision on the field, after the restart, is saved as usual."""
    again = client.post(
        f"/api/fields/{field_id}",
        json={"version": 1, "value": "50,5"},
        headers={"X-CSRF-Token": token},
    )
    assert again.status_code == 200, again.text
    assert _field_state(cluster, url, field_id) == ("50.5", 2, 2, 1)


def test_a_decision_cut_by_a_restart_is_not_half_applied(
    cluster: Cluster, pg_settings: Settings, page: ReviewPage
) -> None:
    """The decision's UPDATE of the field has run when the server goes away: its transaction
    dies with the server, so neither the field nor its version nor an audit entry changed."""
    url = pg_settings.database_url
    client = TestClient(create_app(pg_settings))
    token = login(client, "ha")
    field_id = _total_field(cluster, url, page)
    row_id = page.rows[0].id
    # Hold the row's lock: the decision updates the field, then waits to bump the row.
    blocker = create_engine(url, poolclass=NullPool).connect()
    blocker.execute(text(f"SELECT 1 FROM table_row WHERE id = {row_id} FOR UPDATE"))
    answers: list[int | str] = []

    def decide() -> None:
        try:
            response = client.post(
                f"/api/fields/{field_id}",
                json={"version": 1, "value": "50,5"},
                headers={"X-CSRF-Token": token},
            )
            answers.append(response.status_code)
            answers.append(response.json()["detail"])
        except Exception as error:
            answers.append(repr(error))

    worker = threading.Thread(target=decide)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while not cluster.execute(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE table_row%'"
        ):
            assert time.monotonic() < deadline, "the decision never reached the row update"
            time.sleep(0.05)
        cluster.restart()  # fast: every backend ends, the decision's transaction with it
    finally:
        worker.join(timeout=60)
        blocker.invalidate()
        blocker.close()
    assert answers[:1] == [503], answers
    assert DOWN in str(answers[1])
    assert _field_state(cluster, url, field_id) == ("56.5", 1, 1, 0)  # all or nothing
    _decision_goes_through(client, token, cluster, url, field_id)
