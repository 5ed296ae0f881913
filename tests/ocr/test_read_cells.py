"""Cells read doubtfully or not at all are read again: a number column's doubtful cells at the
scan's own size, and inked cells the stacked column left empty each on their own."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from ocr.cell_reading import (
    Cell,
    assemble_row,
    opinion_variants,
    read_cells,
    second_opinions,
)
from ocr.engine import CharChoice, Engine, Reading
from ocr.model import Box, ColumnLayout
from ocr.table import Ruling, Table
from ocr.trust_policy import DEFAULT_POLICY

BAND = 28  # small print: enlarged twice for the engine
WIDTH = 80


class SizeSensitiveEngine:
    """Reads an enlarged "5.5" as ".5" (as Tesseract did on a computer-printed sheet) and the
    same cell at its own size right; a name the same either way."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str | None]] = []  # (cells, whitelist) of each call

    def read_cells(
        self, cells: list[npt.NDArray[np.uint8]], whitelist: str | None = None
    ) -> list[Reading]:
        self.calls.append((len(cells), whitelist))
        out = []
        for cell in cells:
            if whitelist is None:
                out.append(Reading("Lê Văn An", 0.97))
            elif cell.min() > 128:
                out.append(Reading("", 0.0))
            elif cell.shape[0] > BAND + 20:
                out.append(Reading(".5", 0.34))
            else:
                out.append(Reading("5.5", 0.98))
        return out


def test_a_doubtful_score_is_read_again_as_scanned_and_the_surer_reading_kept() -> None:
    bands = [(10 + i * BAND, 10 + (i + 1) * BAND) for i in range(3)]
    page = np.full((10 + 4 * BAND, 2 * WIDTH), 255, dtype=np.uint8)
    page[bands[0][0] + 8 : bands[0][1] - 8, WIDTH + 20 : WIDTH + 50] = 0  # ink in two cells
    page[bands[1][0] + 8 : bands[1][1] - 8, WIDTH + 20 : WIDTH + 50] = 0
    table = Table(Box(0, 10, 2 * WIDTH, 3 * BAND), [0, WIDTH, 2 * WIDTH], bands, Ruling.FULL)
    layout = ColumnLayout(["full_name", "scores.math"], [0, WIDTH, 2 * WIDTH], ["Họ tên", "Toán"])
    engine = SizeSensitiveEngine()
    rows = read_cells(cast(Engine, engine), page, table, layout, bands)
    assert [row["scores.math"].reading.text for row in rows] == ["5.5", "5.5", ""]
    assert rows[2]["scores.math"].reading.confidence == 0.99  # no ink: certainly blank
    assert [row["full_name"].reading.text for row in rows] == ["Lê Văn An"] * 3
    # names once; scores once enlarged, then the two inked cells once more together
    assert [count for count, _ in engine.calls] == [3, 3, 2]


SMUDGE = 100  # grey enough to count as ink, too faint to read


class StackDroppingEngine:
    """Drops the lone mark at the top of a stacked column (as Tesseract dropped a typewritten
    "7" under a rule's remnant) and reads the same cell alone; a grey smudge (ink, but none
    darker than ``SMUDGE``) reads as nothing either way."""

    def __init__(self) -> None:
        self.calls: list[int] = []  # cells in each call

    def read_cells(
        self, cells: list[npt.NDArray[np.uint8]], whitelist: str | None = None
    ) -> list[Reading]:
        self.calls.append(len(cells))
        out = []
        for index, cell in enumerate(cells):
            inked = cell.min() <= 128
            dropped = index == 0 and len(cells) > 1
            if not inked or dropped or cell.min() > SMUDGE // 2:
                out.append(Reading("", 0.0))
            else:
                out.append(Reading("7", 0.95))
        return out


def _column(
    ink_levels: list[int | None],
) -> tuple[Table, ColumnLayout, list[tuple[int, int]], npt.NDArray[np.uint8]]:
    bands = [(10 + i * BAND, 10 + (i + 1) * BAND) for i in range(len(ink_levels))]
    page = np.full((20 + len(bands) * BAND, WIDTH), 255, dtype=np.uint8)
    for (top, bottom), level in zip(bands, ink_levels, strict=True):
        if level is not None:
            page[top + 8 : bottom - 8, 30:40] = level
    table = Table(Box(0, 10, WIDTH, len(bands) * BAND), [0, WIDTH], bands, Ruling.FULL)
    return table, ColumnLayout(["ranking"], [0, WIDTH], ["Xếp loại"]), bands, page


