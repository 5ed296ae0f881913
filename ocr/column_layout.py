"""Finding a page's column layout, and carrying it from the page before.

Why a module of its own: which field each column holds decides every cell of the page, and it
is found three ways, each a fallback for the one before: from the title rows
(``find_columns``, short titles read again where that can matter), from the page before's
layout matched by column widths (``align_columns``: a continuation page has no titles, or lost
its name title), and from what the cells of a still unnamed column hold (``name_by_content``,
through ``ocr.column_content``).  Matching a title's text to a part is ``ocr.columns``'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ocr import column_content
from ocr import columns as cols
from ocr.cells import GrayImage, cell_boxes, crop, has_ink, row_padding, scaled, target_scale
from ocr.engine import Engine
from ocr.model import Box, ColumnLayout
from ocr.table import Table
from records.export_format import SheetHeader
from records.vocabulary import SCORE_PREFIX

MAX_HEADER_BANDS = 3
MIN_RECOGNISED_COLUMNS = 3

# A short title ("TĐ", "XL", "KQ") the engine misread at the rows' scale is read again: from
# the gray page too (thresholding thins a typewriter's small capitals) and larger (two letters
# give the engine little context: "Ko" for "KQ", "x" for "XL").
SHORT_TITLE_CHARS = 4
SHORT_TITLE_RETRIES = ((False, 1.0), (True, 1.5), (False, 2.0), (True, 2.0))


@dataclass
class _Titles:
    """One reading of the title rows: each column's text, and the short unmatched ones."""

    boxes: list[Box]
    texts: list[str]
    scale: float
    doubtful: list[int]  # columns whose short text names no column: worth reading again

    def score(self) -> tuple[int, bool]:
        """Columns recognised, and whether the name is among them."""
        parts = cols.match_columns(self.texts)
        return cols.recognised_count(parts), bool(set(parts) & cols.NAME_PARTS)

    def best_possible(self) -> tuple[int, bool]:
        """The score if every doubtful title were read right at last (an upper bound: one
        column more for each, at most)."""
        count, named = self.score()
        return count + len(self.doubtful), named or bool(self.doubtful)


def _read_titles(reader: Engine, clean: GrayImage, table: Table, bands: int) -> _Titles:
    top, bottom = table.bands[0][0], table.bands[bands - 1][1]
    scale = target_scale(table.bands[bands:] or table.bands)
    boxes = cell_boxes(table, (top, bottom), 2)
    texts: list[str] = []
    doubtful: list[int] = []
    for index, box in enumerate(boxes):
        title = scaled(crop(clean, box), scale)
        readable = title.size and min(title.shape) > 4 and has_ink(title)
        text = " ".join(reader.read_block(title).split()) if readable else ""
        short = readable and len(text.replace(" ", "")) <= SHORT_TITLE_CHARS
        if short and not cols.match_title(text)[0]:
            doubtful.append(index)
        texts.append(text)
    return _Titles(boxes, texts, scale, doubtful)


def _read_doubtful_again(
    reader: Engine, clean: GrayImage, titles: _Titles, gray: GrayImage | None
) -> _Titles:
    """The doubtful short titles read again, from the gray page and larger, until one names a
    column."""
    texts = list(titles.texts)
    for index in titles.doubtful:
        box = titles.boxes[index]
        for thresholded, factor in SHORT_TITLE_RETRIES:
            source = crop(clean if thresholded or gray is None else gray, box)
            again = " ".join(reader.read_block(scaled(source, titles.scale * factor)).split())
            if cols.match_title(again)[0] is not None:
                texts[index] = again
                break
    return _Titles(titles.boxes, texts, titles.scale, [])


