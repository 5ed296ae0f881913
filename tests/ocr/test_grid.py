"""The grid reader's structure steps on a table ruled only between its columns, photographed
curved (synthetic: rules bent as a bound book's page bends them, rows with no rules)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from ocr.engine import Engine, Reading
from ocr.grid import (
    CurvedRule,
    StraightColumn,
    column_rules,
    fill_rows,
    ink_lines,
    line_up,
    lower_points,
    read_grid,
    read_voted,
    ruled_columns,
    stretched,
)

WIDTH, HEIGHT = 1400, 1000
TOP, BOTTOM = 150, 900
RULE_XS = [150, 330, 510, 690, 870, 1050, 1230]
ROWS = [200 + 45 * i + 20 * (i // 5) for i in range(15)]  # bands of five, no rules


def bend(x: float, y: float) -> float:
    """The curve of the page: rules bow by up to 10 px, more on the right."""
    return x + 10 * (x / WIDTH) * ((y - 525) / 375) ** 2


def value(row: int, column: int) -> str:
    return f"{(row * 7 + column * 3) % 10}{(row + column) % 10}{(row * column) % 10}"


@pytest.fixture(scope="module")
def page() -> npt.NDArray[np.uint8]:
    light = 205 + 40 * np.sin(np.linspace(0, np.pi, WIDTH))  # brighter in the middle
    image = np.repeat(light[None, :], HEIGHT, axis=0).astype(np.uint8)
    for x in RULE_XS:
        ys = np.arange(TOP, BOTTOM, 4, dtype=np.float64)
        points = np.stack([[bend(x, y) for y in ys], ys], axis=1).astype(np.int32)
        cv2.polylines(image, [points], False, 60, 2)
    for row, y in enumerate(ROWS):
        for column, (left, right) in enumerate(itertools.pairwise(RULE_XS)):
            x = int(bend((left + right) / 2, y)) - 45
            cv2.putText(
                image, value(row, column), (x, y + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2
            )
    return image


def test_curved_rules_are_followed_down_the_page(page: npt.NDArray[np.uint8]) -> None:
    rules = column_rules(page)
    assert len(rules) == len(RULE_XS)
    for rule, x in zip(rules, RULE_XS, strict=True):
        assert rule.top <= TOP + 40 and rule.bottom >= BOTTOM - 40
        for y in (TOP + 20, 525, BOTTOM - 20):
            assert abs(float(rule.at(np.array([float(y)]))[0]) - bend(x, y)) <= 3


def test_rows_without_rules_are_found_in_every_column(page: npt.NDArray[np.uint8]) -> None:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    found = ruled_columns(page, binary)
    assert found is not None
    top, columns = found
    assert len(columns) == len(RULE_XS) - 1
    layout = line_up([c.bands for c in columns])
    assert len(layout) == len(ROWS)
    assert all(band is not None for row in layout for band in row)
    centres = [top + sum(next(b for b in row if b)) / 2 for row in layout]
    assert all(abs(c - (y + 3)) <= 12 for c, y in zip(centres, ROWS, strict=True))


def test_a_page_with_two_rules_is_not_a_ruled_table() -> None:
    image = np.full((400, 600), 255, dtype=np.uint8)
    cv2.line(image, (100, 50), (100, 350), 0, 2)
    cv2.line(image, (300, 50), (300, 350), 0, 2)
    assert ruled_columns(image, image) is None


def test_the_curved_table_is_read_cell_by_cell_with_confidence(
    page: npt.NDArray[np.uint8],
) -> None:
    grid = read_grid(page, whitelist="0123456789")
    assert len(grid) == len(ROWS)
    right = sum(
        cell.text == value(r, c) for r, row in enumerate(grid) for c, cell in enumerate(row)
    )
    assert right >= 0.9 * len(ROWS) * (len(RULE_XS) - 1)
    assert all(0.0 <= cell.confidence <= 1.0 for row in grid for cell in row)
    assert grid[0][0].box.x > RULE_XS[0]


def test_a_lone_digit_with_a_thin_waist_is_one_line() -> None:
    """A "5" is dense at its bars and thin at its waist: still one line, not two."""
    ink = np.zeros((120, 40), dtype=np.uint8)
    for top in (10, 50, 90):  # three digits, 20 px tall, 20 px apart
        ink[top : top + 3, 10:30] = 1  # top bar
        ink[top + 3 : top + 9, 10:12] = 1  # thin stem
        ink[top + 9 : top + 11, 10:30] = 1  # middle bar
        ink[top + 11 : top + 18, 28:30] = 1  # thin stem
        ink[top + 18 : top + 20, 10:30] = 1  # bottom bar
    ink[45, 20] = 1  # a speck between two lines
    bands = ink_lines(ink, 6)
    assert len(bands) == 3
    for (upper, lower), top in zip(bands, (10, 50, 90), strict=True):
        assert upper <= top and lower >= top + 20


def test_a_raised_decimal_point_is_moved_down_to_the_baseline() -> None:
    """ "9·093" as the 1898 register prints it: the point half way up the digits."""
    gray = np.full((60, 120), 255, dtype=np.uint8)
    cv2.putText(gray, "9", (5, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    cv2.putText(gray, "093", (35, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    cv2.circle(gray, (28, 31), 2, 0, -1)  # the raised point
    ink = np.asarray(gray < 128, dtype=np.uint8)
    column = StraightColumn(gray, ink_lines(ink, 6), CurvedRule((0.0,), 0, 60), ink)
    lowered = lower_points(column)
    point = lowered[:, 24:33] < 128
    assert not point[27:35].any()  # gone from half way up
    assert point[36:41].any()  # now on the baseline (the digits' bottom, y = 40)
    assert (lowered[:, :22] == gray[:, :22]).all() and (lowered[:, 34:] == gray[:, 34:]).all()


def test_a_margin_column_that_found_its_lines_badly_takes_the_rows_of_the_others() -> None:
    """Column 0 (faint day numbers) missed row 1, ran rows 2 and 3 together into one tall band
    that made a row of its own; the other columns found all three rows."""
    a, b, c = (100, 130), (130, 160), (160, 190)
    layout: list[list[tuple[int, int] | None]] = [
        [a, a, a, a],
        [None, b, b, b],
        [(131, 189), None, None, None],
        [None, c, c, c],
    ]
    assert fill_rows(layout) == [[a, a, a, a], [b, b, b, b], [c, c, c, c]]


class _SizeSensitive(Engine):
    """A recogniser that slips at one size only: "0.1938" where the cell is 100 px wide."""

    def __init__(self) -> None:
        self.reads = 0

    def read_cells(
        self, cells: list[npt.NDArray[np.uint8]], whitelist: str | None = None
    ) -> list[Reading]:
        self.reads += len(cells)
        return [Reading("0.1938" if c.shape[1] == 100 else "0.193", 0.97) for c in cells]


def test_the_sizes_outvote_a_slip_and_the_cell_loses_confidence() -> None:
    reader = _SizeSensitive()
    crops = [np.full((30, 100), 255, dtype=np.uint8), np.full((30, 90), 255, dtype=np.uint8)]
    first, second = read_voted(reader, crops, 1.0, "0123456789.")
    assert first.text == "0.193" and first.confidence < 0.97
    assert second.text == "0.193" and second.confidence == 0.97
    assert reader.reads == 5  # the third size only for the cell the first two disagree on


def test_faint_print_is_stretched_and_blank_paper_is_not() -> None:
    faint = np.full((20, 20), 230, dtype=np.uint8)
    faint[5:15, 9:11] = 170  # a washed-out "1"
    out = stretched(faint)
    assert out[10, 10] == 0 and out[0, 0] == 255
    paper = np.full((20, 20), 228, dtype=np.uint8)
    paper[3, 3] = 214  # grain
    assert (stretched(paper) == paper).all()
