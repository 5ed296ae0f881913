"""Cells of a number column read doubtfully are read again at the scan's own size."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from ocr.cell_reading import read_cells
from ocr.engine import Engine, Reading
from ocr.model import Box, ColumnLayout
from ocr.table import Ruling, Table

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
