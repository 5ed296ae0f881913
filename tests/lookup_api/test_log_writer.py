"""The processing log's single writer: an entry is committed before its request is answered,
entries waiting together are committed together, a failed commit reaches every request that
waited for it, and the thread leaves when idle and comes back when needed."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from lookup_api import log_writer
from lookup_api.log_writer import LogWriter
from records.public_db import processing_log
from tests.lookup_api.read_models import read_model  # noqa: F401

KEY = b"k" * 32


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(processing_log)).scalar_one()
        )


def test_every_entry_is_committed_before_its_future_is_done(read_model: Engine) -> None:  # noqa: F811
    writer = LogWriter(read_model, KEY, retention_days=30)

    def one(i: int) -> int:
        writer.write("search", "203.0.113.0/24", ("name", i), 1)
        return _count(read_model)  # seen from another connection once write() returns

    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(one, range(200)))
    assert all(count >= 1 for count in seen)
    assert _count(read_model) == 200


def test_entries_waiting_together_commit_together(
    read_model: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = LogWriter(read_model, KEY, retention_days=30)
    batches: list[int] = []
    gate = threading.Event()
    commit = LogWriter._commit

    def held_commit(self: LogWriter, batch: list[Any]) -> None:
        batches.append(len(batch))
        gate.wait(10)  # the first commit is slow: everything after it queues up
        commit(self, batch)

    monkeypatch.setattr(LogWriter, "_commit", held_commit)
    futures = [writer.submit("search", "p", ("first",), 0)]
    time.sleep(0.2)
    futures += [writer.submit("search", "p", ("later", i), 0) for i in range(50)]
    gate.set()
    for future in futures:
        future.result(timeout=10)
    assert batches == [1, 50]
    assert _count(read_model) == 51


def test_a_failed_commit_fails_every_waiting_request(read_model: Engine) -> None:  # noqa: F811
    with read_model.begin() as connection:
        connection.execute(text("DROP TABLE processing_log"))
    writer = LogWriter(read_model, KEY, retention_days=30)
    futures = [writer.submit("search", "p", (i,), 0) for i in range(20)]
    for future in futures:
        with pytest.raises(Exception, match="processing_log"):
            future.result(timeout=10)


def test_the_thread_leaves_when_idle_and_returns(
    read_model: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(log_writer, "IDLE_SECONDS", 0.05)
    writer = LogWriter(read_model, KEY, retention_days=30)
    writer.write("search", "p", ("a",), 0)
    deadline = time.monotonic() + 5
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer._thread is None
    writer.write("search", "p", ("b",), 0)
    assert _count(read_model) == 2
