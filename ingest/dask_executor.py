"""Page jobs on a Dask distributed cluster: the same ``Executor`` as the local pool, over machines.

``bangdiem ingest ... --scheduler tcp://HOST:8786`` hands the pure page jobs to the cluster's
workers and grafts each result in this process as it arrives; the database never leaves the
machine that runs the command (workers never touch it).  Workers read the stored originals and
write the page images under the data folder, so that folder (and the scans) must be on storage
every worker reads and writes at the same absolute path.

As with :class:`ingest.executor.ProcessExecutor`:

- a bounded number of jobs is in flight (twice the cluster's worker threads), so a batch of a
  million pages is never a million futures;
- each worker runs Tesseract with one OpenMP thread (``OMP_THREAD_LIMIT=1``, set by a worker
  plugin before the OCR engine is loaded);
- a worker killed mid-page (the OOM killer, a crash) costs that page a retry on another worker;
  when the scheduler gives up on a job (``KilledWorker``: it was on as many dying workers as the
  scheduler's ``allowed-failures`` allows), the job may only have been in the wrong place, next
  to the one that really kills its workers, so it is run once more alone; if it kills its workers
  alone too, its outcome is :class:`WorkerCrashedError` and the rest of the batch completes.

A scheduler that cannot be reached, at the start or during the batch, raises
:class:`SchedulerUnreachableError`: the batch stops, pages not yet stored stay pending, and the
same command continues them.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from distributed import Client, Future, KilledWorker, WorkerPlugin, as_completed

from ingest.executor import Outcome, WorkerCrashedError

Job = TypeVar("Job")
Result = TypeVar("Result")

CONNECT_TIMEOUT_S = 10.0


class SchedulerUnreachableError(Exception):
    """The Dask scheduler named by ``--scheduler`` cannot be reached (or was lost)."""

    message_vi = "Không kết nối được bộ điều phối Dask"

    def __init__(self, address: str, detail: str = "") -> None:
        super().__init__(f"{address}: {detail}" if detail else address)
        self.address = address
        self.detail = detail

    def reason(self) -> str:
        """What the person who ran the command reads."""
        detail = f" ({self.detail})" if self.detail else ""
        return (
            f"{self.message_vi} tại {self.address}{detail}. Kiểm tra địa chỉ, cổng và mạng, "
            "và rằng `dask scheduler` đang chạy; các trang chưa đọc vẫn chờ, chạy lại đúng lệnh "
            "này để đọc tiếp."
        )


class OneOcrThread(WorkerPlugin):
    """Sets ``OMP_THREAD_LIMIT=1`` in each worker process before any page job runs there.

    A worker that joins later (say one the nanny restarted after a kill) gets it when it
    registers, before its first task.  Debian's Tesseract reads the variable when the library
    loads, which happens with the first page job's import."""

    name = "bangdiem-one-ocr-thread"
    idempotent = True

    def setup(self, worker: Any) -> None:
        os.environ["OMP_THREAD_LIMIT"] = "1"


# The OCR engine is one per process and not thread-safe (ocr/engine.py): a worker started with
# several threads reads one page at a time.  Start workers with ``--nthreads 1``.
_ENGINE_LOCK = threading.Lock()


def _one_page_at_a_time(fn: Callable[[Job], Result], job: Job) -> Result:
    with _ENGINE_LOCK:
        return fn(job)


class DaskExecutor:
    """Runs jobs on the Dask cluster whose scheduler is at ``address``.

    Connects at construction (so that an unreachable scheduler is reported before any work);
    use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        address: str,
        *,
        window: int | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self.address = address
        self._window = window
        try:
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise SchedulerUnreachableError(address, str(error) or type(error).__name__) from error
        try:
            self.client.register_plugin(OneOcrThread(), name=OneOcrThread.name)
        except (OSError, TimeoutError) as error:
            self.client.close()
            raise SchedulerUnreachableError(address, str(error) or type(error).__name__) from error

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def threads(self) -> int:
        """Worker threads in the cluster now."""
        return sum(self.client.nthreads().values())

    def window(self) -> int:
        return self._window or max(2, 2 * self.threads())

    def run(
        self, fn: Callable[[Job], Result], jobs: Iterable[Job]
    ) -> Iterator[Outcome[Job, Result]]:
        task = partial(_one_page_at_a_time, fn)
        queue: deque[Job] = deque(jobs)
        if not queue:
            return
        suspects: deque[Job] = deque()  # the scheduler gave up on them: run once more, alone
        yield from self._drain(task, queue, self.window(), suspects)
        crashed: deque[Job] = deque()
        yield from self._drain(task, suspects, 1, crashed)
        for job in crashed:
            yield Outcome(job, None, WorkerCrashedError())

    def _drain(
        self,
        task: Callable[[Job], Result],
        source: deque[Job],
        window: int,
        killed: deque[Job],
    ) -> Iterator[Outcome[Job, Result]]:
        """Run every job of ``source`` with at most ``window`` in flight; a job whose workers
        kept dying goes to ``killed``."""
        in_flight: dict[Future[Result], Job] = {}
        arrived = as_completed(loop=self.client.loop)

        def refill() -> None:
            while source and len(in_flight) < window:
                job = source.popleft()
                future: Future[Result] = self.client.submit(task, job, pure=False)
                in_flight[future] = job
                arrived.add(future)

        try:
            refill()
            for future in arrived:
                job = in_flight.pop(future)
                status = future.status
                if status == "finished":
                    result = future.result()
                    future.release()
                    yield Outcome(job, result, None)
                elif status == "error":
                    error = future.exception()
                    future.release()
                    if isinstance(error, KilledWorker):
                        killed.append(job)
                    else:
                        yield Outcome(job, None, error)
                else:  # cancelled: the client lost its scheduler
                    raise SchedulerUnreachableError(self.address, "mất kết nối giữa chừng")
                refill()
        finally:
            if in_flight:  # stopped early (an error in the parent, Ctrl-C): free the workers
                self.client.cancel(list(in_flight))
