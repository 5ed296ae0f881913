"""The service's held driver connections: each read sees the latest commit (no transaction
is left open between reads), a connection lost with the database is replaced within the same
piece of work, a failed piece of work does not cost the connection, and an insert of many
rows commits all or none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Dialect, Engine, delete, insert, select, text

from lookup_api.driver import HeldConnections
from records.driver_sql import ROWS_A_STATEMENT, insert_rows
from records.public_db import processing_log, public_record
from tests.lookup_api.read_models import read_model  # noqa: F401


def _count(connection: Any, _dialect: Dialect) -> int:
    cursor = connection.cursor()
    cursor.execute("SELECT count(*) FROM public_record")
    (count,) = cursor.fetchone()
    cursor.close()
    return int(count)


def _add(engine: Engine, public_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(public_record).values(
                public_id=public_id,
                full_name="Lê Văn An",
                exact_key="lê văn an",
                tone_key="lê văn an",
                folded_key="le van an",
                birth_date="1970-01-02",
                birth_year=1970,
                published_at=datetime.now(UTC),
            )
        )


def test_each_read_sees_the_latest_commit(read_model: Engine) -> None:  # noqa: F811
    readers = HeldConnections(read_model)
    assert readers.run(_count) == 0
    _add(read_model, "a")
    assert readers.run(_count) == 1  # a snapshot kept from the first read would say 0
    with read_model.begin() as connection:
        connection.execute(delete(public_record))
    assert readers.run(_count) == 0
    readers.close()


def _break(readers: HeldConnections, engine: Engine) -> None:
    """Lose the idle connection the way a database restart does."""
    connection = readers._idle.get_nowait()
    if engine.dialect.name == "sqlite":
        connection.dbapi_connection.close()
    else:
        pid = connection.dbapi_connection.info.backend_pid
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    readers._idle.put(connection)


def test_a_lost_connection_is_replaced_within_the_read(read_model: Engine) -> None:  # noqa: F811
    _add(read_model, "a")
    readers = HeldConnections(read_model)
    assert readers.run(_count) == 1
    _break(readers, read_model)
    assert readers.run(_count) == 1
    readers.close()


def test_failed_work_keeps_its_connection(read_model: Engine) -> None:  # noqa: F811
    readers = HeldConnections(read_model)
    used: list[Any] = []

    def failing(connection: Any, _dialect: Dialect) -> int:
        used.append(connection)
        raise ValueError("not the database's fault")

    with pytest.raises(ValueError):
        readers.run(failing)

    def bad_sql(connection: Any, _dialect: Dialect) -> int:
        used.append(connection)
        connection.cursor().execute("SELECT no_such_column FROM public_record")
        return 0

    with pytest.raises(read_model.dialect.loaded_dbapi.Error):
        readers.run(bad_sql)
    assert readers.run(_count) == 0
    assert used[0] is used[1]
    assert readers._idle.get_nowait() is used[0]
    readers.close()


@pytest.mark.parametrize("count", [5, ROWS_A_STATEMENT * 2 + 7])
def test_an_insert_of_many_rows_commits_all_or_none(
    read_model: Engine,  # noqa: F811
    count: int,
) -> None:
    connections = HeldConnections(read_model)
    row = {"at": datetime.now(UTC), "kind": "search", "client_prefix": "p", "query_hash": "h"}
    rows = [{**row, "result_count": i} for i in range(count)]
    connections.run(lambda c, dialect: insert_rows(c, dialect, processing_log, rows))
    broken = [*rows, {**row, "result_count": None}]  # NOT NULL: the last row fails
    with pytest.raises(read_model.dialect.loaded_dbapi.Error):
        connections.run(lambda c, dialect: insert_rows(c, dialect, processing_log, broken))
    with read_model.connect() as connection:
        stored = connection.execute(select(processing_log.c.at, processing_log.c.result_count))
        values = sorted(stored.all(), key=lambda r: r[1])
    assert [count for _, count in values] == list(range(count))
    assert values[0][0].replace(tzinfo=UTC) == row["at"]  # the type's conversion applied
    connections.close()
