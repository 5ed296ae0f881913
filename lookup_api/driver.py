"""The public service's own database connections, and statements run on them directly.

A search is one indexed SELECT of a few rows and a log entry is one INSERT; SQLAlchemy's
per-execution work (result wrapping, cache keys, pool checkout with a reset on return and, on
PostgreSQL, a ping) cost more than either, and they run on every request.  So the service
keeps its driver connections open here, in autocommit (each SELECT is its own snapshot, so a
lookup never sees half a publish and never holds a transaction open; writes say BEGIN and
COMMIT themselves), and runs statements that SQLAlchemy compiled once per dialect straight on
the driver's cursor.  A connection lost with the database is dropped and the work is tried
once more on a fresh one.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Dialect, Engine, Table, bindparam, insert
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

T = TypeVar("T")
STATEMENT_TIMEOUT_MS = 5000  # PostgreSQL: a stuck statement fails instead of stalling the service


class HeldConnections:
    def __init__(
        self,
        engine: Engine,
        *,
        sqlite_wait_ms: int | None = None,
        postgres_flush_on_commit: bool = True,
    ) -> None:
        """``sqlite_wait_ms``: how long a SQLite write waits for another writer's lock
        (default: the engine's 30 s; 0 fails at once, for callers that must not block).
        ``postgres_flush_on_commit=False``: commits return before the server flushes its
        WAL (synchronous_commit off), the durability SQLite has here in WAL mode with
        synchronous=NORMAL: what is committed survives a crash of the service, and a crash
        of the database's machine may lose the last moment of commits, never corrupt."""
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self.sqlite_wait_ms = sqlite_wait_ms
        self.postgres_flush_on_commit = postgres_flush_on_commit
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def _open(self) -> Any:
        connection = self.engine.raw_connection()
        driver: Any = connection.driver_connection
        # Detached: the pool never gets it back, so its autocommit never reaches a
        # SQLAlchemy transaction elsewhere (shares are written in real transactions).
        connection.detach()
        if self.dialect.name == "sqlite":
            driver.isolation_level = None
            if self.sqlite_wait_ms is not None:
                driver.execute(f"PRAGMA busy_timeout = {int(self.sqlite_wait_ms)}")
        else:
            driver.autocommit = True
            cursor = driver.cursor()
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            if not self.postgres_flush_on_commit:
                cursor.execute("SET synchronous_commit = off")
            cursor.close()
        return connection

    def run(self, work: Callable[[Any, Dialect], T]) -> T:
        """``work(dbapi_connection, dialect)`` on an open connection."""
        for attempt in (1, 2):
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                connection = self._open()
            try:
                result = work(connection, self.dialect)
            except self.dialect.loaded_dbapi.Error as error:
                if not self.dialect.is_disconnect(error, connection, None):
                    self._idle.put(connection)
                    raise
                connection.invalidate()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self._idle.put(connection)  # the work failed, not the connection
                raise
            self._idle.put(connection)
            return result
        raise AssertionError("unreachable")

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled for one dialect: its text, the order of its parameters for
    positional drivers (SQLite's "?"), and the conversions its column types need."""

    sql: str
    names: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any]]

    def arguments(self, params: Mapping[str, Any]) -> Any:
        if self.processors:
            params = {
                k: (self.processors[k](v) if k in self.processors else v) for k, v in params.items()
            }
        if self.names is None:
            return params
        return tuple(params[name] for name in self.names)


@cache
def compiled(statement: ClauseElement, dialect: Dialect) -> DriverStatement:
    # for_executemany: an INSERT without RETURNING (PostgreSQL would add it for the new id).
    result = cast(SQLCompiler, statement.compile(dialect=dialect, for_executemany=True))
    names = tuple(result.positiontup or ()) if result.positional else None
    processors = {}
    for name, bind in result.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return DriverStatement(result.string, names, processors)


def fetch_all(
    connection: Any, dialect: Dialect, statement: ClauseElement, params: Mapping[str, Any]
) -> list[Any]:
    prepared = compiled(statement, dialect)
    cursor = connection.cursor()
    try:
        cursor.execute(prepared.sql, prepared.arguments(params))
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


ROWS_A_STATEMENT = 200


@cache
def _insert_of(table: Table, columns: tuple[str, ...], count: int) -> ClauseElement:
    values = [
        {name: bindparam(f"{name}_{i}", type_=table.c[name].type) for name in columns}
        for i in range(count)
    ]
    return insert(table).values(values)


def insert_rows(
    connection: Any, dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """All of ``rows`` (dicts with the same keys) into ``table``, all or none.

    As one multi-row INSERT where they fit (up to ROWS_A_STATEMENT): a single statement is
    atomic on its own in autocommit, so PostgreSQL needs one round trip, not BEGIN, the rows
    and COMMIT.  More rows: several statements between BEGIN and COMMIT.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    chunks = [rows[i : i + ROWS_A_STATEMENT] for i in range(0, len(rows), ROWS_A_STATEMENT)]
    explicit = len(chunks) > 1
    cursor = connection.cursor()
    try:
        if explicit:
            cursor.execute("BEGIN")
        try:
            for chunk in chunks:
                prepared = compiled(_insert_of(table, columns, len(chunk)), dialect)
                params = {
                    f"{name}_{i}": row[name] for i, row in enumerate(chunk) for name in columns
                }
                cursor.execute(prepared.sql, prepared.arguments(params))
            if explicit:
                cursor.execute("COMMIT")
        except BaseException:
            if explicit:
                with suppress(Exception):  # the connection may be gone: nothing to roll back
                    cursor.execute("ROLLBACK")
            raise
    finally:
        cursor.close()
