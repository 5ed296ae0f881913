"""Reading a page: image in, structured sheet with per-field confidence out.

The steps, each in its own module:
  upright (preprocess) → blank? → rules and table (table) → sheet header (sheet_header)
  → column titles (columns) → cells, a column at a time with its alphabet (engine)
  → row assembly → checks and repairs (checks).
Pure: no database, no files; the caller decides what to keep.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from ocr import checks, column_content, field_state, trust_policy
from ocr import columns as cols
from ocr.cells import cell_boxes, crop, has_ink, row_padding, scaled, target_scale
from ocr.engine import Engine, Reading, engine
from ocr.model import (
    Box,
    ColumnLayout,
    FieldResult,
    ListContext,
    PageOutcome,
    RowResult,
    SheetResult,
)
from ocr.parsing import split_candidate_number
from ocr.preprocess import (
    Upright,
    darken,
    erase_small_specks,
    flatten_background,
    is_blank,
    make_upright,
    rotate_image,
)
from ocr.sheet_header import HeaderFields, parse_header
from ocr.table import Table, erase_rules, page_table
from records.export_format import SheetHeader
from records.vntext import folded_key
from records.vocabulary import FIELDS_BY_NAME, SCORE_PREFIX, FieldStatus

GrayImage = npt.NDArray[np.uint8]

A4_LONG_SIDE_INCHES = 11.69
MAX_HEADER_BANDS = 3
MIN_RECOGNISED_COLUMNS = 3
NAME_PARTS = frozenset({"full_name", cols.NAME_HEAD, cols.NAME_GIVEN})

_DIGITS = "0123456789"
_SCORE_CHARS = _DIGITS + ",.Vv"
WHITELISTS: dict[str, str | None] = {
    "candidate_number": _DIGITS + "ABCDEGHKLMNPSTUVXY.-/",  # no I, O: read as 1, 0
    "birth_date": _DIGITS + "/-.",
    "total": _SCORE_CHARS + "+ ",
    "bonus": _SCORE_CHARS,
    cols.ROW_NUMBER: _DIGITS,
    cols.MALE_MARK: "xX",
    cols.FEMALE_MARK: "xX",
}


def whitelist_for(part: str) -> str | None:
    if part in WHITELISTS:
        return WHITELISTS[part]
    if part.startswith(SCORE_PREFIX):
        return _SCORE_CHARS
    return None  # names, places, words: the whole Vietnamese alphabet


EMPTY_CELL_CONFIDENCE = 0.99
HEADER_SCALE_DPI = 300  # the header's small print is read as if scanned at 300 dpi


def estimate_dpi(image: GrayImage) -> int:
    """Archive scans are A4 (or A3 folded to A4): the long side tells the resolution."""
    return max(100, round(int(max(image.shape)) / A4_LONG_SIDE_INCHES))


@dataclass
class _Cell:
    part: str
    box: Box
    reading: Reading
    has_ink: bool


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
        return cols.recognised_count(parts), bool(set(parts) & NAME_PARTS)

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


def _with_columns_before(
    own: ColumnLayout, table: Table, before: ColumnLayout
) -> tuple[ColumnLayout, Table]:
    """This page's layout completed by the page before's, matched by column widths: each
    column this page's titles did not name takes the page before's part, unless this page
    names that part elsewhere.  When the widths show two columns of the page before run
    together here, the page before's layout (and its split) is taken whole."""
    carried, carried_table = _layout_for(table, before)
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


def _layout_for(table: Table, previous: ColumnLayout) -> tuple[ColumnLayout, Table]:
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


# Numbers the sum checks: a doubtful one is read again at the scan's own size.
SUMMED = frozenset({"total", "bonus"})
REREAD_BELOW = 0.90  # the checks' own threshold (TrustPolicy.min_confidence)


