"""One writer for the processing log: the entries of concurrent requests commit together.

Every public search must leave its log entry (DOMAIN.md §4) before it is answered, and the
log is a record of processing, so an entry is committed, not buffered.  Committing one entry
per request made the log the service's bottleneck: on SQLite the requests queue for the
single write lock (and wait in its busy handler), on PostgreSQL each commit is a WAL flush.
So all entries go through this one writer (as Datasette routes all writes through one
writer): the requests of the event loop add their entries to a batch, one batch at a time is
committed in one transaction on the writer's own driver connection (``lookup_api.driver``),
and only then are the requests that made it answered.  Entries that arrive meanwhile form the
next batch, so under load one commit serves many requests.

Where the commit runs: on the event loop, like the search's read, on a connection that never
waits.  A SQLite commit in WAL mode is a write to the log file; a PostgreSQL one is a round
trip (without waiting for the server's disk flush, see below).  Either costs less than handing
the batch to a thread, which also made the loop fight the thread for the GIL (measured: 150
to 250 µs of CPU a request).  On SQLite a batch that would wait for another writer's lock (a
publish, a share) fails at once on the loop and is committed on a thread instead, so the loop
never waits on a lock.

The retention purge (the log's, the share codes') runs here too, on the first batch and
then hourly; it failing is logged and tried again an hour later, never the batch's failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from lookup_api import processing_log
from lookup_api.driver import HeldConnections
from records.driver_sql import insert_rows
from records.public_db import processing_log as log_table

PURGE_EVERY = 3600.0
LOG = logging.getLogger(__name__)
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

_Waiting = tuple[dict[str, Any], "asyncio.Future[None]"]


class LogWriter:
    """Belongs to one event loop (the app's); ``write`` is awaited by its requests."""

    def __init__(self, engine: Engine, key: bytes, purge: Callable[[Connection], object]) -> None:
        """``purge``: deletes what is past its retention; run on the first batch and then
        hourly, on the writer's thread, in a transaction of its own."""
        self.engine = engine
        self.key = key
        self.purge = purge
        # The log is kept as durable on PostgreSQL as on SQLite (see HeldConnections):
        # waiting for the server's disk flush made every lone search wait 3 ms or more, and
        # up to 100 ms when the disk was busy.
        # The event loop's connection (None: every batch on the thread, as tests force).
        self._inline: HeldConnections | None = HeldConnections(
            engine, sqlite_wait_ms=0, postgres_flush_on_commit=False
        )
        # For a batch that must wait for a lock, and the purge (one batch at a time).
        self._connection = HeldConnections(engine, postgres_flush_on_commit=False)
        self._waiting: list[_Waiting] = []
        self._busy = False  # a batch is being committed (or about to be)
        self._last_purge = -PURGE_EVERY  # the first batch purges

    async def write(self, kind: str, prefix: str, query: tuple[object, ...], count: int) -> None:
        """Log one entry; return once it is committed (raise if its commit failed)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        entry = {
            "at": datetime.now(UTC),
            "kind": kind,
            "client_prefix": prefix,
            "query_hash": processing_log.query_hash(self.key, kind, *query),
            "result_count": count,
        }
        self._waiting.append((entry, done))
        if not self._busy:
            self._busy = True
            # After the callbacks already due: requests read in this turn join the batch.
            loop.call_soon(self._start, loop)
        await done

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._waiting = self._waiting, []
        rows = [entry for entry, _ in batch]
        if self._inline is not None and not self._purge_due():
            try:
                self._inline.run(lambda c, dialect: insert_rows(c, dialect, log_table, rows))
            except Exception as error:  # whatever it is, the waiting requests must hear of it
                if not _sqlite_busy(error):
                    self._settle(loop, batch, error)
                    return
                # Another writer holds the lock (a publish, a share): wait on a thread.
            else:
                self._settle(loop, batch, None)
                return
        commit = loop.run_in_executor(None, self._commit, rows)
        commit.add_done_callback(lambda finished: self._settle(loop, batch, finished.exception()))

    def _purge_due(self) -> bool:
        return time.monotonic() - self._last_purge > PURGE_EVERY

    def _settle(
        self, loop: asyncio.AbstractEventLoop, batch: list[_Waiting], error: BaseException | None
    ) -> None:
        for _, done in batch:
            if done.cancelled():  # the client went away; its entry is committed all the same
                continue
            if error is None:
                done.set_result(None)
            else:  # every waiting request learns it, none is lost silently
                done.set_exception(error)
        if self._waiting:
            loop.call_soon(self._start, loop)
        else:
            self._busy = False

    def _commit(self, rows: list[dict[str, Any]]) -> None:
        """On a worker thread: one transaction for the batch, then the purge when due."""
        self._connection.run(lambda c, dialect: insert_rows(c, dialect, log_table, rows))
        if self._purge_due():
            self._last_purge = time.monotonic()
            try:
                with self.engine.begin() as connection:
                    self.purge(connection)
            except Exception:  # the batch is committed: its requests must not fail for this
                LOG.exception("Không xoá được dữ liệu quá hạn lưu giữ; sẽ thử lại sau một giờ.")


def _sqlite_busy(error: Exception) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
