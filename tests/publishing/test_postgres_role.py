"""PostgreSQL: the lookup service's role reads published records and writes only its logs.

The read model lives in a schema of its own; ``grant_lookup_role`` (``bangdiem publish
--grant-role``) gives the service's role SELECT on records and the few writes it needs.  Connected
as that role: records are readable, not writable; staff tables are out of reach; the lookup
app answers a search and logs it.  The role and both schemas are throwaway, removed at the end.

Creating a role needs CREATEROLE for the test server's user (tools/postgres-test-server.sh).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlmodel import Session
from typer.testing import CliRunner

from bangdiem.cli import app as cli
from lookup_api.app import create_app
from publishing.publish import publish
from records.db import engine_for
from records.public_db import grant_lookup_role, public_engine
from records.settings import Settings
from tests.conftest import POSTGRES_URL, postgres_unavailable
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("settings", ["postgresql"], indirect=True),
]


@dataclass
class LookupRole:
    name: str
    schema: str
    url: str  # connects as the role, with the read model's schema on the search path
    admin_url: str  # the read model's schema, as the test server's user


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def lookup_role(settings: Settings) -> Iterator[LookupRole]:
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base)
    suffix = uuid.uuid4().hex[:12]
    schema, role, password = f"lookup_{suffix}", f"lookup_role_{suffix}", secrets.token_hex(16)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
    except ProgrammingError as error:
        admin.dispose()
        message = (
            "the test server's user cannot create roles: give it CREATEROLE "
            f"(tools/postgres-test-server.sh) — {error.orig}"
        )
        postgres_unavailable(message)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url.set(username=role, password=password).render_as_string(hide_password=False)
    found = LookupRole(
        role, schema, _with_search_path(url, schema), _with_search_path(base, schema)
    )
    try:
        yield found
    finally:
        for used in (found.url, found.admin_url):
            engine_for(used).dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def _denied(engine: Engine, statement: str) -> str:
    """The error of ``statement`` run as the role (it must fail for lack of privilege)."""
    with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
        connection.execute(text(statement))
    message = str(raised.value.orig)
    assert "permission denied" in message, message
    return message


def test_the_lookup_role_reads_records_writes_only_logs_and_never_sees_staff_tables(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    lookup_role: LookupRole,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # bangdiem publish --grant-role: publish into the schema, then grant_lookup_role.
    env = {
        "BANGDIEM_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "BANGDIEM_PUBLIC_DATABASE_URL": lookup_role.admin_url,
    }
    granted = CliRunner().invoke(
        cli,
        ["publish", "--grant-role", lookup_role.name, "--schema", lookup_role.schema],
        env=env,
    )
    assert granted.exit_code == 0, granted.output
    assert "Đã công bố: 2 mới" in granted.output
    assert f"Đã cấp quyền cho vai trò {lookup_role.name}" in granted.output
    # Granting again (every publish run may) changes nothing and fails on nothing.
    publisher = replace(settings, public_database_url=lookup_role.admin_url)
    assert publish(publisher).unchanged == 2
    grant_lookup_role(public_engine(publisher), lookup_role.name, lookup_role.schema)

    service = create_engine(lookup_role.url)
    try:
        with service.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == lookup_role.name
            count = connection.execute(text("SELECT count(*) FROM public_record")).scalar()
            assert count == 2
        _denied(
            service,
            "INSERT INTO public_record (public_id, full_name, exact_key, tone_key, folded_key, "
            "birth_date, birth_year, published_at) "
            "VALUES ('x', 'A B', 'a b', 'a b', 'a b', '1970', 1970, now())",
        )
        _denied(service, "UPDATE public_record SET result = 'failed'")
        _denied(service, "DELETE FROM public_record")
        _denied(service, "TRUNCATE public_record")
        _denied(service, "CREATE TABLE harvest (x int)")
        staff_schema = settings.database_url.rsplit("search_path%3D", 1)[-1]
        for table in ("table_row", "row_field", "staff_user", "publication", "audit_entry"):
            _denied(service, f'SELECT count(*) FROM "{staff_schema}".{table}')
    finally:
        service.dispose()

    # The lookup app, connected as the role, answers and logs.
    app = create_app(
        replace(
            settings,
            public_database_url=lookup_role.url,
            lookup_client_rate=(10**6, 1.0),
            lookup_global_rate=(10**6, 1.0),
        )
    )
    client = TestClient(app, client=("203.0.113.5", 50000))
    for _ in range(2):  # the second search reuses the log's hash key the first one made
        answer = client.post(
            "/api/v1/search", json={"full_name": "Nguyen Thi Hoa", "birth": "12/03/1972"}
        )
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["records"]) == 2
    with create_engine(lookup_role.admin_url).connect() as connection:
        logged = connection.execute(
            text("SELECT kind, client_prefix, result_count FROM processing_log ORDER BY id")
        ).all()
    assert [tuple(row) for row in logged] == [("search", "203.0.113.0/24", 2)] * 2
    # The first search ran the retention purge as the role (log and share codes): allowed.
    assert not [r for r in caplog.records if r.name == "lookup_api.log_writer"]
