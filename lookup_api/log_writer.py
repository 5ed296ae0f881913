"""One writer for the processing log: the entries of concurrent requests commit together.

Every public search must leave its log entry (DOMAIN.md §4) before it is answered, and the
log is a record of processing, so an entry is committed, not buffered.  Committing one entry
per request made the log the service's bottleneck: on SQLite the requests queue for the
single write lock (and wait in its busy handler), on PostgreSQL each commit is a WAL flush.
So all entries go through this one writer (as Datasette routes all writes through one
thread): it takes every entry waiting, writes them in one transaction on its own driver
connection (``lookup_api.driver``), and only then releases the requests that made them.
Under load, one commit serves many requests; alone, a request waits for its own commit only,
as before.

The thread starts on the first entry and ends after a few idle seconds, so an app that is
made and dropped (tests, tools) leaves no thread behind.  The retention purge runs here too,
on the first write and then hourly.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert

from lookup_api import processing_log
from lookup_api.driver import HeldConnections, insert_all
from records.public_db import processing_log as log_table

IDLE_SECONDS = 5.0
PURGE_EVERY = 3600.0
MAX_BATCH = 1000
_FIELDS = ("at", "kind", "client_prefix", "query_hash", "result_count")
INSERT = insert(log_table).values({name: bindparam(name) for name in _FIELDS})


@dataclass
class _Pending:
    values: dict[str, Any]
    done: Future[None] = field(default_factory=Future)


class LogWriter:
    def __init__(self, engine: Engine, key: bytes, retention_days: int) -> None:
        self.engine = engine
        self.key = key
        self.retention_days = retention_days
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last_purge = -PURGE_EVERY  # the first write purges
        self._connection = HeldConnections(engine)  # used by the writer thread alone

    def submit(self, kind: str, prefix: str, query: tuple[object, ...], count: int) -> Future[None]:
        """Queue one entry; the future is done once it is committed (or failed to be)."""
        pending = _Pending(
            {
                "at": datetime.now(UTC),
                "kind": kind,
                "client_prefix": prefix,
                "query_hash": processing_log.query_hash(self.key, kind, *query),
                "result_count": count,
            }
        )
        self._queue.put(pending)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="processing-log-writer", daemon=True
                )
                self._thread.start()
        return pending.done

    def write(self, kind: str, prefix: str, query: tuple[object, ...], count: int) -> None:
        """``submit`` and wait: for callers outside the event loop."""
        self.submit(kind, prefix, query, count).result()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # An entry queued before this check is seen here; one queued after it
                    # finds no thread and starts a new one.
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        rows = [p.values for p in batch]
        try:
            self._connection.run(lambda c, dialect: insert_all(c, dialect, INSERT, rows))
            if time.monotonic() - self._last_purge > PURGE_EVERY:
                with self.engine.begin() as connection:
                    processing_log.purge(connection, self.retention_days)
                self._last_purge = time.monotonic()
        except Exception as error:  # every waiting request learns it, none is lost silently
            for pending in batch:
                pending.done.set_exception(error)
        else:
            for pending in batch:
                pending.done.set_result(None)
