"""Page clean-up before reading: orientation, deskew, binarisation, blank detection.

Named steps, each a pure function of an image:
- ``estimate_dpi``: the scan's resolution from its long side (archive scans are A4), which
  sizes the thresholding window and the header's enlargement.
- ``binarize``: flatten the paper's uneven tone (yellowing, stains, photocopy shading), then a
  local Sauvola threshold.  Tesseract's global Otsu loses faint strokes on grey scans.
- ``text_is_sideways`` and ``orientation``: a page of table rows has sharply periodic row
  profiles in its reading direction; 90° turns are found from that, 180° from Tesseract's
  orientation detection (OSD) or, when OSD is unsure, from which way up reads with more
  confidence.
- ``skew_angle``: the angle that makes the horizontal ink profile sharpest (rows and rules
  straight), searched coarse to fine within ±5°.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ocr.engine import engine

GrayImage = npt.NDArray[np.uint8]

A4_LONG_SIDE_INCHES = 11.69


def estimate_dpi(image: GrayImage) -> int:
    """Archive scans are A4 (or A3 folded to A4): the long side tells the resolution."""
    return max(100, round(int(max(image.shape)) / A4_LONG_SIDE_INCHES))


MAX_SKEW_DEGREES = 5.0


def flatten_background(image: GrayImage) -> GrayImage:
    """Divide by a heavy blur of the page: paper becomes white, ink keeps its contrast."""
    height, width = image.shape
    kernel = max(31, (min(height, width) // 40) | 1)
    small = cv2.resize(
        image, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA
    )
    background = cv2.medianBlur(small, min(255, (kernel // 4) | 1))
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(image, np.maximum(background, 1), scale=255)
    return np.asarray(flat, dtype=np.uint8)


# Pale print darkened for a last reading: a stroke at 60% of white becomes 36%, paper stays.
DARKEN_GAMMA = 2.0
_DARKEN_TABLE = (255 * (np.arange(256) / 255.0) ** DARKEN_GAMMA).astype(np.uint8)


def darken(image: GrayImage) -> GrayImage:
    """Deepen pale strokes on a flattened page (paper at white stays white)."""
    return np.asarray(cv2.LUT(image, _DARKEN_TABLE), dtype=np.uint8)


def sauvola(image: GrayImage, window: int = 31, k: float = 0.2, r: float = 128.0) -> GrayImage:
    """Sauvola's local threshold; returns ink as 0 and paper as 255.

    Written with OpenCV box filters (mean and mean of squares) rather than taken from
    scikit-image: the same formula, ~10× faster on a 300 dpi page, and no 30 MB dependency for
    one function.
    """
    as_float = image.astype(np.float32)
    mean = cv2.boxFilter(as_float, -1, (window, window), borderType=cv2.BORDER_REPLICATE)
    mean_sq = cv2.boxFilter(
        as_float * as_float, -1, (window, window), borderType=cv2.BORDER_REPLICATE
    )
    std = np.sqrt(np.maximum(mean_sq - mean * mean, 0))
    threshold = mean * (1 + k * (std / r - 1))
    return np.where(as_float > threshold, 255, 0).astype(np.uint8)


def binarize(image: GrayImage, dpi: int = 300) -> GrayImage:
    """Ink 0, paper 255; window scaled to the resolution (about a letter's height)."""
    window = max(15, int(dpi / 10) | 1)
    return sauvola(flatten_background(image), window=window)


def is_blank(binary: GrayImage) -> bool:
    """No more ink than dust and scanner noise: fewer than a handful of letter-sized marks."""
    ink = (binary == 0).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = binary.shape[0]
    letter_min, letter_max = height // 400, height // 15
    letters = [
        s
        for s in stats[1:]
        if letter_min <= s[cv2.CC_STAT_HEIGHT] <= letter_max and s[cv2.CC_STAT_AREA] >= 6
    ]
    return len(letters) < 15


def _downscale(binary: GrayImage, longest: int = 1200) -> GrayImage:
    height, width = binary.shape
    factor = longest / max(height, width)
    if factor >= 1:
        return binary
    resized = cv2.resize(
        binary, (int(width * factor), int(height * factor)), interpolation=cv2.INTER_AREA
    )
    return np.asarray(resized, dtype=np.uint8)


def _profile_sharpness(ink: npt.NDArray[np.float32]) -> float:
    """How strongly ink concentrates in some rows: high for straight text lines and rules."""
    profile = ink.sum(axis=1, dtype=np.float64)
    return float(np.dot(profile, profile))


@dataclass(frozen=True)
class GlyphStats:
    """Shapes of the letter-sized marks of a page, for telling which way up it is."""

    aspect: float  # median height / width: above 1 upright (digits, capitals are tall)
    marks_above: int  # diacritic-sized marks sitting just above a letter
    marks_below: int  # ... just below a letter
    across: float = 0.5  # share of letters whose nearest neighbour is beside them, not above


def glyph_stats(binary: GrayImage) -> GlyphStats:
    """Measure glyph shapes.  Vietnamese puts nearly all its marks *above* the letter (five of
    the six tones, circumflex, breve): on an upright page small marks sit on top of letters,
    on an upside-down page under them."""
    ink = (binary == 0).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    if (stats[:, cv2.CC_STAT_AREA] <= 12).sum() > 3 * (stats[:, cv2.CC_STAT_AREA] > 12).sum():
        # dot-matrix print: join the pins into letters first
        joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        stats = cv2.connectedComponentsWithStats(joined, connectivity=8)[2][1:]
    x, y, w, h, area = (stats[:, i] for i in range(5))
    limit = max(binary.shape) // 25
    letters = (h >= 8) & (w >= 4) & (h <= limit) & (w <= limit)
    if letters.sum() < 50:
        return GlyphStats(1.0, 0, 0)
    aspect = float(np.median(h[letters] / w[letters]))
    line = float(np.median(h[letters]))
    across = _neighbours_across(x[letters] + w[letters] / 2, y[letters] + h[letters] / 2)
    marks = (h < line * 0.45) & (w < line * 0.9) & (area >= 3)
    big = letters & (h >= line * 0.6)
    bx0, bx1 = x[big], x[big] + w[big]
    by0, by1 = y[big], y[big] + h[big]
    above = below = 0
    for mx, my, mw, mh in zip(
        x[marks][:4000], y[marks][:4000], w[marks][:4000], h[marks][:4000], strict=True
    ):
        center = mx + mw / 2
        under = (bx0 <= center) & (center <= bx1)
        if not under.any():
            continue
        gap_down = by0[under] - (my + mh)
        gap_up = my - by1[under]
        above += bool(((gap_down >= -1) & (gap_down <= line * 0.5)).any())
        below += bool(((gap_up >= -1) & (gap_up <= line * 0.5)).any())
    return GlyphStats(aspect, above, below, across)


def _neighbours_across(cx: npt.NDArray[np.float64], cy: npt.NDArray[np.float64]) -> float:
    """Letters of a word stand side by side: on an upright page most letters' nearest
    neighbour is to their left or right, on a page lying on its side above or below."""
    count = len(cx)
    if count < 20:
        return 0.5
    step = max(1, count // 600)
    sample = np.arange(0, count, step)
    dx = cx[sample, None] - cx[None, :]
    dy = cy[sample, None] - cy[None, :]
    distance = dx * dx + dy * dy
    distance[np.arange(len(sample)), sample] = np.inf
    nearest = np.argmin(distance, axis=1)
    rows = np.arange(len(sample))
    return float(np.mean(np.abs(dx[rows, nearest]) > np.abs(dy[rows, nearest])))


def rotate_image(image: GrayImage, degrees: float, fill: int = 255) -> GrayImage:
    """Rotate counter-clockwise by ``degrees`` (any angle), growing the canvas to fit."""
    turns = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    key = round(degrees) % 360
    if abs(degrees - round(degrees)) < 1e-9 and key in turns:
        return np.asarray(cv2.rotate(image, turns[key]), dtype=np.uint8)
    if key == 0 and abs(degrees) < 1e-9:
        return image
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    rotated = cv2.warpAffine(
        image,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )
    return np.asarray(rotated, dtype=np.uint8)


def skew_angle(binary: GrayImage) -> float:
    """Degrees to rotate counter-clockwise so that rows are horizontal (within ±5°)."""
    ink = (_downscale(binary, 1000) == 0).astype(np.uint8) * 255
    best_angle, best_score = 0.0, -1.0

    def score(angle: float) -> float:
        turned = rotate_image(ink, angle, fill=0)
        return _profile_sharpness(turned.astype(np.float32))

    for step, span in ((0.25, MAX_SKEW_DEGREES), (0.05, 0.25)):
        center = best_angle
        for angle in np.arange(center - span, center + span + 1e-9, step):
            value = score(float(angle))
            if value > best_score:
                best_angle, best_score = float(angle), value
    return round(best_angle, 2)


@dataclass(frozen=True)
class Upright:
    """A page turned to reading orientation and straightened."""

    gray: GrayImage
    binary: GrayImage
    rotation: int  # degrees clockwise the scan was turned; we turned it back
    deskew: float  # degrees counter-clockwise applied after the quarter turns
    sure: bool = False  # the way up is beyond doubt (see ``orientation_judged``)


# Beyond these, the profile alone decides the axis; in between (dense grids of numbers, unruled
# lists with strong columns) the engine reads the page in each candidate orientation.
ACROSS_UPRIGHT = 0.65
ASPECT_UPRIGHT = 1.1
ASPECT_SIDEWAYS = 0.85
MIN_MARKS = 10
MARKS_RATIO = 1.2
# Twice as many marks on one side is beyond doubt: upright pages of every style measured 1.2
# to 14 (typewriters the lowest), the two pages of the benchmark set judged upside down by
# mistake 1.36 (24 marks in all) and less.
SURE_MARKS_RATIO = 2.0
STRIP_LONGEST_SIDE = 1600


def _strip_confidence(small: GrayImage, degrees: int) -> float:
    """The engine's mean confidence on the top of the page turned by ``degrees``.

    The top of a sheet is its header, in words, which read with far lower confidence upside
    down or sideways (digits do not: 0, 1, 8 look the same either way up).  Tesseract's own
    orientation detection was tried first: digits and ruling lines made it confidently wrong
    on score tables.
    """
    turned = rotate_image(small, degrees)
    strip = turned[: max(1, turned.shape[0] * 3 // 10)]
    return engine().mean_confidence(strip)  # the worker's engine: one model in memory


def orientation(binary: GrayImage) -> int:
    """Degrees counter-clockwise that bring the page to reading orientation (0/90/180/270).

    Cheap shape tests decide almost every page: the glyphs' height/width gives the axis, the
    side the diacritics sit on gives up or down.  Only when a test is unclear (dot-matrix
    print, a page of bare digits) does the engine read the page both ways.
    """
    return orientation_judged(binary)[0]


def orientation_judged(binary: GrayImage) -> tuple[int, bool]:
    """``orientation``, and whether it is sure: the axis clear from the letters' shapes and
    at least twice as many diacritics on one side of the letters as on the other.  A page
    judged less surely is worth reading turned half a turn when it makes no sense."""
    stats = glyph_stats(binary)
    if stats.across >= ACROSS_UPRIGHT or (stats.across > 0.5 and stats.aspect >= ASPECT_UPRIGHT):
        bases: tuple[int, ...] = (0,)
    elif stats.across <= 1 - ACROSS_UPRIGHT or (
        stats.across < 0.5 and stats.aspect <= ASPECT_SIDEWAYS
    ):
        bases = (90,)
    else:
        bases = (0, 90)
    best: tuple[float, int] = (0.0, 0)
    for base in bases:
        turned = stats if base == 0 else glyph_stats(rotate_image(binary, base))
        above, below = turned.marks_above, turned.marks_below
        # The diacritics' side: a clear majority of enough marks.  (Only the flip is judged
        # this way: on the wrong axis, marks beside letters can line up too.)
        lean = (max(above, below) + 1) / (min(above, below) + 1)
        if max(above, below) >= MIN_MARKS and lean > best[0] and (base == 0 or len(bases) == 1):
            best = (lean, base if above >= below else (base + 180) % 360)
    if best[0] >= MARKS_RATIO:
        return best[1], len(bases) == 1 and best[0] >= SURE_MARKS_RATIO
    small = _downscale(binary, STRIP_LONGEST_SIDE)
    candidates = [d for base in bases for d in (base, (base + 180) % 360)]
    return max(candidates, key=lambda degrees: _strip_confidence(small, degrees)), False


def make_upright(gray: GrayImage, dpi: int = 300) -> Upright:
    """Turn and straighten a page; return it in gray and binarised."""
    binary = binarize(gray, dpi)
    turned, sure = orientation_judged(binary)
    if turned:
        gray, binary = rotate_image(gray, turned), rotate_image(binary, turned)
    angle = skew_angle(binary)
    if abs(angle) >= 0.05:
        gray = rotate_image(gray, angle)
        binary = binarize(gray, dpi)
    return Upright(gray=gray, binary=binary, rotation=turned, deskew=angle, sure=sure)


def erase_small_specks(binary: GrayImage, max_area: int = 2) -> GrayImage:
    """Remove isolated dots of scanner noise (a pixel or two) that Tesseract reads as commas.

    Kept tiny on purpose: a dot-matrix letter is made of dots only a few pixels wide.
    """
    ink = (binary == 0).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= max_area)
    small = small[small > 0]
    if small.size == 0:
        return binary
    out = binary.copy()
    out[np.isin(labels, small)] = 255
    return out
