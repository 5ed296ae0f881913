"""The processing log's single writer: an entry is committed before its request goes on,
entries that arrive during a commit are committed together in the next, a failed commit
reaches every request that waited for it, and a request that went away still leaves its
entry."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from lookup_api import log_writer
from lookup_api.log_writer import LogWriter
from records import driver_sql
from records.db import engine_for
from records.public_db import ensure_schema, processing_log
from tests.lookup_api.read_models import read_model  # noqa: F401

KEY = b"k" * 32


def _keep_all(_connection: Any) -> None:
    """A purge that deletes nothing."""


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(processing_log)
        return int(connection.execute(query).scalar_one())


def test_every_entry_is_committed_before_its_request_goes_on(
    read_model: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = LogWriter(read_model, KEY, _keep_all)
    seen: list[int] = []
    batches: list[int] = []
    insert_rows = driver_sql.insert_rows

    def counted(connection: Any, dialect: Any, table: Any, rows: list[Any]) -> None:
        batches.append(len(rows))
        insert_rows(connection, dialect, table, rows)

    monkeypatch.setattr(log_writer, "insert_rows", counted)

    async def one(i: int) -> None:
        await writer.write("search", "203.0.113.0/24", ("name", i), 1)
        seen.append(_count(read_model))  # from another connection

    async def all_of_them() -> None:
        await asyncio.gather(*(one(i) for i in range(200)))

    asyncio.run(all_of_them())
    assert len(seen) == 200 and min(seen) >= 1
    assert _count(read_model) == sum(batches) == 200
    assert len(batches) < 20  # requests of the same turn of the loop share a commit


def _holding_commits(
    writer: LogWriter, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[int], threading.Event]:
    """Commit on the thread only (as when SQLite's lock is taken) and record each batch's
    size; the first commit waits for the event."""
    writer._inline = None
    batches: list[int] = []
    gate = threading.Event()
    commit = LogWriter._commit

    def held_commit(self: LogWriter, rows: list[Any]) -> None:
        batches.append(len(rows))
        gate.wait(10)
        commit(self, rows)

    monkeypatch.setattr(LogWriter, "_commit", held_commit)
    return batches, gate


def test_entries_arriving_during_a_commit_commit_together(
    read_model: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = LogWriter(read_model, KEY, _keep_all)
    batches, gate = _holding_commits(writer, monkeypatch)

    async def scenario() -> None:
        first = asyncio.ensure_future(writer.write("search", "p", ("first",), 0))
        await asyncio.sleep(0.1)  # the first batch is now being committed (and held)
        later = [
            asyncio.ensure_future(writer.write("search", "p", ("later", i), 0)) for i in range(50)
        ]
        await asyncio.sleep(0.1)
        gate.set()
        await asyncio.gather(first, *later)

    asyncio.run(scenario())
    assert batches == [1, 50]
    assert _count(read_model) == 51


def test_a_failed_commit_fails_every_waiting_request(read_model: Engine) -> None:  # noqa: F811
    with read_model.begin() as connection:
        connection.execute(text("DROP TABLE processing_log"))
    writer = LogWriter(read_model, KEY, _keep_all)

    async def scenario() -> list[BaseException | None]:
        writes = (writer.write("search", "p", (i,), 0) for i in range(20))
        return await asyncio.gather(*writes, return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert all(isinstance(o, read_model.dialect.loaded_dbapi.Error) for o in outcomes)
    assert "processing_log" in str(outcomes[0])


def test_a_request_that_went_away_still_leaves_its_entry(
    read_model: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = LogWriter(read_model, KEY, _keep_all)
    _, gate = _holding_commits(writer, monkeypatch)

    async def scenario() -> None:
        gone = asyncio.ensure_future(writer.write("search", "p", ("gone",), 0))
        await asyncio.sleep(0.1)
        gone.cancel()  # the client disconnected while its entry was being committed
        gate.set()
        await writer.write("search", "p", ("next",), 0)

    asyncio.run(scenario())
    assert _count(read_model) == 2


def test_a_sqlite_lock_held_elsewhere_never_blocks_the_event_loop(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'public.sqlite3'}")
    ensure_schema(engine)
    writer = LogWriter(engine, KEY, _keep_all)
    publisher = sqlite3.connect(tmp_path / "public.sqlite3", isolation_level=None)

    async def scenario() -> list[str]:
        await writer.write("search", "p", ("before",), 0)  # purged and committed: warm
        events: list[str] = []
        publisher.execute("BEGIN IMMEDIATE")  # a publish holds the write lock
        logged = asyncio.ensure_future(writer.write("search", "p", ("during",), 0))
        for _ in range(5):  # the loop keeps serving while the entry waits for the lock
            await asyncio.sleep(0.02)
            events.append("loop")
        assert not logged.done()
        publisher.execute("COMMIT")
        await logged
        events.append("logged")
        return events

    assert asyncio.run(scenario()) == ["loop"] * 5 + ["logged"]
    assert _count(engine) == 2
    publisher.close()
    engine.dispose()


def test_the_writer_connections_are_set_as_documented(read_model: Engine) -> None:  # noqa: F811
    """PostgreSQL: no wait for the server's disk flush (synchronous_commit off); SQLite: the
    event loop's connection never waits for a lock, the thread's does."""
    writer = LogWriter(read_model, KEY, _keep_all)

    def setting(name: str) -> Callable[[Any, Any], str]:
        def show(connection: Any, _dialect: Any) -> str:
            cursor = connection.cursor()
            cursor.execute(name)
            (value,) = cursor.fetchone()
            cursor.close()
            return str(value)

        return show

    assert writer._inline is not None
    if read_model.dialect.name == "postgresql":
        assert writer._inline.run(setting("SHOW synchronous_commit")) == "off"
        assert writer._connection.run(setting("SHOW synchronous_commit")) == "off"
    else:
        assert writer._inline.run(setting("PRAGMA busy_timeout")) == "0"
        assert writer._connection.run(setting("PRAGMA busy_timeout")) == "30000"


def test_a_failing_purge_is_logged_and_never_fails_the_batch(
    read_model: Engine,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_connection: Any) -> None:
        raise RuntimeError("permission denied for table share_use")

    writer = LogWriter(read_model, KEY, broken)
    asyncio.run(writer.write("search", "p", ("a",), 1))  # the first batch purges
    assert _count(read_model) == 1
    assert any("permission denied" in r.exc_text for r in caplog.records if r.exc_text)
