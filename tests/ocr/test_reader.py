"""Reading whole generated pages against their ground truth."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np
import pytest

from ocr import reader
from ocr.column_layout import has_name
from ocr.engine import Engine, Reading, engine
from ocr.model import ListContext, PageOutcome, RowResult, SheetResult
from ocr.preprocess import Upright, make_upright, orientation_judged
from ocr.reader import read_page
from ocr.table import page_table
from records.export_format import SheetHeader, flat_fields
from records.vocabulary import FieldStatus
from tests.samples import Document

pytestmark = pytest.mark.slow


def _auto_values_are_right(document: Document, sheet_rows: list[RowResult]) -> tuple[int, int]:
    right = total = 0
    for row, truth in zip(sheet_rows, document.truth, strict=False):
        expected = flat_fields(truth)
        for name, field in row.fields.items():
            if field.status is FieldStatus.AUTO and name in expected:
                total += 1
                want = expected[name]["value"]
                got = field.value
                right += (
                    (float(got) == float(want))
                    if isinstance(want, float) and got not in (None, "V")
                    else (got == want)
                )
    return right, total


def test_printed_sheet_every_row_and_header(printed_page: Document) -> None:
    sheet, upright = read_page(printed_page.image, sample_key="t")
    assert sheet.outcome is PageOutcome.TABLE
    assert (sheet.header.exam_year, sheet.header.level) == (1996, "THPT")
    assert len(sheet.rows) == len(printed_page.truth)
    assert upright.shape == printed_page.image.shape
    numbers = [row.fields["candidate_number"].value for row in sheet.rows]
    expected = printed_page.truth_values("candidate_number")
    assert sum(a == b for a, b in zip(numbers, expected, strict=True)) >= len(expected) - 2
    right, total = _auto_values_are_right(printed_page, sheet.rows)
    assert total > len(sheet.rows) * 5  # most fields of a clean page are trusted ...
    assert right == total  # ... and every trusted value is right


def test_unruled_sheet(unruled_page: Document) -> None:
    sheet, _ = read_page(unruled_page.image, sample_key="t")
    assert sheet.outcome is PageOutcome.TABLE
    assert len(sheet.rows) == len(unruled_page.truth)
    right, total = _auto_values_are_right(unruled_page, sheet.rows)
    assert right == total and total > 0


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_turned_page_is_read_upright(printed_page: Document, quarter_turns: int) -> None:
    turned = np.ascontiguousarray(np.rot90(printed_page.image, quarter_turns))
    sheet, upright = read_page(turned, sample_key="t")
    assert (
        sheet.rotation == (360 - 90 * quarter_turns) % 360
        or sheet.rotation == 90 * (4 - quarter_turns) % 360
    )
    assert upright.shape == printed_page.image.shape
    assert len(sheet.rows) == len(printed_page.truth)


def test_blank_page() -> None:
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(225, 6, (2339, 1654)), 0, 255).astype(np.uint8)
    sheet, _ = read_page(paper)
    assert sheet.outcome is PageOutcome.BLANK and sheet.rows == []


def test_page_without_table(printed_page: Document) -> None:
    header_only = printed_page.image.copy()
    header_only[260:] = 235  # keep the title block, wipe the table
    sheet, _ = read_page(header_only)
    assert sheet.outcome is PageOutcome.NO_TABLE


def test_continuation_page_uses_the_context_given(printed_page: Document) -> None:
    first, _ = read_page(printed_page.image, sample_key="t")
    assert first.columns is not None
    # the same table without its header block and titles: a list continuing on a new page
    top = min(row.box.y for row in first.rows if row.box) - 5
    body = np.full_like(printed_page.image, 235)
    body[200 : 200 + printed_page.image.shape[0] - top] = printed_page.image[top:]
    alone, _ = read_page(body)
    assert alone.needs_context
    context = ListContext(first.columns, first.header)
    again, _ = read_page(body, context=context)
    assert again.outcome is PageOutcome.TABLE and not again.needs_context
    assert again.header.exam_year == 1996
    assert len(again.rows) >= len(first.rows) - 1


class FivesAsThrees:
    """The real engine, except that it reads every 5 of a score as a doubtful 3 (as the
    Vietnamese model takes a typewriter's 7 for a 1): rows whose sum then fails."""

    def __init__(self) -> None:
        self.real = engine()

    def read_cells(self, cells: list[Any], whitelist: str | None = None) -> list[Reading]:
        readings = self.real.read_cells(cells, whitelist)
        if whitelist is None or "V" not in whitelist:
            return readings
        return [Reading(r.text.replace("5", "3"), 0.4) if "5" in r.text else r for r in readings]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class SevensOnly:
    """A second model that sees a 7 in every cell."""

    def read_cells(self, cells: list[Any], whitelist: str | None = None) -> list[Reading]:
        return [Reading("7", 0.99) for _ in cells]


def _auto_numbers(sheet: SheetResult) -> int:
    return sum(
        f.status is FieldStatus.AUTO
        for row in sheet.rows
        for name, f in row.fields.items()
        if name == "total" or name.startswith("scores.")
    )


def _numbers(row: RowResult) -> dict[str, str | None]:
    return {n: f.value for n, f in row.fields.items() if n == "total" or n.startswith("scores.")}


def test_a_second_opinion_is_taken_only_where_the_row_sum_then_holds(
    printed_page: Document,
) -> None:
    misread = cast(Engine, FivesAsThrees())
    alone, _ = read_page(printed_page.image, reader=misread, sample_key="t")
    helped, _ = read_page(
        printed_page.image, reader=misread, second_reader=engine(), sample_key="t"
    )
    assert _auto_numbers(helped) > _auto_numbers(alone) + len(helped.rows) // 2
    right, total = _auto_values_are_right(printed_page, helped.rows)
    assert right == total
    # a second model that is wrong everywhere balances no row: nothing wrong is trusted
    misled, _ = read_page(
        printed_page.image, reader=misread, second_reader=cast(Engine, SevensOnly()), sample_key="t"
    )
    right, total = _auto_values_are_right(printed_page, misled.rows)
    assert right == total
    # ... and every row keeps the first model's reading for the reviewer
    assert [_numbers(row) for row in misled.rows] == [_numbers(row) for row in alone.rows]


def test_other_readings_wait_for_the_header_of_the_page_before(printed_page: Document) -> None:
    """A page without its own header has no year, so no sum can hold as it is read: the
    second model's readings stay on its rows, and the judgement with the inherited header
    (``reassess``) takes those the sums then confirm."""
    first, _ = read_page(printed_page.image, sample_key="t")
    table = page_table(make_upright(printed_page.image).binary).table
    assert table is not None
    headless = printed_page.image.copy()
    headless[: table.box.y - 2] = 235
    misread = cast(Engine, FivesAsThrees())
    held, _ = read_page(headless, reader=misread, second_reader=engine(), sample_key="t")
    assert held.needs_context and held.columns is not None
    assert any(row.variants for row in held.rows)
    context = ListContext(first.columns, first.header)
    judged = reader.reassess(held, context, sample_key="t")
    without = replace(held, rows=[replace(row, variants=[]) for row in held.rows])
    plain = reader.reassess(without, context, sample_key="t")
    assert judged is not None and plain is not None
    assert _auto_numbers(judged) > _auto_numbers(plain) + len(judged.rows) // 2
    right, total = _auto_values_are_right(printed_page, judged.rows)
    assert right == total


def test_review_sample_rate_is_honoured(printed_page: Document) -> None:
    everything, _ = read_page(printed_page.image, sample_key="t", sample_rate=1.0)
    statuses = {f.status for row in everything.rows for f in row.fields.values()}
    assert FieldStatus.AUTO not in statuses
    reasons = [f.reason or "" for row in everything.rows for f in row.fields.values()]
    assert any("kiểm tra ngẫu nhiên" in reason for reason in reasons)


def test_columns_of_another_list_are_not_borrowed(printed_page: Document) -> None:
    first, _ = read_page(printed_page.image, sample_key="t")
    assert first.columns is not None and first.header.level == "THPT"
    # the page's own header block, then the table without its titles
    header_bottom = min(row.box.y for row in first.rows if row.box) - 120
    top = min(row.box.y for row in first.rows if row.box) - 5
    page = np.full_like(printed_page.image, 235)
    page[:header_bottom] = printed_page.image[:header_bottom]
    rest = printed_page.image[top:]
    page[header_bottom + 60 : header_bottom + 60 + rest.shape[0]] = rest[
        : page.shape[0] - header_bottom - 60
    ]
    other = ListContext(first.columns, SheetHeader(1988, "PTTH", "Trường PTTH Bà Rịa"))
    refused, _ = read_page(page, context=other)
    assert refused.outcome is PageOutcome.UNKNOWN_COLUMNS and not refused.rows
    same, _ = read_page(page, context=ListContext(first.columns, first.header))
    assert same.outcome is PageOutcome.TABLE and len(same.rows) >= len(first.rows) - 2


def _continuation(printed_page: Document) -> np.ndarray:
    first, _ = read_page(printed_page.image, sample_key="t")
    top = min(row.box.y for row in first.rows if row.box) - 5
    body = np.full_like(printed_page.image, 235)
    body[200 : 200 + printed_page.image.shape[0] - top] = printed_page.image[top:]
    return body


@pytest.mark.parametrize(("sure", "readings"), [(True, 1), (False, 2)])
def test_a_page_without_titles_is_read_turned_only_when_its_way_up_is_in_doubt(
    printed_page: Document, monkeypatch: pytest.MonkeyPatch, sure: bool, readings: int
) -> None:
    body = _continuation(printed_page)
    upright = make_upright(body)
    assert upright.sure and upright.rotation == 0
    assert orientation_judged(np.ascontiguousarray(np.rot90(upright.binary, 2))) == (180, True)
    monkeypatch.setattr(reader, "make_upright", lambda *_: replace(upright, sure=sure))
    calls: list[int] = []
    read_upright = reader._read_upright

    def counting(page: Upright, **kwargs: Any) -> tuple[SheetResult, np.ndarray]:
        calls.append(page.rotation)
        return read_upright(page, **kwargs)

    monkeypatch.setattr(reader, "_read_upright", counting)
    sheet, _ = read_page(body)
    assert sheet.outcome is PageOutcome.UNKNOWN_COLUMNS and sheet.needs_context
    assert len(calls) == readings


def _judgements(sheet: SheetResult) -> list[dict[str, tuple[FieldStatus, str | None]]]:
    return [{n: (f.status, f.reason) for n, f in row.fields.items()} for row in sheet.rows]


def test_judging_again_with_the_same_header_changes_nothing(printed_page: Document) -> None:
    """A page held for its header is judged again by ``reassess``: with the header it already
    had, every field must end as it did (the printed row numbers' check included)."""
    sheet, _ = read_page(printed_page.image, sample_key="t")
    assert any(row.printed_number for row in sheet.rows)
    again = reader.reassess(sheet, ListContext(sheet.columns, sheet.header), sample_key="t")
    assert again is not None
    assert _judgements(again) == _judgements(sheet)


def test_judging_again_checks_the_printed_row_numbers(printed_page: Document) -> None:
    sheet, _ = read_page(printed_page.image, sample_key="t")
    third = sheet.rows[2]
    assert third.printed_number is not None
    third.printed_number = ("9", 0.99)  # a well-read jump the rows after keep: 1, 2, 9, 10
    sheet.rows[3].printed_number = ("10", 0.99)
    again = reader.reassess(sheet, ListContext(sheet.columns, sheet.header), sample_key="t")
    assert again is not None
    name = again.rows[2].fields["full_name"]
    assert name.status is FieldStatus.NEEDS_REVIEW
    assert "số thứ tự không liên tiếp" in (name.reason or "")


def test_judging_again_honours_the_review_sample_rate(printed_page: Document) -> None:
    sheet, _ = read_page(printed_page.image, sample_key="t")
    again = reader.reassess(
        sheet, ListContext(sheet.columns, sheet.header), sample_key="t", sample_rate=1.0
    )
    assert again is not None
    assert FieldStatus.AUTO not in {f.status for row in again.rows for f in row.fields.values()}


def test_a_page_whose_name_title_is_unread_takes_the_columns_before(
    printed_page: Document,
) -> None:
    first, _ = read_page(printed_page.image, sample_key="t")
    assert first.columns is not None and "full_name" in first.columns.fields
    # the same page with its "Họ và tên" title wiped: its other titles still read
    table = page_table(make_upright(printed_page.image).binary).table
    assert table is not None
    index = first.columns.fields.index("full_name")
    left, right = first.columns.edges[index] + 4, first.columns.edges[index + 1] - 4
    title_top, title_bottom = table.bands[0][0] + 3, table.bands[0][1] - 3
    wiped = printed_page.image.copy()
    wiped[title_top:title_bottom, left:right] = 255
    alone, _ = read_page(wiped, sample_key="t")
    assert alone.columns is not None and not has_name(alone.columns)
    assert alone.needs_context  # the batch reads it again with the page before's columns
    assert reader.reassess(alone, ListContext(first.columns, first.header)) is None
    again, _ = read_page(wiped, context=ListContext(first.columns, first.header))
    assert again.columns is not None and again.columns.fields == first.columns.fields
    assert "Dùng tiêu đề cột của trang trước" in again.notes
    names = [row.fields["full_name"].value for row in again.rows]
    assert names == [row.fields["full_name"].value for row in first.rows]