def _read_doubtful_as_scanned(
    reader: Engine,
    clean: GrayImage,
    ink: GrayImage,
    boxes: list[Box],
    readings: list[Reading],
    part: str,
) -> list[Reading]:
    """Cells of a number column read doubtfully, read again without enlargement; the more
    confident reading is kept.

    Enlarging small print to the engine's preferred height is right for most cells, but the
    interpolated strokes of some digits lose them: a computer-printed "5.5" read ".5" or
    "3.5" enlarged 1.6 or 2 times, and "5.5" at the scan's own size.  The row's checks still
    judge whichever reading is kept (the sum decides a score)."""
    doubtful = [
        i
        for i, (box, reading) in enumerate(zip(boxes, readings, strict=True))
        if reading.confidence < REREAD_BELOW and has_ink(crop(ink, box))
    ]
    if not doubtful:
        return readings
    again = reader.read_cells([crop(clean, boxes[i]) for i in doubtful], whitelist_for(part))
    kept = list(readings)
    for i, reading in zip(doubtful, again, strict=True):
        if reading.text.strip() and reading.confidence > kept[i].confidence:
            kept[i] = reading
    return kept


def read_cells(
    reader: Engine,
    clean: GrayImage,
    table: Table,
    layout: ColumnLayout,
    bands: Sequence[tuple[int, int]],
    ink: GrayImage | None = None,
) -> list[dict[str, _Cell]]:
    """Every cell of every data band, read a column at a time.

    ``ink`` is the thresholded page used to tell an empty cell from a faint one (the gray
    image the engine reads hides faint strokes from a fixed threshold)."""
    ink = clean if ink is None else ink
    rows: list[dict[str, _Cell]] = [{} for _ in bands]
    pad, scale = row_padding(bands), target_scale(bands)
    for index, part in enumerate(layout.fields):
        if part is None or part == cols.NOTES or index + 1 >= len(table.column_edges):
            continue
        boxes = [cell_boxes(table, band, pad)[index] for band in bands]
        crops = [scaled(crop(clean, box), scale) for box in boxes]
        readings = reader.read_cells(crops, whitelist_for(part))
        if scale > 1.01 and (part in SUMMED or part.startswith(SCORE_PREFIX)):
            readings = _read_doubtful_as_scanned(reader, clean, ink, boxes, readings, part)
        for row, box, reading in zip(rows, boxes, readings, strict=True):
            inked = has_ink(crop(ink, box))
            if not inked and not reading.text.strip():
                # No ink at all: the engine says nothing, but the cell is certainly blank
                # (a bonus of none, no ranking for a failed candidate).
                reading = Reading("", EMPTY_CELL_CONFIDENCE)
            row[part] = _Cell(part, box, reading, inked)
    return rows


def _for_checks(reading: Reading, box: Box) -> field_state.Reading:
    alternatives = tuple(
        field_state.Alternative(text, conf) for text, conf in reading.alternatives()
    )
    return field_state.Reading(
        reading.text, max(0.0, min(1.0, reading.confidence)), alternatives, box
    )


def _mark_confidence(cell: _Cell) -> float:
    """How sure a tick column's reading is: a read "x", or a cell with no ink at all."""
    if cell.reading.text.strip():
        return cell.reading.confidence
    # ink the engine could not read: a person decides
    return 0.0 if cell.has_ink else EMPTY_CELL_CONFIDENCE


def _union(a: Box, b: Box) -> Box:
    x, y = min(a.x, b.x), min(a.y, b.y)
    return Box(x, y, max(a.right, b.right) - x, max(a.bottom, b.bottom) - y)


def assemble_row(cells: dict[str, _Cell]) -> dict[str, tuple[Reading, Box]]:
    """Join column parts into export fields: a split name, sex marked by an x."""
    fields: dict[str, tuple[Reading, Box]] = {
        part: (cell.reading, cell.box) for part, cell in cells.items() if part in FIELDS_BY_NAME
    }
    head, given = cells.get(cols.NAME_HEAD), cells.get(cols.NAME_GIVEN)
    if head and given:
        joined = f"{head.reading.text.strip()} {given.reading.text.strip()}".strip()
        fields["full_name"] = (
            Reading(joined, min(head.reading.confidence, given.reading.confidence)),
            _union(head.box, given.box),
        )
    female, male = cells.get(cols.FEMALE_MARK), cells.get(cols.MALE_MARK)
    if female or male:
        marked_female = bool(female and "x" in female.reading.text.lower())
        marked_male = bool(male and "x" in male.reading.text.lower())
        if male is None:  # only a "Nữ" column: no mark means male
            text = "Nữ" if marked_female else "Nam"
        else:
            text = (
                "Nữ"
                if marked_female and not marked_male
                else ("Nam" if marked_male and not marked_female else "")
            )
        marks = [c for c in (female, male) if c is not None]
        box = marks[0].box if len(marks) == 1 else _union(marks[0].box, marks[1].box)
        confidence = min(_mark_confidence(c) for c in marks)
        fields["sex"] = (Reading(text, confidence), box)
    return fields


