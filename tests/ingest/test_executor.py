"""Both executors run every job; a worker killed mid-job fails that job alone."""

from __future__ import annotations

import os
import signal

import pytest

from ingest.executor import ProcessExecutor, SerialExecutor, WorkerCrashedError


def square_or_die(n: int) -> int:
    if n == 13:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    if n == 7:
        raise ValueError("seven")
    return n * n


def _collect(executor: SerialExecutor | ProcessExecutor, jobs: list[int]) -> dict[int, object]:
    outcomes = list(executor.run(square_or_die, jobs))
    assert sorted(o.job for o in outcomes) == sorted(jobs)  # each job exactly once
    return {o.job: (o.result if o.error is None else type(o.error).__name__) for o in outcomes}


def test_serial_executor_reports_errors_per_job() -> None:
    assert _collect(SerialExecutor(), [1, 7, 3]) == {1: 1, 7: "ValueError", 3: 9}


@pytest.mark.slow
def test_killed_worker_fails_only_its_job() -> None:
    jobs = list(range(20))
    outcomes = _collect(ProcessExecutor(2), jobs)
    assert outcomes[13] == WorkerCrashedError.__name__
    assert outcomes[7] == "ValueError"
    assert all(outcomes[n] == n * n for n in jobs if n not in (7, 13))