def find_columns(
    reader: Engine, clean: GrayImage, table: Table, gray: GrayImage | None = None
) -> tuple[ColumnLayout | None, int]:
    """The column layout from the title rows, and how many bands the titles take.

    The most columns recognised wins; between as many, the one that found the name (a list
    of candidates without its name column is no layout: a title of two lines read as one
    loses it, and every row with it); between equals, the fewest bands, so once every column
    is named more bands are not read.

    Short titles that name no column are read again (four more readings each) only where it
    can matter: for a reading of the title rows that already names enough columns to be a
    layout (on a page without titles, a continuation page, every short score would be read
    four times more: half the page's titles time), and that could still beat the best
    reading so far if every doubtful title turned out right."""
    best: tuple[ColumnLayout | None, int, tuple[int, bool]] = (None, 0, (0, False))
    for bands in range(1, min(MAX_HEADER_BANDS, len(table.bands) - 1) + 1):
        titles = _read_titles(reader, clean, table, bands)
        if (
            titles.doubtful
            and titles.score()[0] >= MIN_RECOGNISED_COLUMNS
            and titles.best_possible() > best[2]
        ):
            titles = _read_doubtful_again(reader, clean, titles, gray)
        score = titles.score()
        if score > best[2]:
            parts = cols.match_columns(titles.texts)
            best = (ColumnLayout(parts, list(table.column_edges), titles.texts), bands, score)
        if best[2] == (len(titles.texts), True):
            break  # every column named, the name among them: more bands cannot do better
    layout, bands, (count, _) = best
    if count < MIN_RECOGNISED_COLUMNS:
        return None, 0
    return layout, bands


def has_name(layout: ColumnLayout) -> bool:
    """Whether the layout gives the full name: one column, or both its halves."""
    parts = set(layout.fields)
    return "full_name" in parts or {cols.NAME_HEAD, cols.NAME_GIVEN} <= parts


def with_columns_before(
    own: ColumnLayout, table: Table, before: ColumnLayout
) -> tuple[ColumnLayout, Table]:
    """This page's layout completed by the page before's, matched by column widths: each
    column this page's titles did not name takes the page before's part, unless this page
    names that part elsewhere.  When the widths show two columns of the page before run
    together here, the page before's layout (and its split) is taken whole."""
    carried, carried_table = layout_for(table, before)
    if len(carried.fields) != len(own.fields):
        return carried, carried_table
    taken = {part for part in own.fields if part is not None}
    fields = [
        mine if mine is not None else (theirs if theirs not in taken else None)
        for mine, theirs in zip(own.fields, carried.fields, strict=True)
    ]
    return ColumnLayout(fields, list(own.edges), list(own.titles)), table


def align_columns(previous: Sequence[int], current: Sequence[int]) -> dict[int, int]:
    """Match the columns of a continuation page to the page before by their widths.

    Pages of one list are scanned at different offsets and sizes, so positions cannot be
    compared; the sequence of column widths (narrow STT, wide name, ...) survives.  A global
    alignment (Needleman–Wunsch) lets a column be missing on either side (an empty last
    column finds no gap in an unruled list).  Returns current index → previous index.
    """
    return align_columns_with_merges(previous, current)[0]


MERGE_COST = 0.15  # a merged pair must fit clearly better than a missing column


