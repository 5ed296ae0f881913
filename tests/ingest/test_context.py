"""Which page lends a continuation page its columns and header."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from ingest.executor import Job, Outcome, Result, SerialExecutor
from ingest.pipeline import _previous_context, run_batch
from ingest.worker import PageJob, PageOutput
from ocr.model import ColumnLayout, PageOutcome, SheetResult
from records.export_format import SheetHeader
from records.models import Batch, Page, ScanFile, Sheet
from records.settings import Settings

COLUMNS = '{"fields": ["candidate_number", "full_name"], "edges": [0, 50, 300], "titles": []}'


def _page(
    session: Session,
    batch: Batch,
    name: str,
    header: tuple[int | None, str | None] | None,
    columns: str | None = COLUMNS,
) -> Page:
    scan = ScanFile(
        batch_id=batch.id or 0,
        sha256=name.encode().hex().ljust(64, "0")[:64],
        original_name=name,
        stored_path="x",
        format="png",
        size_bytes=1,
        page_count=1,
    )
    session.add(scan)
    session.flush()
    page = Page(scan_file_id=scan.id or 0, page_number=1)
    session.add(page)
    session.flush()
    if header is not None:
        year, level = header
        session.add(Sheet(page_id=page.id or 0, exam_year=year, level=level, columns_json=columns))
        session.flush()
    return page


def _job(page: Page) -> PageJob:
    return PageJob(page.id or 0, Path("x.png"), "png", 1, Path("y.png"), 10**8)


def test_the_nearest_page_with_columns_lends_its_header_even_without_a_year(
    session: Session,
) -> None:
    batch = Batch(name="lot")
    session.add(batch)
    session.flush()
    _page(session, batch, "a1.png", (1984, "BTVH"))  # another list, before
    _page(session, batch, "b1.png", (None, "PTCS"))  # this list's first page: year unread
    _page(session, batch, "b2.png", (None, None), columns=None)  # no table
    job = _job(_page(session, batch, "b3.png", None))
    context = _previous_context(session, job)
    assert context is not None
    assert (context.header.exam_year, context.header.level) == (None, "PTCS")


def test_no_page_before_means_no_context(session: Session) -> None:
    batch = Batch(name="lot")
    session.add(batch)
    session.flush()
    job = _job(_page(session, batch, "a1.png", None))
    assert _previous_context(session, job) is None


class _FinishingBackwards:
    """Runs every job, then hands the outcomes back last page first (workers finish in any
    order)."""

    def run(
        self, fn: Callable[[Job], Result], jobs: Iterable[Job]
    ) -> Iterator[Outcome[Job, Result]]:
        outcomes = list(SerialExecutor().run(fn, jobs))
        yield from reversed(outcomes)


def _layout(*fields: str) -> ColumnLayout:
    return ColumnLayout(list(fields), list(range(0, 100 * (len(fields) + 1), 100)), [])


FIRST = _layout("candidate_number", "full_name", "total")
SECOND = _layout("full_name", "candidate_number", "total")


def test_held_pages_lend_columns_in_reading_order_whatever_order_they_finish(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    """p2 has its own columns but no year; p3 has neither.  p3 must take p2's columns (the
    nearest page before it) even when the workers hand p3 back before p2."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for shade, name in enumerate(("p1.png", "p2.png", "p3.png")):
        Image.new("L", (60, 40), 250 - shade).save(folder / name)  # three files, not one
    lent: dict[str, ColumnLayout | None] = {}

    def read(job: PageJob) -> PageOutput:
        name = job.order[0]
        if name == "p1.png":
            sheet = SheetResult(PageOutcome.TABLE, SheetHeader(1990, "PTTH"), columns=FIRST)
        elif name == "p2.png":
            sheet = SheetResult(PageOutcome.TABLE, columns=SECOND, needs_context=True)
        elif job.context is None:
            sheet = SheetResult(PageOutcome.UNKNOWN_COLUMNS, needs_context=True)
        else:
            lent[name] = job.context.columns
            sheet = SheetResult(PageOutcome.TABLE, columns=job.context.columns)
        return PageOutput(job.page_id, sheet)

    summary = run_batch(
        session, settings, "lot", [folder], progress=False, page_fn=read,
        executor=_FinishingBackwards(),
    )  # fmt: skip
    assert summary.pages_done == 3
    assert lent == {"p3.png": SECOND}