_NUMERIC = ("candidate_number", "birth_date", "total")

NUMBER_OFF_PATTERN = "số báo danh khác mẫu của trang"
NUMBER_UNCONFIRMED = "số báo danh không liền số với dòng trên hay dưới"


def confirm_candidate_numbers(
    rows: Sequence[RowResult], *, sample_key: str = "", sample_rate: float | None = None
) -> None:
    """A page's candidate numbers share one form and run on by one from row to row.

    No sum checks a candidate number, and its digits are misread at high confidence (A0728 as
    40728, 510 as 516): a trusted number must have the page's form (prefix, digit count) and
    a neighbour one below or one above it.  Others go to a person.  Only well-read numbers
    vote for the page's form and count as neighbours: doubtful readings of a faint column
    agree with each other as easily as with the sheet (a "B." lost from every number).

    Conversely, a number held back only because the engine offered a rival reading (0459 or
    0458) is confirmed by well-read neighbours exactly one below *and* one above it: between
    them, the page's form and sequence leave no other value.  It is then trusted like any
    field, the random precision sample included (``sample_key`` names the page).
    """
    fields = [row.fields.get("candidate_number") for row in rows]
    forms = [_number_form(f.value) if f is not None and f.value else None for f in fields]
    witnesses = [form if _well_read(f) else None for f, form in zip(fields, forms, strict=True)]
    counted = Counter((prefix, width) for prefix, width, _ in filter(None, witnesses))
    if not counted:
        return
    usual = counted.most_common(1)[0][0]
    rate = trust_policy.DEFAULT_POLICY.sample_rate if sample_rate is None else sample_rate
    for index, (field, form) in enumerate(zip(fields, forms, strict=True)):
        if field is not None and form is not None and _held_by_rival_only(field):
            between = (
                0 < index < len(forms) - 1
                and form[:2] == usual
                and witnesses[index - 1] == (*usual, form[2] - 1)
                and witnesses[index + 1] == (*usual, form[2] + 1)
            )
            if between:
                key = f"{sample_key}:{rows[index].row_number}"
                sampled = checks.sampled_for_review(key, field.name, rate)
                field.status = FieldStatus.NEEDS_REVIEW if sampled else FieldStatus.AUTO
                field.reason = trust_policy.SAMPLED if sampled else None
            continue
        if field is None or field.status is not FieldStatus.AUTO or form is None:
            continue
        prefix, width, number = form
        if (prefix, width) != usual:
            _to_review(field, NUMBER_OFF_PATTERN)
            continue
        before = witnesses[index - 1] if index > 0 else None
        after = witnesses[index + 1] if index + 1 < len(forms) else None
        if not ((before and before[2] == number - 1) or (after and after[2] == number + 1)):
            _to_review(field, NUMBER_UNCONFIRMED)


def _held_by_rival_only(field: FieldResult) -> bool:
    reason = field.reason or ""
    return (
        field.status is FieldStatus.NEEDS_REVIEW
        and reason.startswith(trust_policy.RIVAL_READING)
        and ";" not in reason
    )


def _as_neighbour(field: FieldResult | None) -> field_state.Reading | None:
    """A row's candidate number as the next row's neighbour: its value and how well it was
    read (a doubtful neighbour confirms nothing)."""
    if field is None or not field.value:
        return None
    return field_state.Reading(field.value, max(0.0, min(1.0, field.engine_confidence or 0.0)))


def _well_read(field: FieldResult | None) -> bool:
    """A number read confidently and without a rival reading: only such a number vouches for
    its neighbours (a heavy dot-matrix page misread 0312, 0313, 0314 as 0812, 0813, 0814, the
    last at 0.99 but with 0314 as the engine's runner-up)."""
    return (
        field is not None
        and (field.engine_confidence or 0.0) >= trust_policy.DEFAULT_POLICY.min_confidence
        and trust_policy.RIVAL_READING not in (field.reason or "")
    )


