"""Open driver connections to the read model, for the searches of the public service.

A search is one indexed SELECT of a few dozen rows.  Checking a connection out of
SQLAlchemy's pool for it costs a reset on return and, on PostgreSQL, a ping (a round trip) on
checkout; both cost more than the read.  So the service keeps its reading connections open
here, in autocommit (each SELECT is its own snapshot, so a lookup never sees half a publish
and never holds a transaction open), and hands one to each read.  A connection that fails
(the database restarted) is dropped and the read is tried once more on a fresh one.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine

T = TypeVar("T")
STATEMENT_TIMEOUT_MS = 5000  # PostgreSQL: a stuck read fails instead of stalling the service


class Readers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def _open(self) -> Any:
        connection = self.engine.raw_connection()
        driver: Any = connection.driver_connection
        # Detached: the pool never gets it back, so its autocommit never reaches a
        # SQLAlchemy transaction elsewhere (shares are written in real transactions).
        connection.detach()
        if self.dialect.name == "sqlite":
            driver.isolation_level = None  # autocommit: no transaction outlives a SELECT
        else:
            driver.autocommit = True
            cursor = driver.cursor()
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cursor.close()
        return connection

    def read(self, work: Callable[[Any, Dialect], T]) -> T:
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
