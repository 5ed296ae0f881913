"""A bare public read model on SQLite and on PostgreSQL, for tests of the service's own
connections (the held connections and the log's writer) on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from records.db import engine_for
from records.public_db import ensure_schema
from tests.conftest import postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def read_model(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty read model (tables made), on each database."""
    if request.param == "sqlite":
        engine = engine_for(f"sqlite:///{tmp_path / 'public.sqlite3'}")
        ensure_schema(engine)
        yield engine
        engine.dispose()
        return
    with postgres_schema("p") as url:
        engine = engine_for(url)
        ensure_schema(engine)
        yield engine
        engine.dispose()