def _number_form(value: str) -> tuple[str, int, int] | None:
    split = split_candidate_number(value)
    if split is None:
        return None
    digits = len(value) - len(split[0])
    return split[0], digits, split[1]


def _to_review(field: FieldResult, reason: str) -> None:
    field.status = FieldStatus.NEEDS_REVIEW
    field.reason = f"{reason}; {field.reason}" if field.reason else reason


def _has_numbers(fields: dict[str, tuple[Reading, Box]]) -> bool:
    """Every candidate's row carries digits: a birth date, scores or a total."""
    return any(
        any(ch.isdigit() for ch in reading.text)
        for name, (reading, _) in fields.items()
        if name in _NUMERIC or name.startswith(SCORE_PREFIX)
    )


INHERITED_HEADER = "Dùng tiêu đề danh sách của trang trước"
OTHER_LIST = "Tiêu đề trang khác danh sách trang trước: không dùng năm thi của trang trước"
SAME_NAME_RATIO = 70.0


def row_number_sequence(printed: Sequence[str | None]) -> list[tuple[bool, int | None]]:
    """For each row of a page, from its printed number (STT) as read: whether to check that
    number against the row above, and the number the row above had.

    A number out of sequence between two neighbours exactly two apart (5, 9, 7) is itself
    misread (a faint typewritten "6" read "9"): the row is in its place, so its number is not
    checked and the next row follows the number it must have had.  Otherwise one misread
    STT would send the identity of two rows (its own and the next) to review."""
    values = [int(t.strip()) if t and t.strip().isdigit() else None for t in printed]
    out: list[tuple[bool, int | None]] = []
    before: int | None = None
    for index, value in enumerate(values):
        after = values[index + 1] if index + 1 < len(values) else None
        if before is not None and value != before + 1 and after == before + 2:
            out.append((False, before))
            before += 1
            continue
        out.append((True, before))
        before = value if value is not None else before
    return out


def same_list(own: SheetHeader, before: SheetHeader) -> bool:
    """Whether what the page says of itself allows it to continue the list before it: a level
    or a council of its own that differs from the page before's shows another list (whose year
    the page before cannot lend: a wrong year applies a wrong rule to every row)."""
    if own.level is not None and before.level is not None and own.level != before.level:
        return False
    for mine, theirs in ((own.council, before.council), (own.school, before.school)):
        if mine and theirs and fuzz.ratio(folded_key(mine), folded_key(theirs)) < SAME_NAME_RATIO:
            return False
    return True


def _inherit(own: SheetHeader, before: SheetHeader) -> SheetHeader:
    if not same_list(own, before):
        return own
    return SheetHeader(
        exam_year=own.exam_year or before.exam_year,
        level=own.level or before.level,
        council=own.council or before.council,
        school=own.school or before.school,
    )


def read_header(
    reader: Engine, gray: GrayImage, flat: GrayImage, bottom: int
) -> tuple[HeaderFields, str]:
    """The sheet header above ``bottom``, and its text.

    Read from the page as scanned first; when that gives no year or no level (a faded or
    gray photocopy: the engine's own threshold loses the light print), read again from the
    page with its paper flattened to white, then from that page darkened (a typewriter's
    worn ribbon leaves a school-year line so pale that even the flattened page loses it),
    and take from each reading what the ones before lacked.
    """
    if bottom <= 10:
        return parse_header(""), ""
    width = gray.shape[1]
    scale = HEADER_SCALE_DPI / estimate_dpi(gray)
    found, texts = parse_header(""), []
    for source in _header_sources(gray, flat):
        # The header's small print is read enlarged, as if scanned at 300 dpi (a misread year
        # would send every score of the page to the wrong rule).
        header_image = scaled(crop(source, Box(0, 0, width, bottom)), scale)
        text = reader.read_block(header_image, layout=True)
        texts.append(text)
        found = _fill_gaps(found, parse_header(text))
        if found.exam_year is not None and found.level is not None:
            break
    return found, "\n".join(t for t in texts if t)


def _header_sources(gray: GrayImage, flat: GrayImage) -> Iterator[GrayImage]:
    """The header's images in the order they are read, each made only when asked for."""
    yield gray
    yield flat
    yield darken(flat)


