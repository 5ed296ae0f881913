"""Which page lends a continuation page its columns and header."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from ingest.pipeline import _previous_context
from ingest.worker import PageJob
from records.models import Batch, Page, ScanFile, Sheet

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
