"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every database test.

PostgreSQL is the production database, so each test that touches the database runs on both.
The server comes from BANGDIEM_TEST_POSTGRES_URL (set by `make test` and .ci/run, which start
the Debian cluster).  When it is absent the PostgreSQL half is skipped, except when
BANGDIEM_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from records.db import engine_for, migrate
from records.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("BANGDIEM_TEST_POSTGRES_URL", "")


def _postgres_schema_url(schema: str) -> str:
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip a PostgreSQL test that cannot run here, or fail it in CI
    (BANGDIEM_REQUIRE_POSTGRES=1), where every PostgreSQL test must run."""
    if os.environ.get("BANGDIEM_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"BANGDIEM_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A fresh, empty schema on the test server while the block runs; the URL naming it."""
    if not POSTGRES_URL:
        postgres_unavailable("BANGDIEM_TEST_POSTGRES_URL is not set (`make test` sets it)")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh, migrated database of each kind, with a private data folder."""
    env = {"BANGDIEM_DATA_DIR": str(tmp_path / "data")}
    with ExitStack() as stack:
        if request.param == "postgresql":
            env["DATABASE_URL"] = stack.enter_context(postgres_schema("t"))
        result = load_settings(env)
        migrate(result)
        yield result
        engine_for(result.database_url).dispose()


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    with Session(engine_for(settings.database_url), expire_on_commit=False) as db_session:
        yield db_session
