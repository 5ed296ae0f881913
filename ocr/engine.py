"""Tesseract in process: one engine per worker, reused for every cell.

Starting a Tesseract process per cell costs ~120 ms of model loading each time; an in-process
engine (tesserocr) initialised once per worker reads a cell in a few milliseconds.  Debian's
traineddata is used (tesseract-ocr-vie), found at BANGDIEM_TESSDATA or the Debian default.
Each reading keeps the engine's per-character alternatives: the row checks use them to repair
a doubtful digit only when the engine itself considered the repaired reading.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tesserocr
from PIL import Image

GrayImage = npt.NDArray[np.uint8]

DEBIAN_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


MIN_SIDE = 8  # pixels: anything thinner holds no readable text


class TesseractMissingError(RuntimeError):
    """No traineddata for the language was found."""


def tessdata_path() -> str:
    configured = os.environ.get("BANGDIEM_TESSDATA", "")
    for candidate in [*([configured] if configured else []), *DEBIAN_TESSDATA]:
        if (Path(candidate) / "vie.traineddata").is_file():
            return candidate.rstrip("/") + "/"
    raise TesseractMissingError(
        "Không tìm thấy dữ liệu tiếng Việt của Tesseract (vie.traineddata): "
        "cài gói tesseract-ocr-vie ('make setup') hoặc đặt BANGDIEM_TESSDATA."
    )


@contextmanager
def _leptonica_muted() -> Iterator[None]:
    """Silence Leptonica's C-level warnings ("box outside rectangle") during one call.

    Tesseract's page layout sometimes asks Leptonica about a box just past the image edge; the
    warning is harmless but lands on the terminal in the middle of the progress bar.  The
    library offers no switch through tesserocr, so standard error is pointed at /dev/null for
    the duration of the call (workers are single-threaded processes).
    """
    saved = os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


def _text_of(item: Any, level: int) -> str:
    """An iterator item's text; tesserocr raises instead of returning "" for an empty one."""
    try:
        return str(item.GetUTF8Text(level) or "")
    except RuntimeError:
        return ""


@dataclass(frozen=True)
class CharChoice:
    char: str
    confidence: float  # 0..1


@dataclass
class Reading:
    """The text of one cell or line, its confidence (0..1) and per-character alternatives."""

    text: str
    confidence: float
    choices: list[list[CharChoice]] = field(default_factory=list)  # per symbol, best first
    symbols: list[str] = field(default_factory=list)  # the symbols ``text`` is made of

    def alternatives(
        self, min_confidence: float = 0.01, limit: int = 12
    ) -> list[tuple[str, float]]:
        """Readings that differ from ``text`` in one symbol, as the engine ranked them."""
        found: list[tuple[str, float]] = []
        for index, options in enumerate(self.choices):
            for choice in options:
                if choice.char == self.symbols[index] or choice.confidence < min_confidence:
                    continue
                text = "".join([*self.symbols[:index], choice.char, *self.symbols[index + 1 :]])
                found.append((text, choice.confidence))
        found.sort(key=lambda pair: -pair[1])
        return found[:limit]


@dataclass(frozen=True)
class Symbol:
    """One recognised symbol of a stacked column, before it is joined into its cell's text."""

    line: int  # the engine's text line, counted over the whole stacked column
    left: int  # x of the symbol's box
    text: str
    confidence: float
    choices: list[CharChoice]
    starts_word: bool


def in_reading_order(symbols: Sequence[Symbol]) -> list[Symbol]:
    """A cell's symbols in reading order: the engine's own order within a text line, lines
    left to right (a cell split into pieces side by side).

    Within a line the engine's order is kept, never the boxes' x: the recogniser's symbol
    boxes are approximate and may overlap ("64" with the 4's box starting left of the 6's),
    and sorting by them swapped digits at full confidence (21.3.64 read 21.3.46).
    """
    lines: dict[int, list[Symbol]] = {}
    for symbol in symbols:
        lines.setdefault(symbol.line, []).append(symbol)
    ordered = sorted(lines.values(), key=lambda line: min(s.left for s in line))
    out: list[Symbol] = []
    for line in ordered:
        out.extend(replace(s, starts_word=s.starts_word or i == 0) for i, s in enumerate(line))
    return out


def _reading_of(symbols: Sequence[Symbol]) -> Reading:
    chars: list[str] = []
    choices: list[list[CharChoice]] = []
    for index, symbol in enumerate(symbols):
        if symbol.starts_word and index:
            chars.append(" ")
            choices.append([CharChoice(" ", 1.0)])
        chars.append(symbol.text)
        choices.append(symbol.choices)
    confidence = min((s.confidence for s in symbols), default=0.0)
    return Reading("".join(chars), confidence, choices, chars)


