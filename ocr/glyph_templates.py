"""The page's own print as a reader of its numbers: its vouched-for glyphs as templates.

Why: Tesseract's models misread some faces' digits confidently, and on every row of a page:
a typewriter's thin 7 comes out as 3 or 1 at 0.97, so row after row fails its sum, and the
English model shares some of those confusions.  But on one sheet every 7 was struck by the
same type bar or printed by the same font.  The glyphs of the numbers the page vouches for
(rows that add up) show what this page's digits look like, and the glyphs of a doubtful cell
can be matched against them.  Tesseract had this per page (its adaptive classifier), but only
in the legacy engine, which the packaged models (tessdata_fast) do not carry; so it is done
here, with OpenCV's connected components and a normalised correlation.

A confident reading alone is no label: the 7s read as 3 at 0.97 would teach that a 7 is a 3.
And a page whose every 7 was misread has no vouched 7 at all: ``GlyphBank.learn_from_sums``
names such unknown glyphs by the sums they balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.cell_reading import Cell, is_summed
from ocr.cells import GrayImage
from ocr.engine import CharChoice, Reading
from ocr.model import Box
from ocr.parsing import ParsedNumber, parse_bonus, parse_score, parse_total
from records.vocabulary import SCORE_PREFIX

# Every glyph is compared at this size (a digit's height fills the frame's height).
TEMPLATE_HEIGHT = 28
TEMPLATE_WIDTH = 20
# A glyph no template matches this well is not read (a stray mark, a digit of another hand).
MIN_MATCH = 0.80
# Two unknown glyphs this alike are taken for one character (``learn_from_sums``).
GROUP_MATCH = 0.85
# Below this share of a digit's height a glyph is a comma or a point, drawn at the baseline.
SMALL_MARK = 0.6
# Templates (or balanced rows) a character needs before the page reads it.
MIN_SAMPLES = 2
# Grey levels between a cell's darkest ink and its paper below which it holds no glyph.
MIN_CONTRAST = 30

Feature = NDArray[np.float32]


def glyph_boxes(gray: GrayImage, box: Box) -> list[Box]:
    """The glyphs of a cell of the grey page, left to right.

    The cell is thresholded on its own (``_ink_of``): the page's global threshold loses the
    pale strokes of a faint ribbon.  Components overlapping in x are one glyph (a broken
    stroke, a dot-matrix digit's dots); dust, a rule's remnant and a neighbour's mark cut by
    the cell's edge are no glyph."""
    x0, y0 = max(0, box.x), max(0, box.y)
    cell = gray[y0 : box.bottom, x0 : box.right]
    if cell.size == 0 or int(cell.max()) - int(cell.min()) < MIN_CONTRAST:
        return []
    glyphs = _joined_across(_without_dust(_components(_ink_of(cell))))
    return [Box(x0 + a, y0 + b, c - a, d - b) for a, b, c, d in glyphs]


def _ink_of(cell: GrayImage) -> NDArray[np.bool_]:
    """The cell's ink by Otsu's threshold, found without a rule's remnant: a remnant is
    darker than a faint ribbon's strokes and would put the threshold below them."""
    paper = int(np.median(cell))
    remnant = _longest_runs(cell < paper - MIN_CONTRAST // 2) > cell.shape[0] // 2
    _, binary = cv2.threshold(
        np.where(remnant[:, None], paper, cell).astype(np.uint8),
        0,
        255,
        cv2.THRESH_BINARY | cv2.THRESH_OTSU,
    )
    ink: NDArray[np.bool_] = binary == 0
    ink[remnant] = False
    return ink


def _components(ink: NDArray[np.bool_]) -> list[list[int]]:
    """The ink's connected components as [left, top, right, bottom], less dust, rules'
    remnants (flat lines, hairlines: no digit is one) and small marks at the cell's edge."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    height, width = ink.shape
    parts: list[list[int]] = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        if area < 3 or (h <= 3 and w > 2 * h) or (w <= 2 and h >= 6):
            continue
        at_edge = x == 0 or y == 0 or x + w == width or y + h == height
        if at_edge and h < height // 3:
            continue
        parts.append([x, y, x + w, y + h])
    return parts


def _joined_across(parts: list[list[int]]) -> list[list[int]]:
    """Components (sorted by left edge) that overlap in x, joined into one glyph."""
    glyphs: list[list[int]] = []
    for part in parts:
        if glyphs and part[0] < glyphs[-1][2] - 1:
            last = glyphs[-1]
            last[:] = [
                min(last[0], part[0]),
                min(last[1], part[1]),
                max(last[2], part[2]),
                max(last[3], part[3]),
            ]
        else:
            glyphs.append(part)
    return glyphs


def _longest_runs(dark: NDArray[np.bool_]) -> NDArray[np.int_]:
    """Per row of a cell, the longest run of dark pixels (a rule's remnant is long and thin;
    a digit's bar is as wide as the digit)."""
    padded = np.pad(dark.astype(np.int8), ((0, 0), (1, 1)))
    edges = np.diff(padded, axis=1)
    longest = np.zeros(dark.shape[0], dtype=np.int_)
    for row in np.flatnonzero(dark.any(axis=1)):
        starts = np.flatnonzero(edges[row] == 1)
        ends = np.flatnonzero(edges[row] == -1)
        longest[row] = int((ends - starts).max())
    return longest


def _without_dust(parts: list[list[int]]) -> list[list[int]]:
    """The components of a cell, left to right, without the small ones off the baseline: a
    point or a comma sits on the digits' baseline or just below it, dust anywhere."""
    if not parts:
        return []
    tallest = max(b - t for _, t, _, b in parts)
    digits = [p for p in parts if p[3] - p[1] >= tallest / 2]
    baseline = float(np.median([p[3] for p in digits]))
    kept = [
        p
        for p in parts
        if p in digits or (baseline - 0.4 * tallest <= p[3] <= baseline + 0.5 * tallest)
    ]
    return sorted(kept)


def _feature(gray: GrayImage, glyph: Box, digit_height: float) -> Feature:
    """The glyph, ink as positive, scaled by the page's digit height into a fixed frame (so a
    comma stays small and low), zero-mean and of unit norm: a dot product is a correlation."""
    patch = 255.0 - gray[glyph.y : glyph.bottom, glyph.x : glyph.right].astype(np.float32)
    scale = TEMPLATE_HEIGHT / max(digit_height, 1.0)
    width = min(TEMPLATE_WIDTH, max(1, round(glyph.w * scale)))
    height = min(TEMPLATE_HEIGHT, max(1, round(glyph.h * scale)))
    frame = np.zeros((TEMPLATE_HEIGHT, TEMPLATE_WIDTH), np.float32)
    left = (TEMPLATE_WIDTH - width) // 2
    small = glyph.h < digit_height * SMALL_MARK
    top = TEMPLATE_HEIGHT - height if small else (TEMPLATE_HEIGHT - height) // 2
    frame[top : top + height, left : left + width] = cv2.resize(
        patch, (width, height), interpolation=cv2.INTER_AREA
    )
    frame -= frame.mean()
    norm = float(np.linalg.norm(frame))
    return (frame / norm if norm else frame).ravel()


class PageGlyphs:
    """A page's cells cut into glyphs, and the glyphs' features, each computed once: the bank
    is learnt afresh in each round of ``row_readings`` over the same cells."""

    def __init__(self, gray: GrayImage) -> None:
        self.gray = gray
        self._cut: dict[Box, list[Box]] = {}
        self._features: dict[tuple[Box, float], Feature] = {}

    def cut(self, box: Box) -> list[Box]:
        if box not in self._cut:
            self._cut[box] = glyph_boxes(self.gray, box)
        return self._cut[box]

    def feature(self, glyph: Box, digit_height: float) -> Feature:
        key = (glyph, digit_height)
        if key not in self._features:
            self._features[key] = _feature(self.gray, glyph, digit_height)
        return self._features[key]


@dataclass(frozen=True)
class Sample:
    """A cell whose text the page vouches for."""

    box: Box
    text: str


class GlyphBank:
    """Templates of one page's characters, and a reader of its cells by them."""

    def __init__(self, page: PageGlyphs, samples: Iterable[Sample]) -> None:
        self._page = page
        labelled: list[tuple[str, Box]] = []
        for sample in samples:
            text = sample.text.replace(" ", "")
            glyphs = page.cut(sample.box)
            if text and len(glyphs) == len(text):
                labelled.extend(zip(text, glyphs, strict=True))
        tall = [glyph.h for char, glyph in labelled if char.isdigit()]
        self.digit_height = float(np.median(tall)) if tall else 0.0
        by_char: dict[str, list[Feature]] = {}
        for char, glyph in labelled:
            by_char.setdefault(char, []).append(self._feature(glyph))
        self._templates = {
            char: np.stack(features)
            for char, features in by_char.items()
            if len(features) >= MIN_SAMPLES
        }

    @property
    def characters(self) -> str:
        """The characters the bank can read."""
        return "".join(sorted(self._templates))

    def _feature(self, glyph: Box) -> Feature:
        return self._page.feature(glyph, self.digit_height)

    def _rank(self, feature: Feature) -> list[CharChoice]:
        scores = [
            CharChoice(char, float(np.max(templates @ feature)))
            for char, templates in self._templates.items()
        ]
        return sorted(scores, key=lambda choice: -choice.confidence)

    def read(self, box: Box) -> Reading | None:
        """The cell's text by the page's templates; None where a glyph matches none well
        enough or the page had too little to learn from."""
        if not self._templates:
            return None
        glyphs = self._page.cut(box)
        if not glyphs:
            return None
        symbols: list[str] = []
        choices: list[list[CharChoice]] = []
        for glyph in glyphs:
            ranked = self._rank(self._feature(glyph))
            if ranked[0].confidence < MIN_MATCH:
                return None
            symbols.append(ranked[0].char)
            # No runners-up: a correlation is no probability, and the checks would take a
            # second-best match of 0.5 for a rival reading.
            choices.append(ranked[:1])
        confidence = min(options[0].confidence for options in choices)
        return Reading("".join(symbols), confidence, choices, symbols)

    def learn_from_sums(self, rows: Sequence[Mapping[str, Box]]) -> str:
        """Name the glyphs no template matches by the sums they balance; return the
        characters learnt.

        The unknown glyphs of ``rows`` (each row's cells of the numbers of the sum, by field)
        are grouped by likeness.  A group becomes the
        digit that makes the most rows add up as read when every unknown glyph of the group
        is that digit: at least ``MIN_SAMPLES`` rows, and twice as many as any other digit
        does.  (A page whose every 7 was misread has no vouched 7; its 7s still look alike,
        and as 7s they balance row after row.)"""
        if not self._templates:
            return ""
        glyphs = {box: self._page.cut(box) for row in rows for box in row.values()}
        labels, groups = self._label(glyph for cut in glyphs.values() for glyph in cut)
        groups_in_row = [
            {label for b in row.values() for g in glyphs[b] if isinstance(label := labels[g], int)}
            for row in rows
        ]
        learnt = ""
        for group, members in enumerate(groups):
            if len(members) < MIN_SAMPLES:
                continue
            concerned = [r for r, has in zip(rows, groups_in_row, strict=True) if group in has]
            counts = sorted(
                ((_balanced(concerned, glyphs, labels, group, d), d) for d in "0123456789"),
                reverse=True,
            )
            (most, char), (runner_up, _) = counts[0], counts[1]
            if most >= MIN_SAMPLES and most >= 2 * runner_up:
                found = np.stack(members)
                known = self._templates.get(char)
                self._templates[char] = found if known is None else np.concatenate([known, found])
                learnt += char
        return learnt

    def _label(self, glyphs: Iterable[Box]) -> tuple[dict[Box, str | int], list[list[Feature]]]:
        """Each glyph's character where a template matches it, else the index of its group of
        alike unknown glyphs; and the groups' features (each group's first is its likeness)."""
        labels: dict[Box, str | int] = {}
        groups: list[list[Feature]] = []
        for glyph in glyphs:
            feature = self._feature(glyph)
            best = self._rank(feature)[0]
            if best.confidence >= MIN_MATCH:
                labels[glyph] = best.char
                continue
            group = next(
                (i for i, g in enumerate(groups) if float(g[0] @ feature) >= GROUP_MATCH),
                len(groups),
            )
            if group == len(groups):
                groups.append([])
            groups[group].append(feature)
            labels[glyph] = group
        return labels, groups


def _balanced(
    rows: Sequence[Mapping[str, Box]],
    glyphs: Mapping[Box, list[Box]],
    labels: Mapping[Box, str | int],
    group: int,
    char: str,
) -> int:
    """How many ``rows`` add up as read with the glyphs of ``group`` read as ``char`` (a row
    with another unknown glyph does not count)."""
    count = 0
    for row in rows:
        numbers: dict[str, tuple[str, Box]] = {}
        for part, box in row.items():
            text = _text_as(glyphs[box], labels, group, char)
            if text is None:
                break
            numbers[part] = (text, box)
        else:
            count += bool(vouched_numbers(numbers))
    return count


def _text_as(
    glyphs: list[Box], labels: Mapping[Box, str | int], group: int, char: str
) -> str | None:
    """A cell's text with the glyphs of ``group`` as ``char``; None if another is unknown."""
    text = ""
    for glyph in glyphs:
        label = labels[glyph]
        if label == group:
            text += char
        elif isinstance(label, str):
            text += label
        else:
            return None
    return text


def _number(parsed: ParsedNumber) -> Decimal | None:
    return Decimal(0) if parsed.absent else parsed.number


def vouched_numbers(row: Mapping[str, tuple[str, Box]]) -> list[Sample]:
    """A row's numbers (text and cell, by field) when they add up as read: every score, the
    bonus and the total parse, and the scores (with or without the bonus) make the total.

    Plain arithmetic, without the year's rule (a page that continues a list has no year of its
    own): a row with doubled subjects simply does not vouch.  Two misread digits that cancel
    out would vouch wrongly; such a row adds one glyph to each of two characters' templates,
    among dozens."""
    scores = [number for part, number in row.items() if part.startswith(SCORE_PREFIX)]
    total, bonus = row.get("total"), row.get("bonus")
    if not scores or total is None:
        return []
    terms = [_number(parse_score(text)) for text, _ in scores]
    whole = parse_total(total[0]).number
    extra = parse_bonus(bonus[0]).number if bonus is not None else Decimal(0)
    if whole is None or extra is None or any(term is None for term in terms):
        return []
    plain = sum((term for term in terms if term is not None), Decimal(0))
    if whole not in (plain, plain + extra):
        return []
    numbers = [*scores, total, *([bonus] if bonus is not None else [])]
    return [Sample(box, text) for text, box in numbers if text.strip()]


def template_opinions(
    bank: GlyphBank, rows: Sequence[Mapping[str, Cell]]
) -> list[dict[str, Reading]]:
    """Per row, the bank's reading of each number of the sum where it differs from the first
    model's.  Cells the page's threshold showed blank are read too: a faint ribbon's strokes
    that it lost are found by the cell's own threshold."""
    opinions: list[dict[str, Reading]] = []
    for row in rows:
        found: dict[str, Reading] = {}
        for part, cell in row.items():
            if not is_summed(part):
                continue
            reading = bank.read(cell.box)
            if reading is not None and reading.text != cell.reading.text.replace(" ", ""):
                found[part] = reading
        opinions.append(found)
    return opinions
