"""The public service's own database connections, held open.

A search is one indexed SELECT of a few rows and a log entry is one INSERT; checking a
connection out of SQLAlchemy's pool costs a reset on return and, on PostgreSQL, a ping (a
round trip) on checkout, more than either.  So the service keeps its driver connections open
here, in autocommit (each SELECT is its own snapshot, so a lookup never sees half a publish
and never holds a transaction open), and runs on them the statements of
``records.driver_sql``.  A connection lost with the database is dropped and the work is tried
once more on a fresh one.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine

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
