"""One interface for running page jobs: in this process, or in a pool of worker processes.

The parent hands out pure jobs and grafts the results (OCRmyPDF's model).  A worker that dies
(a crash, the kernel's OOM killer) breaks a ``ProcessPoolExecutor`` and fails every job in
flight; the jobs caught in it are then re-run one at a time, so that the one that really kills
its worker is found and reported as failed while the innocent ones complete.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


ISOLATED_STRIKES = 2


class WorkerCrashedError(Exception):
    """The worker process running this job died (killed, out of memory, or crashed)."""

    message_vi = "Tiến trình xử lý bị dừng đột ngột khi đọc trang này (hết bộ nhớ hoặc lỗi nặng)"


@dataclass(frozen=True)
class Outcome(Generic[Job, Result]):
    job: Job
    result: Result | None
    error: BaseException | None


class Executor(Protocol):
    def run(
        self, fn: Callable[[Job], Result], jobs: Iterable[Job]
    ) -> Iterator[Outcome[Job, Result]]:
        """Run ``fn`` on every job; yield each outcome as soon as it is known (any order)."""
        ...


def init_worker() -> None:
    """Per-process set-up: Debian's Tesseract uses OpenMP; one thread per worker is much faster
    (6.5× per page measured here) because the workers already use every core."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


class SerialExecutor:
    """Runs jobs one after another in this process (``--workers 1``, debugging, tests)."""

    def run(
        self, fn: Callable[[Job], Result], jobs: Iterable[Job]
    ) -> Iterator[Outcome[Job, Result]]:
        for job in jobs:
            try:
                yield Outcome(job, fn(job), None)
            except Exception as error:  # a job's failure is its outcome, not the batch's
                yield Outcome(job, None, error)


class ProcessExecutor:
    """Runs jobs in ``workers`` processes, keeping a bounded number in flight."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def _pool(self) -> ProcessPoolExecutor:
        # forkserver: workers start clean, without the parent's database connections.
        context = multiprocessing.get_context("forkserver")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=init_worker)

    def run(
        self, fn: Callable[[Job], Result], jobs: Iterable[Job]
    ) -> Iterator[Outcome[Job, Result]]:
        queue: deque[Job] = deque(jobs)
        suspects: deque[Job] = deque()  # in flight when a worker died: re-run alone
        strikes: dict[int, int] = {}  # id(job) -> times it killed its worker while alone
        while queue or suspects:
            isolating = bool(suspects)
            source = suspects if isolating else queue
            window = 1 if isolating else self.workers * 2
            pool = self._pool()
            in_flight: dict[Future[Result], Job] = {}
            crashed: list[Job] = []
            broken = False
            try:
                while (source or in_flight) and not broken:
                    while source and len(in_flight) < window:
                        job = source.popleft()
                        try:
                            in_flight[pool.submit(fn, job)] = job
                        except BrokenProcessPool:
                            # A worker died after the last wait (say while our caller was
                            # busy with an outcome): this job never ran, so it goes back.
                            source.appendleft(job)
                            broken = True
                            break
                    if broken:
                        break
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = in_flight.pop(future)
                        error = future.exception()
                        if isinstance(error, BrokenProcessPool):
                            crashed.append(job)
                            broken = True
                        elif error is None:
                            yield Outcome(job, future.result(), None)
                        else:
                            yield Outcome(job, None, error)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            crashed.extend(in_flight.values())  # a broken pool fails everything in flight
            if isolating:
                # Alone in the pool: this job killed its worker.  Twice, and it is reported
                # (once could be the machine's doing, say an overloaded start of the pool).
                for job in crashed:
                    strikes[id(job)] = strikes.get(id(job), 0) + 1
                    if strikes[id(job)] >= ISOLATED_STRIKES:
                        yield Outcome(job, None, WorkerCrashedError())
                    else:
                        suspects.appendleft(job)
            else:
                suspects.extend(crashed)


def make_executor(workers: int) -> Executor:
    """``workers`` ≤ 0 means one per core; 1 runs in this process."""
    count = workers if workers > 0 else (os.cpu_count() or 1)
    return SerialExecutor() if count == 1 else ProcessExecutor(count)
