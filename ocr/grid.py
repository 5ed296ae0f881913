"""Any ruled or partly ruled table as a grid of cells, for the other registers an archive holds.

The same structure steps as score sheets (ocr.table), without the score-sheet meaning: every
column is read, with one alphabet for the whole grid when the caller knows it (digits only for
a register of numbers), and every cell keeps its confidence.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ocr.cells import cell_boxes, crop, row_padding, scaled, target_scale
from ocr.engine import Engine, engine
from ocr.model import Box
from ocr.preprocess import erase_small_specks, make_upright
from ocr.reader import estimate_dpi
from ocr.table import erase_rules, find_rules, locate_table

GrayImage = npt.NDArray[np.uint8]


class NoTableError(Exception):
    message_vi = "Không tìm thấy bảng có kẻ dòng hoặc kẻ cột trên ảnh"


@dataclass(frozen=True)
class GridCell:
    row: int  # 0-based band index, top to bottom
    column: int  # 0-based, left to right
    text: str
    confidence: float
    box: Box


def read_grid(
    gray: GrayImage, *, whitelist: str | None = None, reader: Engine | None = None
) -> list[list[GridCell]]:
    """Read every cell of the page's table; rows top to bottom, cells left to right."""
    reader = reader or engine()
    upright = make_upright(gray, estimate_dpi(gray))
    rules = find_rules(upright.binary)
    table = locate_table(upright.binary, rules)
    if table is None:
        raise NoTableError()
    clean = erase_small_specks(erase_rules(upright.binary, rules))
    pad = row_padding(table.bands)
    scale = target_scale(table.bands)
    grid: list[list[GridCell]] = [[] for _ in table.bands]
    for column in range(len(table.column_edges) - 1):
        boxes = [cell_boxes(table, band, pad)[column] for band in table.bands]
        readings = reader.read_cells([scaled(crop(clean, b), scale) for b in boxes], whitelist)
        for row, (box, reading) in enumerate(zip(boxes, readings, strict=True)):
            grid[row].append(GridCell(row, column, reading.text, reading.confidence, box))
    return grid


def write_grid_csv(grid: list[list[GridCell]], out: Path, *, confidence: bool = False) -> None:
    """One CSV row per table row; with ``confidence``, each cell is followed by its confidence."""
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in grid:
            if confidence:
                writer.writerow([part for c in row for part in (c.text, f"{c.confidence:.3f}")])
            else:
                writer.writerow([c.text for c in row])