def test_an_inked_cell_the_column_left_empty_is_read_alone() -> None:
    table, layout, bands, page = _column([0, 0, None])
    engine = StackDroppingEngine()
    rows = read_cells(cast(Engine, engine), page, table, layout, bands)
    assert [row["ranking"].reading.text for row in rows] == ["7", "7", ""]
    assert rows[2]["ranking"].reading.confidence == 0.99  # no ink: certainly blank, not retried
    assert engine.calls == [3, 1]


def test_a_cell_still_unread_alone_stays_empty_for_the_checks() -> None:
    table, layout, bands, page = _column([SMUDGE, 0])
    engine = StackDroppingEngine()
    rows = read_cells(cast(Engine, engine), page, table, layout, bands)
    first = rows[0]["ranking"]
    assert (first.reading.text, first.has_ink) == ("", True)
    assert engine.calls == [2, 1]


class ConstantEngine:
    """Reads every cell as the same text (a second model that sees only 7s)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cells = 0

    def read_cells(
        self, cells: list[npt.NDArray[np.uint8]], whitelist: str | None = None
    ) -> list[Reading]:
        self.cells += len(cells)
        return [Reading(self.text, 0.9) for _ in cells]


def _cell(part: str, text: str, confidence: float, row: int, inked: bool = True) -> Cell:
    return Cell(part, Box(0, row * BAND, WIDTH, BAND), Reading(text, confidence), inked)


def test_second_opinions_only_on_doubtful_numbers_of_the_sum() -> None:
    page = np.full((4 * BAND, WIDTH), 255, dtype=np.uint8)
    rows = [
        {"scores.math": _cell("scores.math", "1", 0.95, 0), "total": _cell("total", "", 0.0, 0)},
        {
            "scores.math": _cell("scores.math", "1", 0.40, 1),
            "full_name": _cell("full_name", "Lê Văn An", 0.40, 1),
            "bonus": _cell("bonus", "", 0.0, 1, inked=False),
        },
        {"scores.math": _cell("scores.math", "7", 0.40, 2)},
        {"scores.math": _cell("scores.math", "1", 0.95, 3)},
    ]
    # read confidently, but the engine's runner-up was a 7: doubtful too
    rows[3]["scores.math"].reading = Reading(
        "1", 0.95, [[CharChoice("1", 0.95), CharChoice("7", 0.60)]], ["1"]
    )
    second = ConstantEngine("7")
    opinions = second_opinions(cast(Engine, second), rows, page, 1.0, DEFAULT_POLICY)
    seven = Reading("7", 0.9)
    assert opinions[0] == {"total": seven}  # math read confidently: never offered; total unread
    # not the name (no number of the sum), not the bonus (no ink: certainly blank)
    assert opinions[1] == {"scores.math": seven}
    assert opinions[2] == {}  # the second model agrees
    assert opinions[3] == {"scores.math": seven}  # a runner-up 7: doubtful
    assert second.cells == 4  # the three doubtful scores and the unread total

    fields = assemble_row(rows[1])
    [other] = opinion_variants(fields, rows[1], opinions[1])
    assert other["scores.math"][0].text == "7"
    assert other["full_name"] == fields["full_name"]
    assert opinion_variants(assemble_row(rows[2]), rows[2], opinions[2]) == []


def test_the_terms_and_the_total_never_both_from_the_other_reader() -> None:
    row = {
        "scores.math": _cell("scores.math", "4", 0.40, 0),
        "scores.history": _cell("scores.history", "5", 0.95, 0),
        "total": _cell("total", "44.5", 0.40, 0),
    }
    opinions = {"scores.math": Reading("9", 0.9), "total": Reading("49.5", 0.9)}
    fields = assemble_row(row)
    terms, total = opinion_variants(fields, row, opinions)
    assert (terms["scores.math"][0].text, terms["total"][0].text) == ("9", "44.5")
    assert (total["scores.math"][0].text, total["total"][0].text) == ("4", "49.5")
    assert terms["scores.history"] == total["scores.history"] == fields["scores.history"]
