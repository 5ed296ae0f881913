"""Pages read on a real Dask cluster (worker processes): the same rows as a local run, a worker
killed mid-page costs nothing, a page that kills its workers fails alone, and an unreachable
scheduler is a clear error with its own exit code."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster
from sqlmodel import Session, select

from ingest.dask_executor import DaskExecutor, SchedulerUnreachableError
from ingest.errors import ExitCode
from ingest.executor import WorkerCrashedError
from ingest.pipeline import BatchSummary, run_batch
from records.db import engine_for, migrate
from records.export_rows import iter_export_rows
from records.models import Page, TableRow
from records.settings import Settings, load_settings
from records.vocabulary import Level, ProcessingStatus
from scans.layout import Ruling
from scans.styles import Style
from tests.samples import render

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# The workers unpickle this module's job functions by value: they need not import the tests.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def square_or_die(n: int) -> int:
    if n == 13:
        # Mid-job, as the OOM killer would: a worker dying the instant it starts can die before
        # its nanny has finished starting it, and is then not restarted (distributed's nanny).
        time.sleep(2)
        os.kill(os.getpid(), signal.SIGKILL)
    if n == 7:
        raise ValueError("seven")
    return n * n


def omp_thread_limit() -> str | None:
    return os.environ.get("OMP_THREAD_LIMIT")


def busy_pid(dask_worker: Any) -> int | None:
    """Run on a worker by ``client.run``: its process id while it is running a task."""
    return os.getpid() if dask_worker.state.executing else None


def _local_cluster() -> LocalCluster:
    """Two single-threaded worker processes under nannies (a killed worker is restarted); the
    scheduler gives up on a task after two workers died running it.  The OS picks the ports."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        return LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    local = _local_cluster()
    try:
        yield local
    finally:
        local.close()


@pytest.fixture
def executor(cluster: LocalCluster) -> Iterator[DaskExecutor]:
    """Connected once a worker is up (one killed by an earlier test may still be restarting)."""
    with DaskExecutor(cluster.scheduler_address) as connected:
        connected.client.wait_for_workers(1, timeout=120)
        yield connected


def _settings(data: Path) -> Settings:
    settings = load_settings({"BANGDIEM_DATA_DIR": str(data.resolve())})
    migrate(settings)
    return settings


def _run(
    folder: Path, data: Path, executor: DaskExecutor | None
) -> tuple[BatchSummary, list[dict[str, Any]], int]:
    """Ingest ``folder`` into a fresh data folder: the summary, exported rows, stored rows."""
    settings = _settings(data)
    engine = engine_for(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            summary = run_batch(
                session, settings, "lot", [folder], workers=1, progress=False, executor=executor
            )
            rows = list(iter_export_rows(session, "lot"))
            stored = len(session.exec(select(TableRow)).all())
            statuses = {page.status for page in session.exec(select(Page)).all()}
        assert statuses == {ProcessingStatus.DONE}
        return summary, rows, stored
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def local_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, list[dict[str, Any]]]:
    """Three one-page sheets, read in this process: the folder, the data folder, the rows."""
    folder = tmp_path_factory.mktemp("batch")
    documents = [
        render(folder, 1, Style.COMPUTER_PRINT, Ruling.FULL, 1996, Level.THPT),
        render(folder, 2, Style.TYPEWRITER, Ruling.PARTIAL, 1988, Level.PTTH),
        render(folder, 3, Style.COMPUTER_PRINT, Ruling.NONE, 1999, Level.THCS),
    ]
    data = tmp_path_factory.mktemp("local")
    summary, rows, stored = _run(folder, data, None)
    assert summary.pages_done == 3 and not summary.pages_failed
    assert len(rows) == stored == sum(len(d.truth) for d in documents)
    return folder, data, rows


def test_killed_worker_fails_only_its_job() -> None:
    jobs = list(range(20))
    with _local_cluster() as own, DaskExecutor(own.scheduler_address) as executor:
        executor.client.wait_for_workers(2, timeout=120)
        assert executor.window() == 4  # twice the cluster's two worker threads
        outcomes = list(executor.run(square_or_die, jobs))
    assert sorted(o.job for o in outcomes) == jobs  # each job exactly once
    results = {o.job: (o.result if o.error is None else type(o.error).__name__) for o in outcomes}
    assert results[13] == WorkerCrashedError.__name__
    assert results[7] == "ValueError"
    assert all(results[n] == n * n for n in jobs if n not in (7, 13))


def test_workers_read_with_one_ocr_thread(executor: DaskExecutor) -> None:
    client = executor.client
    limits = client.gather(
        [
            client.submit(omp_thread_limit, workers=[address], pure=False)
            for address in client.nthreads()
        ]
    )
    assert limits and set(limits) == {"1"}  # on each worker, as its tasks see it


def test_dask_batch_gives_the_local_rows(
    executor: DaskExecutor,
    local_run: tuple[Path, Path, list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    folder, _, expected = local_run
    summary, rows, stored = _run(folder, tmp_path / "dask", executor)
    assert summary.pages_done == 3 and not summary.pages_failed
    assert rows == expected
    assert stored == len(expected)


def test_worker_killed_mid_page_loses_and_duplicates_nothing(
    cluster: LocalCluster,
    executor: DaskExecutor,
    local_run: tuple[Path, Path, list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    folder, _, expected = local_run
    killed: list[int] = []
    stop = threading.Event()

    def kill_a_busy_worker() -> None:
        with Client(cluster.scheduler_address, set_as_default=False) as client:
            deadline = time.monotonic() + 120
            while not stop.is_set() and time.monotonic() < deadline:
                busy = [pid for pid in client.run(busy_pid).values() if pid is not None]
                if busy:
                    time.sleep(random.uniform(0.5, 2.0))  # noqa: S311 - somewhere inside the page
                    os.kill(busy[0], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.1)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        summary, rows, stored = _run(folder, tmp_path / "killed", executor)
    finally:
        stop.set()
        killer.join(timeout=60)
    assert len(killed) == 1
    assert summary.pages_done == 3 and not summary.pages_failed
    assert rows == expected
    assert stored == len(expected)


def _cli(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BANGDIEM_DATA_DIR": str(data), "DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "bangdiem", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _export(data: Path) -> list[dict[str, Any]]:
    out = _cli(["export", "--format", "jsonl"], data)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def test_cli_ingests_on_the_cluster(
    cluster: LocalCluster,
    local_run: tuple[Path, Path, list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    folder, local_data, _ = local_run
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=120)
    data = tmp_path / "cli"
    args = ["ingest", str(folder), "--batch", "lot", "--no-progress"]
    out = _cli([*args, "--scheduler", cluster.scheduler_address], data)
    assert out.returncode == 0, out.stderr
    assert "3 có bảng" in out.stdout
    assert _export(data) == _export(local_data)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(SchedulerUnreachableError) as caught:
        DaskExecutor(address, connect_timeout=1)
    assert address in caught.value.reason()

    data = tmp_path / "data"
    out = _cli(["ingest", str(tmp_path), "--batch", "lot", "--scheduler", address], data)
    assert out.returncode == ExitCode.SCHEDULER
    assert "Không kết nối được bộ điều phối Dask" in out.stderr
    assert not (data / "bangdiem.sqlite3").exists()  # refused before any work