class Engine:
    """A Tesseract engine for one process.  Not thread-safe: one per worker process."""

    def __init__(self, lang: str = "vie") -> None:
        # OpenMP threads fight the worker processes for the cores (6.5× slower measured here).
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self._api = tesserocr.PyTessBaseAPI(path=tessdata_path(), lang=lang)
        self._api.SetVariable("lstm_choice_mode", "2")
        self._whitelist: str | None = None

    def _set_image(self, image: GrayImage, psm: int, whitelist: str | None) -> None:
        if min(image.shape[:2], default=0) < MIN_SIDE:
            # Leptonica complains on stderr about images a few pixels wide: read white instead.
            image = np.full((MIN_SIDE, MIN_SIDE), 255, dtype=np.uint8)
        self._api.SetPageSegMode(psm)
        if whitelist != self._whitelist:
            self._api.SetVariable("tessedit_char_whitelist", whitelist or "")
            self._whitelist = whitelist
        self._api.SetImage(Image.fromarray(image))

    def _symbols(self) -> Iterator[Any]:
        """Recognise the image set last and iterate over its symbols (none for an empty
        image: tesserocr raises or returns no iterator then)."""
        try:
            self._api.Recognize()
            iterator = self._api.GetIterator()
        except RuntimeError:
            return iter(())
        if iterator is None:
            return iter(())
        return iter(tesserocr.iterate_level(iterator, tesserocr.RIL.SYMBOL))

    def read_cells(self, cells: list[GrayImage], whitelist: str | None = None) -> list[Reading]:
        """Read a column of cells in one pass; each symbol goes to the slot holding its centre."""
        if not cells:
            return []
        gap = max(8, max(c.shape[0] for c in cells) // 2)
        sheet, slots = stack_cells(cells, gap)
        self._set_image(sheet, tesserocr.PSM.SINGLE_BLOCK, whitelist)
        parts: list[list[Symbol]] = [[] for _ in cells]
        level = tesserocr.RIL.SYMBOL
        line = -1
        for symbol in self._symbols():
            if symbol.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
                line += 1
            text = _text_of(symbol, level)
            box = symbol.BoundingBox(level)
            if not text or not box:
                continue
            center = (box[1] + box[3]) / 2
            slot = next(
                (i for i, (a, b) in enumerate(slots) if a - gap / 2 <= center < b + gap / 2), None
            )
            if slot is None:
                continue
            confidence = symbol.Confidence(level) / 100
            alternatives = [
                CharChoice(c.GetUTF8Text(), c.Confidence() / 100)
                for c in symbol.GetChoiceIterator()
            ]
            parts[slot].append(
                Symbol(
                    line,
                    box[0],
                    text,
                    confidence,
                    alternatives or [CharChoice(text, confidence)],
                    symbol.IsAtBeginningOf(tesserocr.RIL.WORD),
                )
            )
        return [_reading_of(in_reading_order(symbols)) for symbols in parts]

    def read_block(self, image: GrayImage, *, layout: bool = False) -> str:
        """Read several lines; ``layout`` lets Tesseract find columns first (a sheet header
        has its issuing body and the national motto side by side)."""
        self._set_image(image, tesserocr.PSM.AUTO if layout else tesserocr.PSM.SINGLE_BLOCK, None)
        try:
            with _leptonica_muted():
                return str(self._api.GetUTF8Text()).strip()
        except RuntimeError:  # tesserocr raises when the image holds no text at all
            return ""

    def mean_confidence(self, image: GrayImage) -> float:
        """The engine's mean word confidence (0..100) reading ``image`` as a block of text."""
        self._set_image(image, tesserocr.PSM.SINGLE_BLOCK, None)
        try:
            with _leptonica_muted():
                self._api.Recognize()
            return float(self._api.MeanTextConf())
        except RuntimeError:
            return 0.0


@cache
def engine() -> Engine:
    """The engine of this process, created on first use."""
    return Engine()


@cache
def latin_engine() -> Engine | None:
    """The English model's engine of this process, None where it is not installed.

    Its digits are trained on more kinds of print than the Vietnamese model's: on the
    weather-rescue pages it read 96 % of values right where the Vietnamese model read 85 %, and
    it reads a typewriter's 7 that the Vietnamese model takes for a 1.  Words need the
    Vietnamese model."""
    if not (Path(tessdata_path()) / "eng.traineddata").is_file():
        return None
    return Engine("eng")


def stack_cells(cells: list[GrayImage], gap: int) -> tuple[GrayImage, list[tuple[int, int]]]:
    """Stack cell images into one white column, ``gap`` pixels apart; return the slots' y
    ranges.  Reading a column in one call costs one page-layout pass instead of one per cell."""
    width = max((c.shape[1] for c in cells), default=1)
    height = sum(c.shape[0] for c in cells) + gap * (len(cells) + 1)
    sheet = np.full((max(height, 1), width + 2 * gap), 255, dtype=np.uint8)
    slots: list[tuple[int, int]] = []
    y = gap
    for cell in cells:
        h, w = cell.shape
        sheet[y : y + h, gap : gap + w] = cell
        slots.append((y, y + h))
        y += h + gap
    return sheet, slots
