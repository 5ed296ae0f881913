"""Any ruled or partly ruled table as a grid of cells, for the other registers an archive holds.

The same structure steps as score sheets (ocr.table), without the score-sheet meaning: every
column is read, with one alphabet for the whole grid when the caller knows it (digits only for
a register of numbers), and every cell keeps its confidence.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ocr.cells import cell_boxes, crop, row_padding, scaled, target_scale
from ocr.engine import Engine, engine
from ocr.model import Box
from ocr.preprocess import erase_small_specks, make_upright
from ocr.reader import estimate_dpi
from ocr.table import Mask, Table, page_table, text_bands

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


def column_rows(ink: Mask, table: Table, min_band: int) -> list[list[tuple[int, int] | None]]:
    """Row bands found column by column, then lined up across the page.

    A photographed page is curved: a row drifts by a line's height from one side of a wide
    table to the other, so rows found across the whole width merge.  Within one column the
    drift is negligible; each column's lines are matched to the rows of the columns before it
    by their height on the page (following the drift), and a line matching no row starts one.
    Returns, per row top to bottom, each column's band or None.
    """
    rows: list[dict[int, tuple[int, int]]] = []
    centre: list[float] = []  # each row's height as last seen, following the drift
    top, bottom = table.box.y, table.box.bottom
    pitch = float(np.median([b - a for a, b in table.bands])) if table.bands else 20.0
    for column, (left, right) in enumerate(itertools.pairwise(table.column_edges)):
        for band in text_bands(ink, top, bottom, left + 2, right - 2, min_band):
            middle = (band[0] + band[1]) / 2
            near = [i for i in range(len(rows)) if column not in rows[i]]
            best = min(near, key=lambda i: abs(centre[i] - middle), default=None)
            if best is not None and abs(centre[best] - middle) <= pitch * 0.5:
                rows[best][column] = band
                centre[best] = middle
            else:
                rows.append({column: band})
                centre.append(middle)
    order = sorted(range(len(rows)), key=lambda i: min(b[0] for b in rows[i].values()))
    columns = len(table.column_edges) - 1
    return [[rows[i].get(c) for c in range(columns)] for i in order]


def read_grid(
    gray: GrayImage, *, whitelist: str | None = None, reader: Engine | None = None
) -> list[list[GridCell]]:
    """Read every cell of the page's table; rows top to bottom, cells left to right."""
    reader = reader or engine()
    upright = make_upright(gray, estimate_dpi(gray))
    found = page_table(upright.binary)
    table = found.table
    if table is None:
        raise NoTableError()
    clean = erase_small_specks(found.clean)
    pad = row_padding(table.bands)
    scale = target_scale(table.bands)
    min_band = max(6, clean.shape[0] // 300)
    layout = column_rows(np.asarray(clean == 0, dtype=np.uint8), table, min_band)
    grid: list[list[GridCell]] = [[] for _ in layout]
    for column in range(len(table.column_edges) - 1):
        boxes = [
            cell_boxes(table, band, pad)[column] if band else None
            for band in (row[column] for row in layout)
        ]
        present = [b for b in boxes if b is not None]
        readings = iter(
            reader.read_cells([scaled(crop(clean, b), scale) for b in present], whitelist)
        )
        for row, box in enumerate(boxes):
            if box is None:
                grid[row].append(GridCell(row, column, "", 0.0, Box(0, 0, 0, 0)))
            else:
                reading = next(readings)
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
