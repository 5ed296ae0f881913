"""Table structure as named steps: rules → table region → columns → row bands.

Three kinds of table occur (DOMAIN.md §1) and each step handles all three:
- fully ruled: vertical and horizontal rules; rows are the bands between horizontal rules;
- partly ruled: vertical rules only; rows are text-line bands found by the ink profile;
- unruled: no rules; columns are the white gaps that run through every row.

Rules are found by morphological opening with long thin kernels (after closing small gaps, so
that dot-matrix rules made of separate dots count as lines), then erased before reading.
Unlike img2table, nothing here reads text: structure first, then the reader reads each column
with that column's alphabet and keeps every cell's confidence.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from ocr.model import Box

GrayImage = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.uint8]


class Ruling(StrEnum):
    FULL = "full"
    VERTICAL = "vertical"
    NONE = "none"


@dataclass(frozen=True)
class Segment:
    """A ruling line: ``pos`` across it, ``start``..``end`` along it."""

    pos: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class Rules:
    horizontal: list[Segment]
    vertical: list[Segment]
    mask: Mask  # 1 where a rule's ink is


@dataclass
class Table:
    box: Box
    column_edges: list[int]
    bands: list[tuple[int, int]]  # (top, bottom) of each text row, header rows included
    ruling: Ruling
    rules: Rules | None = None
    notes: list[str] = field(default_factory=list)


def _ink(binary: GrayImage) -> Mask:
    return np.asarray(binary == 0, dtype=np.uint8)


def _merge_segments(segments: list[Segment], pos_tol: int, gap_tol: int) -> list[Segment]:
    """Join pieces of one broken rule (faded, dotted, crossed by a stamp)."""
    merged: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.pos, s.start)):
        for index, other in enumerate(merged):
            if (
                abs(other.pos - seg.pos) <= pos_tol
                and seg.start <= other.end + gap_tol
                and seg.end >= other.start - gap_tol
            ):
                merged[index] = Segment(
                    (other.pos + seg.pos) // 2, min(other.start, seg.start), max(other.end, seg.end)
                )
                break
        else:
            merged.append(seg)
    return merged


def find_rules(binary: GrayImage) -> Rules:
    """Horizontal and vertical ruling lines of the page."""
    height, width = binary.shape
    ink = _ink(binary)
    # Gaps bridged along a rule: dotted rules (dot-matrix) and faded strokes.  Kept small
    # across rows: a column of digits, rows apart by a few pixels, must not become a rule.
    h_bridge, v_bridge = max(3, width // 500), max(1, height // 1500)
    h_closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, h_bridge * 2 + 1), np.uint8))
    v_closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((v_bridge * 2 + 1, 1), np.uint8))
    h_len, v_len = max(40, width // 14), max(40, height // 20)
    h_mask = np.asarray(
        cv2.morphologyEx(h_closed, cv2.MORPH_OPEN, np.ones((1, h_len), np.uint8)), dtype=np.uint8
    )
    v_mask = np.asarray(
        cv2.morphologyEx(v_closed, cv2.MORPH_OPEN, np.ones((v_len, 1), np.uint8)), dtype=np.uint8
    )
    tol = max(4, width // 300)
    horizontal, h_keep = _segments(
        h_mask,
        vertical=False,
        thickness=height // 60,
        tol=tol,
        gap=width // 20,
        min_length=width // 5,
    )
    vertical, v_keep = _segments(
        v_mask,
        vertical=True,
        thickness=width // 60,
        tol=tol,
        gap=height // 15,
        min_length=height // 12,
    )
    # Only the pieces of accepted rules are erased: a line of capitals whose flat tops line up
    # also survives the opening, and erasing it would cut the top off every letter.
    mask = np.maximum(h_keep & ink, v_keep & ink)
    return Rules(horizontal, vertical, np.asarray(mask, dtype=np.uint8))


def _segments(
    mask: Mask, *, vertical: bool, thickness: int, tol: int, gap: int, min_length: int
) -> tuple[list[Segment], Mask]:
    """Rule segments of one direction from an opened mask, and the mask of the kept pieces."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    pieces: list[tuple[int, Segment]] = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        if (w if vertical else h) > thickness:
            continue
        segment = Segment(x + w // 2, y, y + h) if vertical else Segment(y + h // 2, x, x + w)
        pieces.append((label, segment))
    merged = [
        s for s in _merge_segments([p for _, p in pieces], tol, gap) if s.length >= min_length
    ]
    keep_labels = [
        label
        for label, piece in pieces
        if any(
            abs(piece.pos - s.pos) <= tol and s.start <= piece.start and piece.end <= s.end
            for s in merged
        )
    ]
    kept = np.isin(labels, keep_labels).astype(np.uint8)
    return merged, kept


def erase_rules(binary: GrayImage, rules: Rules) -> GrayImage:
    """The page without its ruling lines (slightly widened, to take their ragged edges too)."""
    grown = cv2.dilate(rules.mask, np.ones((3, 3), np.uint8))
    out = binary.copy()
    out[grown > 0] = 255
    return out


def _runs(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) of every run of True."""
    padded = np.concatenate(([False], flags, [False]))
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(changes[::2], changes[1::2], strict=True)]


def text_bands(
    ink: Mask, top: int, bottom: int, left: int, right: int, min_height: int
) -> list[tuple[int, int]]:
    """Text-line bands between ``top`` and ``bottom``.

    Lines of a dense list nearly touch (a capital's diacritic reaches the descenders of the line
    above), so bands are not the white gaps between lines: each line's *core* (where ink is
    dense: the x-height) is found first, and the band reaches half way to the next core.
    """
    region = ink[top:bottom, left:right]
    if region.size == 0 or not region.any():
        return []
    profile = region.sum(axis=1).astype(np.float64)
    smooth = max(1, min_height // 3)
    profile = np.convolve(profile, np.ones(smooth) / smooth, mode="same")
    level = float(np.percentile(profile[profile > 0], 90))
    cores = [c for c in _runs(profile >= level * 0.2) if c[1] - c[0] >= max(2, min_height // 2)]
    if not cores:
        return []
    bands: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(cores):
        height = end - start
        upper = (cores[index - 1][1] + start) // 2 if index else max(0, start - height * 2 // 3)
        lower = (
            (end + cores[index + 1][0]) // 2
            if index + 1 < len(cores)
            else min(len(profile), end + height // 2)
        )
        bands.append((upper + top, lower + top))
    return bands


def _column_gaps(
    ink: Mask, bands: list[tuple[int, int]], left: int, right: int, min_gap: int
) -> list[tuple[int, int]]:
    """x ranges of white gaps that run through (nearly) every band: unruled columns.

    A stamp or a signature lies over a few neighbouring rows and closes the gaps there: where
    no gap runs through, a run of points whose ink is in at most one row in eight, all of them
    within a quarter of the rows next to each other, is a gap too (text overflowing a column
    is spread over the list).  Gaps found without it stay as they are."""
    if not bands:
        return []
    hits = np.stack([ink[top:bottom, left:right].max(axis=0) for top, bottom in bands]) > 0
    count = hits.sum(axis=0)
    free = count <= max(0, len(bands) // 25)
    gaps = [(a, b) for a, b in _runs(free) if b - a >= min_gap and a > 0]
    if len(bands) >= 16:
        index = np.arange(len(bands))[:, None]
        first = np.where(hits, index, len(bands)).min(axis=0)
        last = np.where(hits, index, -1).max(axis=0)
        covered = (count <= len(bands) // 8) & (last - first < len(bands) // 4)
        gaps += [
            (a, b)
            for a, b in _runs(covered | free)
            if b - a >= min_gap and a > 0 and not free[a:b].any()
        ]
    return [(left + a, left + b) for a, b in sorted(gaps)]


def _edge_in_gap(ink: Mask, gap: tuple[int, int], titles: tuple[int, int]) -> int | None:
    """Where to draw the boundary in a white gap: its centre, or the point nearest the centre
    that does not cut a column title.  None when every point of the gap cuts a title: the gap
    is then the empty end of a left-aligned column (short places under "Nơi sinh")."""
    start, end = gap
    title_ink = ink[titles[0] : titles[1], start:end].max(axis=0) if titles[1] > titles[0] else None
    center = (start + end) // 2
    if title_ink is None or not title_ink.any():
        return center
    free = np.flatnonzero(title_ink == 0) + start
    if free.size == 0:
        return None
    return int(free[np.argmin(np.abs(free - center))])


def _ink_extent(ink: Mask, top: int, bottom: int) -> tuple[int, int]:
    columns = np.flatnonzero(ink[top:bottom].max(axis=0))
    if columns.size == 0:
        return 0, ink.shape[1]
    return int(columns[0]), int(columns[-1]) + 1


def _columns_of_rules(vertical: list[Segment], tol: int) -> list[Segment]:
    """Pieces of one column rule (broken where a photo is faint, or by a blank band) joined:
    the rule's length is the ink it covers, its extent from the first piece to the last."""
    groups: list[list[Segment]] = []
    for seg in sorted(vertical, key=lambda s: s.pos):
        if groups and seg.pos - groups[-1][-1].pos <= tol:
            groups[-1].append(seg)
        else:
            groups.append([seg])
    joined = []
    for group in groups:
        covered = sum(s.length for s in group)
        start = min(s.start for s in group)
        pos = int(np.median([s.pos for s in group]))
        joined.append(Segment(pos, start, start + covered))
    return joined


