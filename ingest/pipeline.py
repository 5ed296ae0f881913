"""The batch, as a short sequence of named steps: register → plan → read pages → summarise.

Resumable by construction: files are registered one transaction each, and each page's rows are
committed together with the page's status, so running the same command again after any
interruption (even ``kill -9``) simply picks up the pages still pending.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import Session, col, select
from tqdm import tqdm

from ingest.batch import RegisterSummary, register_paths
from ingest.errors import BatchStoppedError, IngestError
from ingest.executor import (
    Executor,
    Outcome,
    WorkerCrashedError,
    make_executor,
)
from ingest.store import OUTCOME_NOTES, mark_failed, store_result
from ingest.worker import PageJob, PageOutput, process_page, sample_key
from ocr.model import ColumnLayout, ListContext, PageOutcome
from ocr.reader import reassess
from records.export_format import SheetHeader
from records.models import Batch, Page, ScanFile, Sheet
from records.settings import Settings
from records.vocabulary import FieldStatus, ProcessingStatus

PageFunction = Callable[[PageJob], PageOutput]


@dataclass
class BatchSummary:
    registered: RegisterSummary
    pages_done: int = 0
    pages_skipped: list[tuple[str, str]] = field(default_factory=list)  # (page label, why)
    pages_failed: list[tuple[str, str]] = field(default_factory=list)
    rows: int = 0
    fields: Counter[FieldStatus] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def pages_read(self) -> int:
        return self.pages_done + len(self.pages_skipped) + len(self.pages_failed)


def page_image_relpath(scan: ScanFile, page_number: int) -> Path:
    return Path("pages") / scan.sha256[:2] / scan.sha256 / f"{page_number:04d}.png"


def plan_jobs(session: Session, batch_name: str, settings: Settings) -> list[PageJob]:
    """Every page of the batch still to read, by file and page number."""
    pending = session.exec(
        select(Page, ScanFile)
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .join(Batch, col(ScanFile.batch_id) == col(Batch.id))
        .where(Batch.name == batch_name)
        .where(col(Page.status).in_([ProcessingStatus.PENDING, ProcessingStatus.RUNNING]))
        .order_by(col(ScanFile.id), col(Page.page_number))
    ).all()
    return [
        PageJob(
            page_id=page.id or 0,
            scan_path=settings.data_dir / scan.stored_path,
            file_format=scan.format,
            page_number=page.page_number,
            image_path=settings.data_dir / page_image_relpath(scan, page.page_number),
            max_pixels=settings.max_page_pixels,
            order=(scan.original_name, page.page_number),
            sample_rate=settings.review_sample_rate,
        )
        for page, scan in pending
    ]


def _label(session: Session, job: PageJob) -> str:
    if job.order[0]:  # known from planning: no database round trip after the page's commit
        return f"{job.order[0]} tr. {job.order[1]}"
    page_id = job.page_id
    page = session.get(Page, page_id)
    scan = session.get(ScanFile, page.scan_file_id) if page else None
    return f"{scan.original_name} tr. {page.page_number}" if page and scan else str(page_id)


def _error_reason(error: BaseException) -> str:
    if isinstance(error, IngestError):
        return error.reason()
    if isinstance(error, WorkerCrashedError):
        return error.message_vi
    return f"Lỗi khi đọc trang: {type(error).__name__}: {error}"[:480]


def _previous_context(session: Session, job: PageJob) -> ListContext | None:
    """Columns and header of the nearest page before ``job``'s in the batch (by file name, then
    page) whose columns were found.  A list continues over pages of one file or over separate
    files (scanners often save one JPEG per page).  The nearest such page lends its header even
    when it lacks the year: skipping back to a page that has one would lend another list's
    year (and with it another year's rule)."""
    page = session.get(Page, job.page_id)
    scan = session.get(ScanFile, page.scan_file_id) if page else None
    if page is None or scan is None:
        return None
    candidates = session.exec(
        select(Sheet, ScanFile.original_name, Page.page_number)
        .join(Page, col(Sheet.page_id) == col(Page.id))
        .join(ScanFile, col(Page.scan_file_id) == col(ScanFile.id))
        .where(ScanFile.batch_id == scan.batch_id)
        .where(col(Sheet.columns_json).is_not(None))
    ).all()
    here = (scan.original_name, page.page_number)
    before = [
        ((name, number), sheet) for sheet, name, number in candidates if (name, number) < here
    ]
    if not before:
        return None
    sheet = max(before, key=lambda pair: pair[0])[1]
    return ListContext(
        columns=ColumnLayout.from_json(sheet.columns_json or ""),
        header=SheetHeader(
            exam_year=sheet.exam_year, level=sheet.level, council=sheet.council, school=sheet.school
        ),
    )


class _Progress:
    """A progress bar with pages/min and ETA, in Vietnamese."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.started = time.monotonic()
        self.bar = tqdm(
            total=total, unit="trang", desc="Đọc trang", disable=not enabled, dynamic_ncols=True
        )

    def step(self) -> None:
        self.bar.update(1)
        elapsed = time.monotonic() - self.started
        if elapsed > 0:
            self.bar.set_postfix_str(f"{self.bar.n / elapsed * 60:.1f} trang/phút")

    def close(self) -> None:
        self.bar.close()


def _graft(
    session: Session,
    settings: Settings,
    outcome: Outcome[PageJob, PageOutput],
    summary: BatchSummary,
) -> None:
    job = outcome.job
    if isinstance(outcome.error, BatchStoppedError):
        raise outcome.error  # disk full: the page stays pending and the batch stops
    retry = settings.db_retry_seconds
    if outcome.error is not None or outcome.result is None:
        reason = _error_reason(outcome.error or RuntimeError("no result"))
        mark_failed(session, job.page_id, reason, retry_seconds=retry)
        summary.pages_failed.append((_label(session, job), reason))
        return
    sheet = outcome.result.sheet
    counts = store_result(
        session,
        job.page_id,
        sheet,
        job.image_path.relative_to(settings.data_dir),
        retry_seconds=retry,
    )
    if sheet.outcome is PageOutcome.TABLE:
        summary.pages_done += 1
    else:
        summary.pages_skipped.append((_label(session, job), OUTCOME_NOTES[sheet.outcome]))
    summary.rows += len(sheet.rows)
    summary.fields.update({status: n for status, n in counts.items() if n})


def read_pages(
    session: Session,
    settings: Settings,
    jobs: list[PageJob],
    executor: Executor,
    summary: BatchSummary,
    *,
    progress: bool,
    page_fn: PageFunction = process_page,
) -> None:
    """Run every job and graft each result as it arrives.

    A page that continues a list without its column titles or header (``needs_context``) is
    held back, then read again with the context of the page before it.
    """
    bar = _Progress(len(jobs), progress)
    held: list[Outcome[PageJob, PageOutput]] = []
    try:
        for outcome in executor.run(page_fn, jobs):
            if outcome.result is not None and outcome.result.sheet.needs_context:
                held.append(outcome)
                continue
            _graft(session, settings, outcome, summary)
            bar.step()
        # Second pass, in parallel: every held page with the context of the nearest page
        # before it that is complete; held pages without one keep their first reading.  Held
        # pages are judged in the list's reading order, not in the order the workers finished
        # them: a page judged here lends its columns to the next held page, so the finishing
        # order would otherwise decide which page lends them and reruns could disagree.
        again: list[PageJob] = []
        for outcome in sorted(held, key=lambda held_page: held_page.job.order):
            context = _previous_context(session, outcome.job)
            first = outcome.result
            judged = (
                reassess(
                    first.sheet,
                    context,
                    sample_key=sample_key(outcome.job),
                    sample_rate=outcome.job.sample_rate,
                )
                if (context is not None and first is not None)
                else None
            )
            if judged is not None and first is not None:
                # columns were read: only the checks need the inherited header
                outcome = Outcome(outcome.job, replace(first, sheet=judged), None)
            if context is None or judged is not None:
                _graft(session, settings, outcome, summary)
                bar.step()
            else:
                again.append(replace(outcome.job, context=context))
        for outcome in executor.run(page_fn, again):
            _graft(session, settings, outcome, summary)
            bar.step()
    finally:
        bar.close()


def finish_files(session: Session, batch_name: str) -> None:
    """A file is done when none of its pages is pending; failed when every page failed."""
    scans = session.exec(
        select(ScanFile)
        .join(Batch, col(ScanFile.batch_id) == col(Batch.id))
        .where(Batch.name == batch_name)
        .where(ScanFile.status == ProcessingStatus.PENDING)
    ).all()
    for scan in scans:
        statuses = list(session.exec(select(Page.status).where(Page.scan_file_id == scan.id)))
        if not statuses or ProcessingStatus.PENDING in statuses:
            continue
        if all(s is ProcessingStatus.FAILED for s in statuses):
            scan.status = ProcessingStatus.FAILED
            scan.error = "Không đọc được trang nào của tệp"
        else:
            scan.status = ProcessingStatus.DONE
        session.add(scan)
    session.commit()


def run_batch(
    session: Session,
    settings: Settings,
    batch_name: str,
    paths: Iterable[Path],
    *,
    workers: int = 0,
    progress: bool = True,
    page_fn: PageFunction = process_page,
    executor: Executor | None = None,
) -> BatchSummary:
    """Register ``paths`` into the batch and read its pending pages, on ``executor`` when given
    (a Dask cluster, say), else on ``workers`` local processes."""
    started = time.monotonic()
    summary = BatchSummary(registered=register_paths(session, batch_name, paths, settings))
    jobs = plan_jobs(session, batch_name, settings)
    if executor is None:
        executor = make_executor(workers if len(jobs) > 1 else 1)
    read_pages(session, settings, jobs, executor, summary, progress=progress, page_fn=page_fn)
    finish_files(session, batch_name)
    summary.seconds = time.monotonic() - started
    return summary