def align_columns_with_merges(
    previous: Sequence[int], current: Sequence[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """``align_columns``, and the current columns that hold two columns of the page before
    run together (an unruled list where the gap between "TĐ" and "KK" closed): current index
    → index of the first of the two previous columns."""
    scale = float(np.median(current)) / max(1.0, float(np.median(previous)))
    a = [w * scale for w in previous]
    b = list(map(float, current))
    gap = 0.6
    rows, cols_ = len(a) + 1, len(b) + 1

    def mismatch(x: float, y: float) -> float:
        return abs(x - y) / max(x, y, 1.0)

    def merged(i: int, j: int) -> float:
        return float(cost[i - 2, j - 1]) + mismatch(a[i - 2] + a[i - 1], b[j - 1]) + MERGE_COST

    cost = np.zeros((rows, cols_))
    cost[:, 0] = np.arange(rows) * gap
    cost[0, :] = np.arange(cols_) * gap
    for i in range(1, rows):
        for j in range(1, cols_):
            options = [
                cost[i - 1, j - 1] + mismatch(a[i - 1], b[j - 1]),
                cost[i - 1, j] + gap,
                cost[i, j - 1] + gap,
            ]
            if i >= 2:
                options.append(merged(i, j))
            cost[i, j] = min(options)
    # Columns missing at the end (an empty "Ghi chú") cost less than ones in the middle.
    end_gap = gap * 0.3
    pairs: dict[int, int] = {}
    merges: dict[int, int] = {}
    i = min(range(rows), key=lambda k: cost[k, len(b)] + (len(a) - k) * end_gap)
    j = len(b)
    while i > 0 and j > 0:
        if np.isclose(cost[i, j], cost[i - 1, j - 1] + mismatch(a[i - 1], b[j - 1])):
            pairs[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif i >= 2 and np.isclose(cost[i, j], merged(i, j)):
            merges[j - 1] = i - 2
            i, j = i - 2, j - 1
        elif np.isclose(cost[i, j], cost[i - 1, j] + gap):
            i -= 1
        else:
            j -= 1
    return pairs, merges


def layout_for(table: Table, previous: ColumnLayout) -> tuple[ColumnLayout, Table]:
    """Carry a previous page's columns onto this table (matched by column widths).  A column
    that holds two of the page before's is split in their proportion, so that each field is
    read from its own cell; the table is returned with that edge added."""
    edges = list(table.column_edges)
    widths_before = [b - a for a, b in itertools.pairwise(previous.edges)]
    widths_now = [b - a for a, b in itertools.pairwise(edges)]
    pairs, merges = align_columns_with_merges(widths_before, widths_now)
    parts: list[str | None] = []
    new_edges = edges[:1]
    for index in range(len(widths_now)):
        left, right = edges[index], edges[index + 1]
        if index in merges:
            first = merges[index]
            share = widths_before[first] / max(1, widths_before[first] + widths_before[first + 1])
            new_edges.append(left + round((right - left) * share))
            parts += [previous.fields[first], previous.fields[first + 1]]
        else:
            parts.append(previous.fields[pairs[index]] if index in pairs else None)
        new_edges.append(right)
    layout = ColumnLayout(parts, new_edges, list(previous.titles))
    return layout, replace(table, column_edges=new_edges)


def name_by_content(
    reader: Engine,
    clean: GrayImage,
    ink: GrayImage,
    table: Table,
    layout: ColumnLayout,
    bands: Sequence[tuple[int, int]],
    header: SheetHeader,
) -> ColumnLayout:
    """The layout with the columns whose title names nothing named by what their cells hold
    (``ocr.column_content``), where that is beyond doubt.  Only a sample of each unnamed
    column's inked cells is read (all letters; digits only again where they look numeric),
    so a page whose titles were all read pays nothing."""
    unnamed = [
        i
        for i, part in enumerate(layout.fields)
        if part is None and i + 1 < len(table.column_edges)
    ]
    if not unnamed or not bands:
        return layout
    pad, scale = row_padding(bands), target_scale(bands)
    boxes = [cell_boxes(table, band, pad) for band in bands]
    kinds: dict[int, column_content.Kind] = {}
    for index in unnamed:
        inked = [row for row, row_boxes in enumerate(boxes) if has_ink(crop(ink, row_boxes[index]))]
        if len(inked) < column_content.MIN_CELLS:
            continue
        step = len(inked) / min(len(inked), column_content.SAMPLE_SIZE)
        rows = sorted(
            {inked[int(k * step)] for k in range(min(len(inked), column_content.SAMPLE_SIZE))}
        )
        crops = [scaled(crop(clean, boxes[row][index]), scale) for row in rows]
        texts = [r.text for r in reader.read_cells(crops, None)]
        numeric = None
        if column_content.looks_numeric(texts):
            numeric = [r.text for r in reader.read_cells(crops, column_content.NUMERIC_ALPHABET)]
        kind = column_content.classify(column_content.Sample(rows, texts, numeric))
        if kind is not None:
            kinds[index] = kind
    if not kinds:
        return layout
    subjects = [
        p.removeprefix(SCORE_PREFIX) for p in layout.fields if p and p.startswith(SCORE_PREFIX)
    ]
    rules = column_content.candidate_rules(header.exam_year, header.level, subjects)
    fields = column_content.name_columns(layout.fields, kinds, rules)
    if fields == list(layout.fields):
        return layout
    return replace(layout, fields=fields)