def _fill_gaps(found: HeaderFields, other: HeaderFields) -> HeaderFields:
    """``found`` with what it lacks taken from ``other``."""
    return HeaderFields(
        **{
            name: getattr(found, name) if getattr(found, name) is not None else getattr(other, name)
            for name in HeaderFields.__dataclass_fields__
        }
    )


def reassess(
    sheet: SheetResult,
    context: ListContext,
    *,
    sample_key: str = "",
    sample_rate: float | None = None,
) -> SheetResult | None:
    """Judge a page again with the header of the page before, without reading it again.

    A continuation page whose columns were recognised but whose header (year, level) is on an
    earlier page was read in full; only the checks need the year's rule.  Returns None when
    the page lacks its columns too, or its name column (which the page before's columns may
    name): then it must be read again with the context.
    """
    if sheet.columns is None or sheet.outcome is not PageOutcome.TABLE:
        return None
    if not has_name(sheet.columns) and context.columns is not None:
        return None  # read again: the page before's columns may name what its titles did not
    header = _inherit(sheet.header, context.header)
    rows: list[RowResult] = []
    previous: field_state.Reading | None = None
    sequence = row_number_sequence(
        [row.printed_number[0] if row.printed_number else None for row in sheet.rows]
    )
    for row, (checked, previous_printed) in zip(sheet.rows, sequence, strict=True):
        printed = (
            field_state.Reading(*row.printed_number) if row.printed_number and checked else None
        )
        readings = {
            name: field_state.Reading(
                field.raw_text,
                max(0.0, min(1.0, field.engine_confidence or 0.0)),
                tuple(field_state.Alternative(text, conf) for text, conf in field.alternatives),
                field.box,
            )
            for name, field in row.fields.items()
        }
        again = checks.assess_row(
            readings,
            exam_year=header.exam_year,
            level=header.level,
            row_number=row.row_number,
            sample_key=f"{sample_key}:{row.row_number}",
            sample_rate=sample_rate,
            previous_candidate_number=previous,
            printed_row_number=printed,
            previous_printed_row_number=previous_printed,
            box=row.box,
        )
        again.printed_number = row.printed_number
        previous = _as_neighbour(again.fields.get("candidate_number")) or previous
        rows.append(again)
    confirm_candidate_numbers(rows, sample_key=sample_key, sample_rate=sample_rate)
    return replace(
        sheet,
        header=header,
        rows=rows,
        needs_context=False,
        notes=[*sheet.notes, INHERITED_HEADER if header != sheet.header else OTHER_LIST],
    )


def read_page(
    gray: GrayImage,
    *,
    context: ListContext | None = None,
    reader: Engine | None = None,
    sample_key: str = "",
    sample_rate: float | None = None,
) -> tuple[SheetResult, GrayImage]:
    """Read one page; return the sheet and the page image in reading orientation.

    When no column title can be recognised the page may be upside down (the orientation test
    errs on a few per hundred pages): unless its way up was beyond doubt, it is read once more
    turned half a turn.  (A page that continues a list has no titles: reading it turned was a
    third of its time, and it is read again anyway with the page before's columns.)
    """
    reader = reader or engine()
    dpi = estimate_dpi(gray)
    upright = make_upright(gray, dpi)
    sheet, image = _read_upright(
        upright, context=context, reader=reader, sample_key=sample_key, sample_rate=sample_rate
    )
    if sheet.outcome is PageOutcome.UNKNOWN_COLUMNS and context is None and not upright.sure:
        turned = Upright(
            gray=rotate_image(upright.gray, 180),
            binary=rotate_image(upright.binary, 180),
            rotation=(upright.rotation + 180) % 360,
            deskew=upright.deskew,
        )
        second, image2 = _read_upright(
            turned, context=None, reader=reader, sample_key=sample_key, sample_rate=sample_rate
        )
        if second.outcome is PageOutcome.TABLE:
            return second, image2
    return sheet, image