def _cluster(values: list[int], tol: int) -> list[int]:
    out: list[list[int]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tol:
            out[-1].append(value)
        else:
            out.append([value])
    return [int(np.median(group)) for group in out]


@dataclass
class PageTable:
    """A page's rules, its table (None when it has none) and the page with its rules erased."""

    rules: Rules
    table: Table | None
    clean: GrayImage


def page_table(binary: GrayImage) -> PageTable:
    """Rules, table and rule-free page in one step: each computed once."""
    rules = find_rules(binary)
    clean = erase_rules(binary, rules)
    return PageTable(rules, locate_table(binary, rules, clean), clean)


def locate_table(
    binary: GrayImage, rules: Rules | None = None, clean: GrayImage | None = None
) -> Table | None:
    """Find the score table on an upright, binarised page (``clean``: the page without its
    rules, when the caller has it already)."""
    height, width = binary.shape
    rules = rules or find_rules(binary)
    clean = erase_rules(binary, rules) if clean is None else clean
    ink = _ink(clean)
    min_band = max(6, height // 300)
    tol = max(6, width // 200)

    long_vertical_all = _columns_of_rules(rules.vertical, tol)
    long_vertical = [s for s in long_vertical_all if s.length >= height // 6]
    if len(long_vertical) >= 2:
        longest = max(s.length for s in long_vertical)
        spine = [s for s in long_vertical if s.length >= longest * 0.5]
        top, bottom = _vertical_extent(spine, rules.horizontal, tol)
        # Faint rules (a photographed page) survive only in pieces: inside the table any rule
        # covering a sixth of its height is a column boundary too.
        members = [
            s
            for s in long_vertical_all
            if s.length >= (bottom - top) / 6 and s.start < bottom and s.end > top
        ]
        xs = _cluster([s.pos for s in members], tol)
        horizontal = [
            s.pos
            for s in rules.horizontal
            if top - tol <= s.pos <= bottom + tol and s.length >= (xs[-1] - xs[0]) * 0.6
        ]
        left, right = xs[0], xs[-1]
        ink_left, ink_right = _ink_extent(ink, top, bottom)
        if ink_left < left - tol * 2:  # no outer rule on the left: the text sets the edge
            xs.insert(0, max(0, ink_left - tol))
        if ink_right > right + tol * 2:
            xs.append(min(width, ink_right + tol))
        left, right = xs[0], xs[-1]
        bands, ruling = _row_bands(
            ink, _cluster(horizontal, tol), (top, bottom, left, right), min_band, Ruling.VERTICAL
        )
        if len(bands) < 2:
            return None
        return Table(Box(left, top, right - left, bottom - top), xs, bands, ruling, rules)

    long_horizontal = [s for s in rules.horizontal if s.length >= width * 0.4]
    bands_all = text_bands(ink, 0, height, 0, width, min_band)
    if len(long_horizontal) >= 3:
        top = min(s.pos for s in long_horizontal)
        bottom = max(s.pos for s in long_horizontal)
        left = min(s.start for s in long_horizontal)
        right = max(s.end for s in long_horizontal)
        bands, ruling = _row_bands(
            ink,
            _cluster([s.pos for s in long_horizontal], tol),
            (top, bottom, left, right),
            min_band,
            Ruling.NONE,
        )
    else:
        table_bands = _unruled_rows(ink, bands_all)
        if len(table_bands) < 3:
            return None
        top, bottom = table_bands[0][0], table_bands[-1][1]
        left, right = _ink_extent(ink, top, bottom)
        bands = table_bands
        ruling = Ruling.NONE
    if len(bands) < 2:
        return None
    body = bands[1:] if len(bands) > 3 else bands
    line_h = int(np.median([b - a for a, b in body]))
    gaps = _column_gaps(ink, body, left, right, max(6, int(line_h * 0.3)))
    cuts = [_edge_in_gap(ink, gap, bands[0]) for gap in gaps]
    edges = _merge_empty_columns(
        ink, [left, *(x for x in cuts if x is not None), right], body, bands[0]
    )
    if len(edges) < 4:
        return None
    return Table(Box(left, top, right - left, bottom - top), edges, bands, ruling, rules)


def _vertical_extent(spine: list[Segment], horizontal: list[Segment], tol: int) -> tuple[int, int]:
    """Top and bottom of a table ruled between its columns.

    The middle of the column rules' starts and lengths is robust to a stray rule, but on a
    worn or photocopied sheet the rules break into pieces and most pieces start below the
    title row: the median then cuts the titles off, and the page loses its columns.  So an
    end of the table further out is taken when two things confirm it: at least two column
    rules end there, and a horizontal rule crosses most of the columns there (the edge of a
    scanned page is one long dark line in each direction, never two).
    """
    span = max(s.pos for s in spine) - min(s.pos for s in spine)
    across = [h.pos for h in horizontal if h.length >= span * 0.6]

    def confirmed(ends: list[int], at: int) -> bool:
        near = sum(abs(e - at) <= tol for e in ends)
        return near >= 2 and any(abs(h - at) <= 2 * tol for h in across)

    starts = [s.start for s in spine]
    ends = [s.end for s in spine]
    top = int(np.median(starts))
    bottom = top + int(np.median([s.length for s in spine]))
    top = min((s for s in starts if s < top and confirmed(starts, s)), default=top)
    bottom = max((e for e in ends if e > bottom and confirmed(ends, e)), default=bottom)
    return top, bottom


def _row_bands(
    ink: Mask,
    rule_rows: list[int],
    region: tuple[int, int, int, int],
    min_band: int,
    otherwise: Ruling,
) -> tuple[list[tuple[int, int]], Ruling]:
    """Rows between horizontal rules when rules separate (most) rows; else the text lines
    (rules only under the titles or at the end of the list)."""
    top, bottom, left, right = region
    lines = text_bands(ink, top, bottom, left, right, min_band)
    ruled = [
        (a, b)
        for a, b in itertools.pairwise(rule_rows)
        if b - a >= min_band and ink[a + 2 : b - 2, left:right].any()
    ]
    if len(ruled) >= max(2, len(lines) * 0.6):
        return ruled, Ruling.FULL
    return lines, otherwise


def _merge_empty_columns(
    ink: Mask, edges: list[int], body: list[tuple[int, int]], titles: tuple[int, int]
) -> list[int]:
    """Drop the left edge of a column with no title and ink in fewer than one row in ten: it is
    the overflow of the column to its left (a long place name), not a column of its own."""
    kept = [edges[0]]
    for left, right in itertools.pairwise(edges):
        inner = slice(left + 2, max(left + 3, right - 2))
        titled = bool(ink[titles[0] : titles[1], inner].any())
        filled = sum(bool(ink[top:bottom, inner].any()) for top, bottom in body)
        if len(kept) > 1 and not titled and filled < max(1, len(body) // 10):
            kept[-1] = right
        else:
            kept.append(right)
    return kept


def _segments_in(ink: Mask, band: tuple[int, int], gap: int) -> int:
    """How many separate ink runs (cells) a text line has, words within a cell joined."""
    row = ink[band[0] : band[1]].max(axis=0)
    runs = 0
    last_ink = -gap * 2
    for x in np.flatnonzero(row):
        if x - last_ink > gap:
            runs += 1
        last_ink = int(x)
    return runs


def _unruled_rows(ink: Mask, bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of consecutive text lines that look like table rows (≥ 4 cells), with
    up to two title lines just above it."""
    if not bands:
        return []
    typical = int(np.median([b - a for a, b in bands]))
    gap = max(8, int(typical * 0.6))
    counts = [_segments_in(ink, band, gap) for band in bands]
    best: tuple[int, int] = (0, 0)
    start = None
    for index, count in enumerate([*counts, 0]):
        if count >= 4 and start is None:
            start = index
        elif count < 4 and start is not None:
            if index - start > best[1] - best[0]:
                best = (start, index)
            start = None
    first, last = best
    for _ in range(2):
        if (
            first > 0
            and counts[first - 1] >= 2
            and bands[first][0] - bands[first - 1][1] <= typical
        ):
            first -= 1
    return bands[first:last]
