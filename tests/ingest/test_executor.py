"""Both executors run every job; a worker killed mid-job fails that job alone."""

from __future__ import annotations

import os
import signal
import time

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


def die_late_or_square(n: int) -> int:
    if n == 1:
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)
    return n * n


@pytest.mark.slow
def test_a_worker_dying_while_the_caller_is_busy_fails_only_its_job() -> None:
    # The worker dies while the caller is still handling an earlier outcome, so the pool is
    # already broken when the next job is handed to it: that job never ran and must still run.
    jobs = list(range(12))
    outcomes = []
    for outcome in ProcessExecutor(2).run(die_late_or_square, jobs):
        outcomes.append(outcome)
        if len(outcomes) == 1:
            time.sleep(1.0)
    assert sorted(o.job for o in outcomes) == jobs
    failed = {o.job: type(o.error).__name__ for o in outcomes if o.error is not None}
    assert failed == {1: WorkerCrashedError.__name__}
    assert all(o.result == o.job * o.job for o in outcomes if o.job != 1)
