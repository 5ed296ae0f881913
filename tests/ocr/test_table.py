"""Locating a table ruled between its columns whose rules are broken (a worn photocopy), and
the columns of an unruled table under a stamp."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.table import Segment, _column_gaps, _vertical_extent, locate_table

TOP, BOTTOM = 300, 2100
COLUMNS = list(range(200, 1500, 100))


def _sheet(*, page_edges: bool) -> np.ndarray:
    """A binary page (ink 0): column rules from TOP to BOTTOM of which only two survive whole,
    the others lost above y=800 (most of a rule's pieces start below the titles), a rule
    across the top and the bottom, and a text mark in each column of every row."""
    page = np.full((2339, 1654), 255, dtype=np.uint8)
    for index, x in enumerate(COLUMNS):
        start = TOP if index in (3, 8) else 800
        page[start:BOTTOM, x : x + 3] = 0
    for y in (TOP, BOTTOM):
        page[y : y + 3, COLUMNS[0] : COLUMNS[-1] + 3] = 0
    for row_top in range(TOP + 10, BOTTOM - 30, 45):
        for x in COLUMNS[:-1]:
            page[row_top : row_top + 20, x + 30 : x + 60] = 0
    if page_edges:
        # the dark edge of a scanned sheet: one long line down the side, one across the top
        page[0:2339, 20:26] = 0
        page[40:46, 0:1654] = 0
    return page


@pytest.mark.parametrize("page_edges", [False, True])
def test_broken_column_rules_keep_the_title_row(page_edges: bool) -> None:
    table = locate_table(_sheet(page_edges=page_edges))
    assert table is not None
    assert abs(table.box.y - TOP) <= 5
    assert abs(table.box.bottom - BOTTOM) <= 5
    assert table.bands[0][0] <= TOP + 12  # the first text row (the titles) is in the table


def _rule(pos: int, start: int, end: int) -> Segment:
    return Segment(pos, start, end)


def test_an_end_further_out_needs_two_rules_and_a_rule_across() -> None:
    spine = [_rule(100, 300, 2000), _rule(200, 301, 2000)] + [
        _rule(x, 700, 2000) for x in range(300, 1000, 100)
    ]
    across = [Segment(300, 100, 900)]
    assert _vertical_extent(spine, across, 6)[0] == 300
    # without the rule across, two rules starting higher are not enough
    assert _vertical_extent(spine, [], 6)[0] == 700
    # one rule alone starting higher (a page edge) is not enough either, even with a rule
    # across
    lone = [_rule(100, 40, 2000)] + [_rule(x, 700, 2000) for x in range(200, 1000, 100)]
    assert _vertical_extent(lone, [Segment(42, 0, 1000)], 6)[0] == 700


def test_the_median_stands_when_nothing_lies_further_out() -> None:
    spine = [_rule(x, 300, 2000) for x in range(100, 1000, 100)]
    assert _vertical_extent(spine, [Segment(300, 100, 900)], 6) == (300, 2000)


def _unruled_rows(blocked: list[int]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Ink (1) of 40 text rows in three columns (x 0-99, 130-199, 230-299); in the rows of
    ``blocked`` a mark (a stamp, a long overflowing value) crosses both gaps."""
    ink = np.zeros((40 * 30, 300), dtype=np.uint8)
    bands = []
    for row in range(40):
        top = row * 30
        bands.append((top, top + 20))
        for start, end in ((0, 100), (130, 200), (230, 300)):
            ink[top : top + 20, start + 5 : end - 5] = 1
        if row in blocked:
            ink[top + 5 : top + 10, 50:280] = 1
    return ink, bands


def _gap_starts(blocked: list[int]) -> list[int]:
    ink, bands = _unruled_rows(blocked)
    return [start for start, _ in _column_gaps(ink, bands, 0, 300, 6)]


def test_a_stamp_over_a_few_neighbouring_rows_keeps_the_column_gaps() -> None:
    assert _gap_starts([]) == [95, 195]
    # a stamp: five rows, next to each other (the d021 seal across the dates)
    assert _gap_starts([20, 21, 23, 24, 25]) == [95, 195]


def test_marks_spread_over_the_list_close_the_gaps() -> None:
    # as many rows crossing the gaps, but spread down the list: the columns are one
    assert _gap_starts([2, 10, 18, 27, 36]) == []
    # too many neighbouring rows (more than one in eight) are not a stamp either
    assert _gap_starts(list(range(10, 16))) == []


def test_a_gap_found_without_the_stamp_rule_keeps_its_width() -> None:
    ink, bands = _unruled_rows([])
    ink[20 * 30 : 22 * 30, 90:110] = 1  # two rows reach into the first gap
    assert _column_gaps(ink, bands, 0, 300, 6) == [(110, 135), (195, 235)]
