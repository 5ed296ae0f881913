"""Any ruled or partly ruled table as a grid of cells, for the other registers an archive holds.

The same structure steps as score sheets (ocr.table), without the score-sheet meaning: every
column is read, with one alphabet for the whole grid when the caller knows it (digits only for
a register of numbers), and every cell keeps its confidence.

A table ruled only between its columns (a printed register: no rules between rows) is often a
photograph of a bound book: its rules curve and its light is uneven, so it is read another way
(``column_rules``): each rule is followed down the page as a curve, each column is straightened
between its two rules, and its text lines are found in the straightened strip.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ocr.cells import cell_boxes, crop, has_ink, row_padding, scaled, target_scale
from ocr.engine import Engine, Reading, engine, latin_engine
from ocr.model import Box
from ocr.preprocess import erase_small_specks, estimate_dpi, flatten_background, make_upright
from ocr.table import Mask, Ruling, Table, page_table, text_bands

GrayImage = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float64]

RULE_STRIPS = 16  # horizontal strips in which rule positions are measured, top to bottom
MIN_RULE_STRIPS = 3  # a rule is seen in at least this many strips
RULE_INSET = 3  # pixels kept clear of a rule on each side of a column


def _engine_for(whitelist: str | None) -> Engine:
    """The engine for a grid's alphabet: a grid of bare numbers is read with the English model
    where it is installed (``latin_engine``); words need the Vietnamese model."""
    numeric = whitelist is not None and not any(c.isalpha() for c in whitelist)
    latin = latin_engine() if numeric else None
    return latin or engine()


class NoTableError(Exception):
    message_vi = "Không tìm thấy bảng có kẻ dòng hoặc kẻ cột trên ảnh"


@dataclass(frozen=True)
class GridCell:
    row: int  # 0-based band index, top to bottom
    column: int  # 0-based, left to right
    text: str
    confidence: float
    box: Box


@dataclass(frozen=True)
class CurvedRule:
    """A vertical rule of a curved page: x as a polynomial of y, from ``top`` to ``bottom``,
    corrected where it was measured (``knots``: heights and the rule's offset from the
    polynomial there, interpolated between them; a page is not bent as a parabola is)."""

    coeffs: tuple[float, ...]  # highest power first (numpy.polyval)
    top: int
    bottom: int
    knots: tuple[tuple[float, float], ...] = ()  # (y, offset), y increasing

    def at(self, y: Floats) -> Floats:
        x = np.asarray(np.polyval(self.coeffs, y), dtype=np.float64)
        if self.knots:
            heights, offsets = zip(*self.knots, strict=True)
            x = x + np.interp(y, heights, offsets)
        return x

    def shifted(self, dx: float) -> CurvedRule:
        coeffs = (*self.coeffs[:-1], self.coeffs[-1] + dx)
        return CurvedRule(coeffs, self.top, self.bottom, self.knots)


def _peaks(profile: Floats, threshold: float, spread: int) -> list[int]:
    """x of each local maximum of ``profile`` at least ``threshold`` high, ``spread`` apart."""
    kernel = np.ones(2 * spread + 1, np.uint8)
    widest = cv2.dilate(profile.astype(np.float32).reshape(1, -1), kernel.reshape(1, -1))
    top = (profile >= widest.ravel() - 1e-6) & (profile >= threshold)
    found: list[int] = []
    for x in np.flatnonzero(top):
        if not found or x - found[-1] > spread:
            found.append(int(x))
    return found


def rule_strength(gray: GrayImage) -> GrayImage:
    """How much each pixel looks like part of a long thin dark vertical line (0 elsewhere).

    A black-hat with a short horizontal kernel keeps only thin dark strokes, whatever the
    light around them (a photographed page is brighter at its centre); an opening with a tall
    kernel keeps only strokes that run unbroken much longer than a line of text.
    """
    height, width = gray.shape
    flat = flatten_background(gray)
    across = max(5, width // 250) | 1
    thin = cv2.morphologyEx(flat, cv2.MORPH_BLACKHAT, np.ones((1, across), np.uint8))
    along = max(15, height // 60)
    return np.asarray(
        cv2.morphologyEx(thin, cv2.MORPH_OPEN, np.ones((along, 1), np.uint8)), dtype=np.uint8
    )


def _table_strips(counts: list[int]) -> tuple[int, int]:
    """The longest run of strips crossed by at least half as many rules as the most crossed
    (one strip short of that allowed inside the run): the table, not its titles."""
    busy = [c >= max(counts, default=0) * 0.5 for c in counts]
    best, start, last = (0, 0), None, -2
    for index, flag in enumerate([*busy, False, False]):
        if flag:
            if start is None or index - last > 2:
                start = index
            last = index
            if last + 1 - start > best[1] - best[0]:
                best = (start, last + 1)
    return best


def _extent(strength: GrayImage, coeffs: tuple[float, ...], gap: int) -> tuple[int, int]:
    """Where along a fitted rule the rule is seen: the stretch (gaps up to ``gap`` bridged)
    that holds most of its ink."""
    height, width = strength.shape
    ys = np.arange(height)
    xs = np.clip(np.round(np.polyval(coeffs, ys)).astype(int), 2, width - 3)
    seen = np.flatnonzero(np.max([strength[ys, xs + d] for d in (-2, -1, 0, 1, 2)], axis=0) > 0)
    if seen.size == 0:
        return 0, 0
    breaks = np.flatnonzero(np.diff(seen) > gap)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks + 1, [seen.size]))
    best = int(np.argmax(ends - starts))
    return int(seen[starts[best]]), int(seen[ends[best] - 1]) + 1


def _ahead(track: list[tuple[float, float]], y: float) -> float:
    """Where a track of (y, x) points is expected at height ``y``: its last point, moved on
    along the line through its last two (a rule drifts steadily across a curved page)."""
    (y0, x0), (y1, x1) = track[-2] if len(track) > 1 else track[-1], track[-1]
    return x1 if y1 == y0 else x1 + (x1 - x0) / (y1 - y0) * (y - y1)


def _merged(
    tracks: list[list[tuple[float, float]]], spread: int
) -> list[list[tuple[float, float]]]:
    """Tracks of one rule joined (a rule broken where the photograph is faint starts a new
    track after the gap): tracks whose median x are within ``spread`` of each other."""
    groups: list[list[tuple[float, float]]] = []
    for track in sorted(tracks, key=lambda t: float(np.median([p[1] for p in t]))):
        x = float(np.median([p[1] for p in track]))
        if groups and abs(float(np.median([p[1] for p in groups[-1]])) - x) <= spread:
            groups[-1].extend(track)
        else:
            groups.append(list(track))
    return [sorted(group) for group in groups]


def column_rules(gray: GrayImage) -> list[CurvedRule]:
    """The long vertical rules of the page's table, left to right, each followed as a curve.

    Rule positions are measured in horizontal strips (the table's strips are those most rules
    cross: the titles above have only a letter's stem here and there); the positions of one
    rule in successive strips are joined into a track (a photographed page curves, so a rule
    drifts across the page), and each track is fitted with a parabola.  Rules shorter than
    half the longest are not the table's.
    """
    height, width = gray.shape
    strength = rule_strength(gray)
    as_float = strength.astype(np.float32)
    strip = max(1, height // RULE_STRIPS)
    spread = max(3, width // 300)
    profiles = [
        np.convolve(as_float[y : y + strip].mean(axis=0), np.ones(3) / 3, mode="same")
        for y in range(0, height - strip + 1, strip)
    ]
    level = max(float(np.percentile(np.concatenate(profiles), 99.9)), 1.0)
    peaks = [_peaks(p.astype(np.float64), max(2.0, level * 0.03), spread) for p in profiles]
    first, last = _table_strips([len(p) for p in peaks])
    strips = range(max(0, first - 1), min(len(peaks), last + 1))
    fitted = _follow(peaks, strips, strip, spread, strength)
    if not fitted:
        return []
    longest = float(np.percentile([r.bottom - r.top for r in fitted], 75))
    kept = [r for r in fitted if r.bottom - r.top >= longest * 0.5]
    middle = np.array([float(np.median([(r.top + r.bottom) / 2 for r in kept]))])
    kept.sort(key=lambda r: float(r.at(middle)[0]))
    # A rule too faint to stand out on the page still stands out between its neighbours: where
    # two rules are half as far apart again as most, a fainter rule is looked for between them.
    xs = [float(r.at(middle)[0]) for r in kept]
    spacing = float(np.median(np.diff(xs))) if len(xs) > 1 else float(width)
    found: list[CurvedRule] = []
    for left, right in itertools.pairwise(kept):
        if float(right.at(middle)[0] - left.at(middle)[0]) < spacing * 1.5:
            continue
        between = [
            [
                x
                for x in _peaks(profiles[i].astype(np.float64), max(0.5, level * 0.005), spread)
                if _inside(x, i * strip + strip / 2, (left, right), spread)
            ]
            if i in strips
            else []
            for i in range(len(profiles))
        ]
        found.extend(
            r
            for r in _follow(between, strips, strip, spread, strength)
            if r.bottom - r.top >= longest * 0.5
        )
    rules: list[CurvedRule] = []
    for rule in sorted([*kept, *found], key=lambda r: float(r.at(middle)[0])):
        if rules and float(rule.at(middle)[0] - rules[-1].at(middle)[0]) <= spread:
            if rule.bottom - rule.top > rules[-1].bottom - rules[-1].top:
                rules[-1] = rule  # one rule followed twice: the longer course is kept
            continue
        rules.append(rule)
    return rules


def _inside(x: int, y: float, pair: tuple[CurvedRule, CurvedRule], margin: int) -> bool:
    at = np.array([y])
    return float(pair[0].at(at)[0]) + margin < x < float(pair[1].at(at)[0]) - margin


def _follow(
    peaks: list[list[int]], strips: range, strip: int, spread: int, strength: GrayImage
) -> list[CurvedRule]:
    """Rules through the peaks of successive strips: each peak continues the track whose
    course it is nearest to (a track may skip a strip or two where the rule is faint)."""
    tracks: list[list[tuple[float, float]]] = []  # (y, x) points of each rule
    for index in strips:
        y = index * strip + strip / 2
        for x in peaks[index]:
            candidates = [
                t for t in tracks if t[-1][0] >= y - 2.5 * strip and abs(_ahead(t, y) - x) <= spread
            ]
            best = min(candidates, key=lambda t: abs(_ahead(t, y) - x), default=None)
            if best is not None and best[-1][0] < y:
                best.append((y, float(x)))
            else:
                tracks.append([(y, float(x))])
    fitted: list[CurvedRule] = []
    for track in _merged(tracks, spread):
        if len(track) < MIN_RULE_STRIPS:
            continue
        ys = np.array([p[0] for p in track])
        xs = np.array([p[1] for p in track])
        coeffs = tuple(float(c) for c in np.polyfit(ys, xs, 2 if len(track) >= 6 else 1))
        top, bottom = _extent(strength, coeffs, 2 * strip)
        # Where the rule is too faint to be seen pixel by pixel, its track still shows it.
        top, bottom = min(top, int(ys[0] - strip / 2)), max(bottom, int(ys[-1] + strip / 2))
        offsets = xs - np.polyval(coeffs, ys)
        near = np.abs(offsets) <= max(3, spread // 2)  # not a letter's stem beside the rule
        knots = {float(y): float(np.mean(offsets[near & (ys == y)])) for y in ys[near]}
        fitted.append(CurvedRule(coeffs, top, bottom, tuple(sorted(knots.items()))))
    return fitted


def straighten(
    image: GrayImage, left: CurvedRule, right: CurvedRule, rows: tuple[int, int], inset: int
) -> GrayImage:
    """The column between two rules, rows ``rows`` of the page, with its rules made straight:
    row y of the result starts ``inset`` pixels right of the left rule at that height.  What
    lies past the right rule (where the column narrows) is left white."""
    ys = np.arange(rows[0], rows[1], dtype=np.float64)
    lefts = left.at(ys) + inset
    widths = right.at(ys) - inset - lefts
    width = max(1, int(np.ceil(widths.max(initial=1.0))))
    steps = np.arange(width, dtype=np.float64)
    map_x = (lefts[:, None] + steps[None, :]).astype(np.float32)
    map_y = np.repeat(ys[:, None], width, axis=1).astype(np.float32)
    out = cv2.remap(
        image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    out[steps[None, :] >= widths[:, None]] = 255
    return np.asarray(out, dtype=np.uint8)


def _strip_ink(binary_strip: GrayImage) -> Mask:
    """Ink of a straightened column without the rules that cross it (a header's underline)
    or run along its edge (the side of a thick rule the inset did not clear)."""
    ink = np.asarray(binary_strip < 128, dtype=np.uint8)
    long = max(3, int(ink.shape[1] * 0.6))
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long), np.uint8))
    tall = max(15, ink.shape[0] // 40)
    along = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((tall, 1), np.uint8))
    return np.asarray((ink > 0) & (across == 0) & (along == 0), dtype=np.uint8)


def line_up(columns: list[list[tuple[int, int]]]) -> list[list[tuple[int, int] | None]]:
    """Text lines found column by column, lined up into rows across the page.

    A photographed page is curved: a row drifts by a line's height from one side of a wide
    table to the other, so rows found across the whole width merge.  Within one column the
    drift is negligible; each column's lines are matched to the rows of the column beside it
    by their height on the page (following the drift), and a line matching no row starts one.
    The rows start from a typical column (as many lines as most, nearest the middle) and
    follow the drift from there to each side: a margin column of a few faint numbers makes a
    poor start.  Returns, per row top to bottom, each column's band or None.
    """
    heights = [b - a for bands in columns for a, b in bands]
    if not heights:
        return []
    pitch = float(np.median(heights))
    typical = float(np.median([len(bands) for bands in columns]))
    seed = min(
        range(len(columns)),
        key=lambda c: (abs(len(columns[c]) - typical), abs(c - (len(columns) - 1) / 2)),
    )
    rows: list[dict[int, tuple[int, int]]] = [{seed: band} for band in columns[seed]]
    seen = [(band[0] + band[1]) / 2 for band in columns[seed]]
    for side in (range(seed + 1, len(columns)), range(seed - 1, -1, -1)):
        centre = list(seen)  # each row's height as last seen on this side, following the drift
        for column in side:
            for band in columns[column]:
                middle = (band[0] + band[1]) / 2
                near = [i for i in range(len(rows)) if column not in rows[i]]
                best = min(near, key=lambda i: abs(centre[i] - middle), default=None)
                if best is not None and abs(centre[best] - middle) <= pitch * 0.5:
                    rows[best][column] = band
                    centre[best] = middle
                else:
                    rows.append({column: band})
                    centre.append(middle)
                    seen.append(middle)
    order = sorted(
        range(len(rows)), key=lambda i: float(np.mean([sum(b) for b in rows[i].values()]))
    )
    return [[rows[i].get(c) for c in range(len(columns))] for i in order]


def fill_rows(layout: list[list[tuple[int, int] | None]]) -> list[list[tuple[int, int] | None]]:
    """Every row that most columns have, given a cell in every column.

    A column whose lines were not found well (a margin of faint day numbers, a cell's number
    bled into the next line) takes the row's band from the nearest column that found it, when
    it found none for that row or one far taller than the row's (two lines run together).  A
    line of such a column that made a row of its own, mostly covered by the rows filled so, was
    the same ink: it is dropped, and a row left with nothing is dropped.
    """
    if not layout:
        return layout
    width = len(layout[0])
    full = [sum(b is not None for b in row) >= width / 2 for row in layout]
    out: list[list[tuple[int, int] | None]] = [list(row) for row in layout]
    for r, row in enumerate(layout):
        if not full[r]:
            continue
        tall = 1.5 * float(np.median([b[1] - b[0] for b in row if b is not None]))
        fine = [c for c, b in enumerate(row) if b is not None and b[1] - b[0] <= tall]
        for c, band in enumerate(row):
            if (band is None or band[1] - band[0] > tall) and fine:
                out[r][c] = row[min(fine, key=lambda f: abs(f - c))]
    for r, row in enumerate(out):
        if full[r]:
            continue
        for c, band in enumerate(row):
            if band is not None and sum(
                _overlap(band, out[o][c]) for o in range(len(out)) if full[o]
            ) > 0.5 * (band[1] - band[0]):
                out[r][c] = None
    return [row for row in out if any(b is not None for b in row)]


def _overlap(a: tuple[int, int], b: tuple[int, int] | None) -> int:
    return 0 if b is None else max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class StraightColumn:
    """One column of a table cut out between its two rules and made straight."""

    gray: GrayImage  # straightened, flattened page, rules' remnants erased: row 0 is the top
    bands: list[tuple[int, int]]  # text lines, in the strip's rows
    left: CurvedRule
    ink: Mask  # the text's ink (1), rules' remnants left out


def _column(
    flat: GrayImage,
    binary: GrayImage,
    pair: tuple[CurvedRule, CurvedRule],
    rows: tuple[int, int],
    min_band: int,
) -> StraightColumn:
    left, right = pair
    gray = straighten(flat, left, right, rows, RULE_INSET)
    marks = straighten(binary, left, right, rows, RULE_INSET)
    ink = _strip_ink(marks)
    # What is ink but not text is a rule's remnant (a rule the inset did not clear, an
    # underline): erased from what the engine reads, where it read as a "1" beside a number.
    remnant = np.asarray((marks < 128) & (ink == 0), dtype=np.uint8)
    gray = gray.copy()
    gray[cv2.dilate(remnant, np.ones((3, 3), np.uint8)) > 0] = 255
    return StraightColumn(gray, ink_lines(ink, min_band), left, ink)


def ink_lines(ink: Mask, min_height: int) -> list[tuple[int, int]]:
    """Text lines of a straightened column: runs of rows that hold ink, each reaching half way
    to the next.

    Lines of a register of numbers are apart by a clear gap, so the rows holding ink separate
    them; measuring how dense the ink is instead (``text_bands``, made for lists whose lines
    touch) cuts a lone digit in two where its stroke is thin (the waist of a "5" or a "2").
    Runs much shorter than most (a speck, a stray dot) are not lines.
    """
    height, width = ink.shape
    profile = ink.sum(axis=1)
    rows = profile >= max(1.0, width * 0.03)
    # A gap of a row or two inside a character (a broken stroke) does not end its line.
    runs = _ink_runs(rows, bridge=2)
    if not runs:
        return []
    typical = float(np.median([b - a for a, b in runs]))
    runs = [(a, b) for a, b in runs if b - a >= max(min_height // 2, typical * 0.4)]
    bands: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(runs):
        upper = (runs[index - 1][1] + start) // 2 if index else max(0, start - (end - start) // 2)
        lower = (
            (end + runs[index + 1][0]) // 2
            if index + 1 < len(runs)
            else min(height, end + (end - start) // 2)
        )
        bands.append((upper, lower))
    return bands


def _ink_runs(flags: npt.NDArray[np.bool_], bridge: int) -> list[tuple[int, int]]:
    """(start, end) of every run of True, runs apart by at most ``bridge`` joined."""
    padded = np.concatenate(([False], flags, [False]))
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    runs: list[tuple[int, int]] = []
    for a, b in zip(changes[::2], changes[1::2], strict=True):
        if runs and a - runs[-1][1] <= bridge:
            runs[-1] = (runs[-1][0], int(b))
        else:
            runs.append((int(a), int(b)))
    return runs


def ruled_columns(
    upright_gray: GrayImage, binary: GrayImage
) -> tuple[int, list[StraightColumn]] | None:
    """The columns of a table ruled between its columns, straightened, with their text lines;
    None when the page has fewer than three long vertical rules."""
    rules = column_rules(upright_gray)
    if len(rules) < 3:
        return None
    top = int(np.median([r.top for r in rules]))
    bottom = int(np.median([r.bottom for r in rules]))
    middle = np.array([(top + bottom) / 2.0])
    xs = [float(r.at(middle)[0]) for r in rules]
    spacing = float(np.median(np.diff(xs)))
    flat = flatten_background(upright_gray)
    min_band = max(6, upright_gray.shape[0] // 300)
    rows = (top, bottom)
    columns = [_column(flat, binary, pair, rows, min_band) for pair in itertools.pairwise(rules)]
    typical = float(np.median([len(c.bands) for c in columns]))
    # Text outside the outer rules (the day numbers in the margin of a register) is a column
    # too when it has a typical column's lines; it is taken a typical column wide.
    width = upright_gray.shape[1]
    if xs[0] > spacing * 0.3:
        margin = _column(flat, binary, (rules[0].shifted(-spacing), rules[0]), rows, min_band)
        if len(margin.bands) >= typical / 3:
            columns.insert(0, margin)
    if width - xs[-1] > spacing * 0.3:
        margin = _column(flat, binary, (rules[-1], rules[-1].shifted(spacing)), rows, min_band)
        if len(margin.bands) >= typical / 3:
            columns.append(margin)
    return top, columns


def lower_points(column: StraightColumn) -> GrayImage:
    """The column with each raised decimal point ("9·093", the middle dot of British print)
    moved down to the line's baseline, where the engine's models know a point: read in place,
    the dot was dropped or read as a "7" ("07164" for 0·164).

    A raised point is a small blob, much smaller than the line's digits, in the middle third of
    the line's height, with digits on both sides of it.
    """
    gray = column.gray.copy()
    ink = column.ink
    if not column.bands:
        return gray
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tops = np.array([top for top, _ in column.bands])
    lines: dict[int, tuple[int, int]] = {}  # band → the first and last row of its ink
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        band = int(np.searchsorted(tops, y, side="right")) - 1
        if band < 0 or max(w, h) > (column.bands[band][1] - column.bands[band][0]) * 0.3:
            continue
        if band not in lines:
            top, bottom = column.bands[band]
            rows = np.flatnonzero(ink[top:bottom].any(axis=1))
            lines[band] = (top + int(rows[0]), top + int(rows[-1]) + 1) if rows.size else (0, 0)
        upper, lower = lines[band]
        height = lower - upper
        if not (
            upper <= y
            and y + h <= lower
            and max(w, h) <= height * 0.35
            and area >= 2
            and upper + height * 0.3 <= y + h / 2 <= upper + height * 0.7
            and ink[upper:lower, :x].any()
            and ink[upper:lower, x + w :].any()
        ):
            continue
        blob = labels[y : y + h, x : x + w] == label
        patch = gray[y : y + h, x : x + w].copy()
        gray[y : y + h, x : x + w][blob] = 255
        shift = lower - (y + h)
        gray[y + shift : y + shift + h, x : x + w][blob] = patch[blob]
    return gray


def _read_column(reader: Engine, cells: list[GrayImage], whitelist: str | None) -> list[Reading]:
    """A column's cells read in one pass; a cell with ink that read as nothing is read again
    on its own (in a stack, the engine sometimes drops a lone short number as noise)."""
    readings = reader.read_cells(cells, whitelist)
    for index, (cell, reading) in enumerate(zip(cells, readings, strict=True)):
        if not reading.text.strip() and has_ink(cell):
            readings[index] = reader.read_cells([cell], whitelist)[0]
    return readings


def stretched(cell: GrayImage) -> GrayImage:
    """The cell's tones spread over the full range: faint print (a washed-out day number)
    made as dark as the rest.  A cell of paper only (no tone range to speak of) is left as
    it is, so that its grain is not made into marks."""
    if cell.size == 0:
        return cell
    low, high = float(cell.min()), float(cell.max())
    if high - low < 40:
        return cell
    spread = (cell.astype(np.float32) - low) * (255.0 / (high - low))
    return np.asarray(np.clip(spread, 0, 255), dtype=np.uint8)


READ_SCALES = (1.0, 0.8, 1.25)  # each column is read at these sizes and the readings vote


def _resized(image: GrayImage, factor: float) -> GrayImage:
    if image.size == 0 or abs(factor - 1.0) < 0.01:
        return image
    height, width = image.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    shrink = factor < 1.0
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    return np.asarray(resized, dtype=np.uint8)


def read_voted(
    reader: Engine, crops: list[GrayImage], scale: float, whitelist: str | None
) -> list[Reading]:
    """Each cell read at a few sizes, the text most readings agree on kept.

    The recogniser's slips depend on the size it is given ("0·193" read "0.1938" at one size
    and "0.193" at sizes a fifth smaller or larger, each time at 97 % confidence), while a
    clear cell reads the same at every size.  The majority text wins (ties: the most
    confident reading); the confidence is that reading's, scaled by the share of readings
    that agree, so a cell the sizes disagree on goes to review.  (Where the first two sizes
    agree, the third is not read: it counts as agreeing.)
    """
    rounds = [
        _read_column(reader, [_resized(c, scale * f) for c in crops], whitelist)
        for f in READ_SCALES[:2]
    ]
    # The last size is read only for the cells the first two disagree on: the tie-break.
    doubtful = [i for i, (a, b) in enumerate(zip(*rounds, strict=True)) if a.text != b.text]
    for factor in READ_SCALES[2:]:
        extra = _read_column(
            reader, [_resized(crops[i], scale * factor) for i in doubtful], whitelist
        )
        again = dict(zip(doubtful, extra, strict=True))
        rounds.append([again.get(i, rounds[0][i]) for i in range(len(crops))])
    out: list[Reading] = []
    for candidates in zip(*rounds, strict=True):
        votes: dict[str, list[Reading]] = {}
        for reading in candidates:
            votes.setdefault(reading.text, []).append(reading)
        agreeing = max(votes.values(), key=lambda rs: (len(rs), max(r.confidence for r in rs)))
        best = max(agreeing, key=lambda r: r.confidence)
        share = len(agreeing) / len(candidates)
        out.append(replace(best, confidence=best.confidence * share))
    return out


def _read_curved(
    top: int, columns: list[StraightColumn], whitelist: str | None, reader: Engine
) -> list[list[GridCell]]:
    """Read a straightened table: each column's cells stacked and read in one pass."""
    layout = fill_rows(line_up([c.bands for c in columns]))
    all_bands = [b for c in columns for b in c.bands]
    scale = target_scale(all_bands)
    grid: list[list[GridCell]] = [[] for _ in layout]
    points = whitelist is not None and "·" in whitelist
    for index, column in enumerate(columns):
        bands = [row[index] for row in layout]
        present = [b for b in bands if b is not None]
        gray = lower_points(column) if points else column.gray
        crops = [stretched(gray[a:b]) for a, b in present]
        readings = iter(read_voted(reader, crops, scale, whitelist))
        for row, band in enumerate(bands):
            if band is None:
                grid[row].append(GridCell(row, index, "", 0.0, Box(0, 0, 0, 0)))
                continue
            reading = next(readings)
            middle = np.array([top + (band[0] + band[1]) / 2])
            x = int(column.left.at(middle)[0]) + RULE_INSET
            box = Box(x, top + band[0], column.gray.shape[1], band[1] - band[0])
            grid[row].append(GridCell(row, index, reading.text, reading.confidence, box))
    return grid


def read_grid(
    gray: GrayImage, *, whitelist: str | None = None, reader: Engine | None = None
) -> list[list[GridCell]]:
    """Read every cell of the page's table; rows top to bottom, cells left to right."""
    reader = reader or _engine_for(whitelist)
    upright = make_upright(gray, estimate_dpi(gray))
    found = page_table(upright.binary)
    table = found.table
    if table is None or table.ruling != Ruling.FULL:
        curved = ruled_columns(upright.gray, upright.binary)
        if curved is not None:
            return _read_curved(*curved, whitelist, reader)
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


def column_rows(ink: Mask, table: Table, min_band: int) -> list[list[tuple[int, int] | None]]:
    """Row bands of a table with straight column edges, found column by column and lined up."""
    top, bottom = table.box.y, table.box.bottom
    return line_up(
        [
            text_bands(ink, top, bottom, left + 2, right - 2, min_band)
            for left, right in itertools.pairwise(table.column_edges)
        ]
    )


def write_grid_csv(grid: list[list[GridCell]], out: Path, *, confidence: bool = False) -> None:
    """One CSV row per table row; with ``confidence``, each cell is followed by its confidence."""
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in grid:
            if confidence:
                writer.writerow([part for c in row for part in (c.text, f"{c.confidence:.3f}")])
            else:
                writer.writerow([c.text for c in row])