def _read_upright(
    upright: Upright,
    *,
    context: ListContext | None,
    reader: Engine,
    sample_key: str,
    sample_rate: float | None = None,
) -> tuple[SheetResult, GrayImage]:
    height, width = upright.gray.shape
    base = SheetResult(
        outcome=PageOutcome.BLANK,
        rotation=upright.rotation,
        deskew_angle=upright.deskew,
        width=width,
        height=height,
    )
    if is_blank(upright.binary):
        return base, upright.gray
    found_table = page_table(upright.binary)
    rules, table = found_table.rules, found_table.table
    clean = erase_small_specks(found_table.clean)
    # Cells are read from the gray page (paper flattened to white, rules erased): the engine
    # reads anti-aliased strokes better than thresholded ones (commas, thin serifs survive).
    flat = flatten_background(upright.gray)
    cells_image = erase_rules(flat, rules)
    header_bottom = table.box.y if table else height // 3
    found, header_text = read_header(reader, upright.gray, flat, header_bottom)
    own_header = header = SheetHeader(
        exam_year=found.exam_year, level=found.level, council=found.council, school=found.school
    )
    if header.exam_year is None or header.level is None:
        if context is not None:
            inherited = _inherit(header, context.header)
            base.notes.append(INHERITED_HEADER if inherited != header else OTHER_LIST)
            header = inherited
        else:
            base.needs_context = True
    base.header = header
    base.issuing_body, base.title, base.header_text = found.issuing_body, found.title, header_text
    if table is None:
        base.outcome = PageOutcome.NO_TABLE
        base.needs_context = False
        return base, upright.gray
    base.outcome = PageOutcome.TABLE
    own_layout, title_bands = find_columns(reader, clean, table, cells_image)
    if own_layout is None:
        # The page before's columns fit only a page of the same list (another list's columns
        # laid on this table would read every cell as the wrong field).
        if context is None or context.columns is None or not same_list(own_header, context.header):
            base.needs_context = context is None
            base.outcome = PageOutcome.UNKNOWN_COLUMNS
            return base, upright.gray
        own_layout, table = _layout_for(table, context.columns)
        base.notes.append("Dùng tiêu đề cột của trang trước")
    elif not has_name(own_layout):
        # Titles read, but not the name's: a list of candidates without names is no list.
        # The page before's columns, when it is of the same list, name what this page's
        # titles could not (a dot-matrix page whose "Họ và tên" came out "Hụ và").
        if context is None:
            base.needs_context = True
        elif context.columns is not None and same_list(own_header, context.header):
            own_layout, table = _with_columns_before(own_layout, table, context.columns)
            if has_name(own_layout):
                base.notes.append("Dùng tiêu đề cột của trang trước")
    data_bands = table.bands[title_bands:]
    own_layout = name_by_content(reader, cells_image, clean, table, own_layout, data_bands, header)
    base.columns = own_layout
    cells = read_cells(reader, cells_image, table, own_layout, data_bands, ink=clean)
    previous_number: field_state.Reading | None = None
    rows_read: list[tuple[tuple[int, int], dict[str, _Cell], dict[str, tuple[Reading, Box]]]] = []
    for band, row_cells in zip(data_bands, cells, strict=True):
        assembled = assemble_row(row_cells)
        if _has_numbers(assembled):  # else a title's second line, or an empty ruled row
            rows_read.append((band, row_cells, assembled))
    printed_cells = [row_cells.get(cols.ROW_NUMBER) for _, row_cells, _ in rows_read]
    sequence = row_number_sequence([c.reading.text if c else None for c in printed_cells])
    for (band, _, assembled), printed, (checked, previous_printed) in zip(
        rows_read, printed_cells, sequence, strict=True
    ):
        number = len(base.rows) + 1
        row = checks.assess_row(
            {name: _for_checks(reading, box) for name, (reading, box) in assembled.items()},
            exam_year=header.exam_year,
            level=header.level,
            row_number=number,
            sample_key=f"{sample_key}:{number}",
            sample_rate=sample_rate,
            previous_candidate_number=previous_number,
            printed_row_number=(
                _for_checks(printed.reading, printed.box) if printed and checked else None
            ),
            previous_printed_row_number=previous_printed,
            box=Box(table.box.x, band[0], table.box.w, band[1] - band[0]),
        )
        previous_number = _as_neighbour(row.fields.get("candidate_number")) or previous_number
        if printed is not None:
            row.printed_number = (
                printed.reading.text,
                max(0.0, min(1.0, printed.reading.confidence)),
            )
        base.rows.append(row)
    confirm_candidate_numbers(base.rows, sample_key=sample_key, sample_rate=sample_rate)
    return base, upright.gray
