"""Column titles: which title cells are read again, and when (with a scripted engine)."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from ocr.column_layout import find_columns
from ocr.engine import Engine
from ocr.model import Box
from ocr.table import Ruling, Table

BAND = 60  # pixels: rows this tall are read at their own scale (no enlargement)
WIDTH = 100
GRAY_SHIFT = 40  # the gray page's ink is lighter than the thresholded page's


class ScriptedEngine:
    """Reads a title cell as the script says for its column and number of bands.

    Each column of the page is inked with its own level (20 + 2 × column), so the engine
    knows which column a crop shows; its height tells the bands and the enlargement."""

    def __init__(self, first: dict[int, list[str]], again: dict[int, str] | None = None) -> None:
        self.first = first  # bands -> the text of each column at the rows' scale
        self.again = again or {}  # column -> what a re-reading gives
        self.reads: list[tuple[int, int, bool]] = []  # (column, height, from the gray page)

    def read_block(self, image: npt.NDArray[np.uint8], *, layout: bool = False) -> str:
        level = int(np.median(image))
        gray = level >= 20 + GRAY_SHIFT
        column = (level - (GRAY_SHIFT if gray else 0) - 20) // 2
        height = image.shape[0]
        self.reads.append((column, height, gray))
        bands = round((height - 4) / BAND)
        if bands * BAND + 4 == height and not gray:
            return self.first[bands][column]
        return self.again.get(column, "")


def _page(columns: int) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], Table]:
    bands = [(10 + i * BAND, 10 + (i + 1) * BAND) for i in range(6)]
    edges = [i * WIDTH for i in range(columns + 1)]
    clean = np.full((10 + 7 * BAND, columns * WIDTH), 255, dtype=np.uint8)
    for column in range(columns):
        clean[:, column * WIDTH : (column + 1) * WIDTH] = 20 + 2 * column
    gray = clean + GRAY_SHIFT
    table = Table(Box(0, 10, columns * WIDTH, 6 * BAND), edges, bands, Ruling.FULL)
    return clean, gray, table


def _find(engine: ScriptedEngine, columns: int) -> tuple[list[str | None] | None, int]:
    clean, gray, table = _page(columns)
    layout, bands = find_columns(cast(Engine, engine), clean, table, gray)
    return (layout.fields if layout else None), bands


def test_a_misread_short_title_is_read_again() -> None:
    engine = ScriptedEngine(
        {
            1: ["STT", "Họ và tên", "Ngày sinh", "Ko"],
            2: ["STT 1", "Họ và tên Lê Văn An", "Ngày sinh 1/2/1970", "Ko Đỗ"],
            3: ["STT 1 2", "Họ và tên Lê Văn An Lê Thị Ba", "Ngày sinh", "Ko Đỗ Đỗ"],
        },
        again={3: "KQ"},
    )
    fields, bands = _find(engine, 4)
    assert fields == ["row_number", "full_name", "birth_date", "result"]
    assert bands == 1
    assert any(column == 3 and gray for column, _, gray in engine.reads)


def test_a_page_without_titles_reads_no_cell_again() -> None:
    """A continuation page: its first rows are data, short scores name no column, and
    reading them again (four times each) could never make a layout."""
    engine = ScriptedEngine(
        {
            1: ["12", "Lê Văn An", "1/2/1970", "7,5", "x", "Đỗ"],
            2: ["12 13", "Lê Văn An Lê Thị Ba", "1/2/1970 3/4/1971", "7,5 8", "x", "Đỗ Đỗ"],
            3: ["12 13 14", "Lê Văn An Lê Thị Ba Võ Cúc", "1/2/1970", "7,5 8 9", "x x", "Đỗ"],
        }
    )
    assert _find(engine, 6) == (None, 0)
    assert len(engine.reads) == 3 * 6  # each cell once for each number of title rows


def test_a_reading_that_cannot_win_is_not_read_again() -> None:
    """Two bands read as titles name three columns and have four doubtful short cells: seven
    at best, fewer than one band's eight, so they are not read again."""
    engine = ScriptedEngine(
        {
            1: ["STT", "SBD", "Họ và tên", "Ngày sinh", "Văn", "Toán", "TĐ", "Ko"],
            2: ["STT", "SBD", "Họ và tên", "1/2/1970", "5", "7", "8", "Ko"],
            3: ["STT 1 2", "SBD", "Họ và tên", "Ngày sinh", "Văn 5", "7 8", "TĐ", "Ko Đỗ"],
        },
        again={7: "KQ"},
    )
    fields, bands = _find(engine, 8)
    assert bands == 1
    assert fields is not None and fields[-1] == "result"
    again = [height for _, height, gray in engine.reads if gray or (height - 4) % BAND]
    assert again and set(again) <= {BAND + 4, (BAND + 4) * 3 // 2, (BAND + 4) * 2}


def test_once_every_column_is_named_no_more_title_rows_are_read() -> None:
    titles = ["STT", "SBD", "Họ và tên", "Ngày sinh", "Văn", "Toán", "TĐ", "KQ"]
    engine = ScriptedEngine({1: titles, 2: titles, 3: titles})
    fields, bands = _find(engine, 8)
    assert bands == 1 and fields is not None and None not in fields
    assert {height for _, height, _ in engine.reads} == {BAND + 4}  # one title row only
