"""A bare public read model on SQLite and on PostgreSQL, for tests of the service's own
connections (the reading connections and the log's writer) on both databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from records.db import engine_for
from records.public_db import ensure_schema
from tests.conftest import POSTGRES_URL, _postgres_schema_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def read_model(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty read model (tables made), on each database."""
    if request.param == "sqlite":
        engine = engine_for(f"sqlite:///{tmp_path / 'public.sqlite3'}")
        ensure_schema(engine)
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        if os.environ.get("BANGDIEM_REQUIRE_POSTGRES") == "1":
            pytest.fail("BANGDIEM_REQUIRE_POSTGRES=1 but BANGDIEM_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set BANGDIEM_TEST_POSTGRES_URL; `make test` does)")
    schema = f"p_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = engine_for(_postgres_schema_url(schema))
    ensure_schema(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
