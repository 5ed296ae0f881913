"""How text reaches the paper in each era: typewriter, dot-matrix, computer print, handwriting.

Each style is a *painter* that measures and draws a string at a baseline on a Canvas and says
where the ink went (the box is kept for the OCR benchmark).  The layout never needs to know
which machine made the page.

- typewriter: a monospace type face struck letter by letter: each strike lands a little off
  (jitter, baseline wobble), with its own pressure (uneven ink).  Some machines had no
  Vietnamese type: then only the base letters are typed and the marks (tones, breve,
  circumflex, horn, the bar of đ) are added by pen, drawn here as short strokes.
- dot-matrix: the text is drawn on a coarse pin grid; canvas.pins_to_dots turns each pin into a
  round dot that does not touch its neighbours.
- computer print (1990s, .VnTime look): a Times-like font that covers Vietnamese, crisp.
- handwriting: a handwriting font that covers Vietnamese, word by word with its own slant,
  size and baseline drift, in ballpoint blue or black.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from PIL import Image, ImageChops, ImageDraw, ImageFont

from scans.canvas import Box, Canvas, Ink
from scans.fonts import FontRole, load_font


class Style(StrEnum):
    TYPEWRITER = "typewriter"
    TYPEWRITER_PEN_MARKS = "typewriter_pen_marks"  # no Vietnamese type; marks added by pen
    DOT_MATRIX = "dot_matrix"
    COMPUTER_PRINT = "computer_print"
    HANDWRITTEN = "handwritten"


# Exam years in which each technology is plausible (unverified; DOMAIN.md §1 "expect all").
STYLE_YEARS: dict[Style, tuple[int, int]] = {
    Style.TYPEWRITER: (1978, 1996),
    Style.TYPEWRITER_PEN_MARKS: (1975, 1990),
    Style.DOT_MATRIX: (1989, 2001),
    Style.COMPUTER_PRINT: (1995, 2005),
    Style.HANDWRITTEN: (1975, 1992),
}


class Painter(Protocol):
    """Draws text of one style.  Sizes are in pixels; ``y`` is the baseline."""

    ink: Ink

    def measure(self, text: str, size: float, bold: bool = False) -> float: ...

    def draw(
        self, canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
    ) -> Box: ...


def _box(x0: float, y0: float, x1: float, y1: float) -> Box:
    return (math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1))


def _font(role: FontRole, size: float) -> ImageFont.FreeTypeFont:
    return load_font(role, round(size))


@dataclass
class PrintPainter:
    """1990s computer print: crisp Times-like glyphs; a laser or inkjet page."""

    rng: random.Random
    ink: Ink = Ink.PRINT
    regular: FontRole = FontRole.SERIF
    heavy: FontRole = FontRole.SERIF_BOLD

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        return float(_font(self.heavy if bold else self.regular, size).getlength(text))

    def draw(
        self, canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
    ) -> Box:
        font = _font(self.heavy if bold else self.regular, size)
        fill = int(self.rng.uniform(225, 255))
        canvas.draw(self.ink).text((x, y), text, font=font, fill=fill, anchor="ls")
        ascent, descent = font.getmetrics()
        return _box(x, y - ascent, x + font.getlength(text), y + descent)


@dataclass
class DotMatrixPainter:
    """Text drawn on the pin grid (1 grid cell = 1 pin, ``pitch`` page pixels): dots, not
    strokes.  Bold is the bold face on the same grid (a shifted double strike at this pin
    size turns letters into blobs)."""

    rng: random.Random
    pitch: int
    ink: Ink = Ink.PRINT
    regular: FontRole = FontRole.SERIF
    heavy: FontRole = FontRole.SERIF_BOLD

    def _scaled(self, size: float, bold: bool) -> ImageFont.FreeTypeFont:
        return _font(self.heavy if bold else self.regular, size / self.pitch)

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        return float(self._scaled(size, bold).getlength(text)) * self.pitch

    def draw(
        self, canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
    ) -> Box:
        p = self.pitch
        if canvas.pin_pitch != p:
            raise ValueError("canvas pin grid does not match the painter's pitch")
        font = self._scaled(size, bold)
        grid = canvas.grid_draw()
        grid.text((x / p, y / p), text, font=font, fill=255, anchor="ls")
        ascent, descent = font.getmetrics()
        return _box(x, y - ascent * p, x + font.getlength(text) * p, y + descent * p)


def pin_pitch(dpi: int) -> int:
    """Page pixels per pin: about 100 pins per inch (9-pin heads printed 72 per inch, 24-pin
    draft modes more); at least 2 so that the dots stay apart."""
    return max(2, round(dpi / 100))


# ---------------------------------------------------------------------------------------------
# Pen marks: the diacritics a typist without Vietnamese type added by hand

GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"


def split_marks(ch: str) -> tuple[str, str]:
    """Base letter and combining marks of one character ("ệ" -> "e", circumflex + dot)."""
    if ch in "đĐ":
        return ("d" if ch == "đ" else "D"), "đ"
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0], decomposed[1:]


def draw_pen_marks(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    glyph: Box,
    x_height_top: float,
    marks: str,
    size: float,
    upper: bool,
) -> None:
    """Draw diacritics by pen over a typed base letter whose ink box is ``glyph``."""
    x0, top, x1, base = glyph
    w = max(2.0, x1 - x0)
    cx = (x0 + x1) / 2 + rng.gauss(0, w * 0.06)
    lw = max(1, round(size * 0.07))
    s = size
    level = (top if upper else x_height_top) - s * 0.08  # bottom of the first mark above

    def j() -> float:  # tiny hand tremor
        return rng.gauss(0, s * 0.02)

    def line(points: list[tuple[float, float]]) -> None:
        draw.line([(px + j(), py + j()) for px, py in points], fill=255, width=lw, joint="curve")

    for mark in (m for m in marks if m in (CIRCUMFLEX, BREVE)):
        if mark == CIRCUMFLEX:
            line([(cx - s * 0.16, level), (cx, level - s * 0.17), (cx + s * 0.16, level)])
        else:
            pts = [
                (cx + s * 0.16 * math.cos(t), level - s * 0.14 + s * 0.12 * math.sin(t))
                for t in (i * math.pi / 6 for i in range(7))
            ]
            line(pts)
        level -= s * 0.22
    for mark in marks:
        if mark == ACUTE:
            line([(cx - s * 0.05, level), (cx + s * 0.12, level - s * 0.2)])
        elif mark == GRAVE:
            line([(cx + s * 0.05, level), (cx - s * 0.12, level - s * 0.2)])
        elif mark == TILDE:
            line(
                [
                    (
                        cx - s * 0.18 + s * 0.36 * t / 8,
                        level - s * 0.09 - s * 0.06 * math.sin(t / 8 * 2 * math.pi),
                    )
                    for t in range(9)
                ]
            )
        elif mark == HOOK:
            line(
                [
                    (cx - s * 0.07, level - s * 0.2),
                    (cx + s * 0.06, level - s * 0.24),
                    (cx + s * 0.08, level - s * 0.14),
                    (cx, level - s * 0.08),
                    (cx, level - s * 0.02),
                ]
            )
        elif mark == DOT:
            r = max(1.0, s * 0.05)
            dy = base + s * 0.12
            draw.ellipse((cx - r, dy - r, cx + r, dy + r), fill=255)
        elif mark == HORN:
            hx = x1 - w * 0.1
            hy = (top if upper else x_height_top) + s * 0.02
            line(
                [
                    (hx - s * 0.02, hy + s * 0.04),
                    (hx + s * 0.1, hy - s * 0.04),
                    (hx + s * 0.08, hy - s * 0.14),
                ]
            )
        elif mark == "đ":
            by = (top + x_height_top) / 2 if not upper else (top + base) / 2
            bx = x1 - w * 0.25 if not upper else x0 + w * 0.15
            line([(bx - s * 0.14, by), (bx + s * 0.14, by + rng.gauss(0, s * 0.02))])


@dataclass
class TypewriterPainter:
    """A monospace face struck letter by letter, with uneven pressure and alignment."""

    rng: random.Random
    pen_marks: bool = False  # True: the machine has no Vietnamese type; marks are by pen
    ink: Ink = Ink.PRINT
    wobble: float = 1.0  # how worn the machine is

    heavy_type: bool = False  # a machine with a fresh ribbon and hard keys: bolder type

    def _font(self, size: float, bold: bool) -> ImageFont.FreeTypeFont:
        if self.pen_marks:
            return _font(FontRole.TYPEWRITER_LATIN, size)
        return _font(FontRole.MONO_BOLD if bold or self.heavy_type else FontRole.MONO, size)

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        return float(self._font(size, bold).getlength("M")) * len(text)

    def draw(
        self, canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
    ) -> Box:
        font = self._font(size, bold)
        advance = float(font.getlength("M"))
        draw = canvas.draw(self.ink)
        pen = canvas.draw(Ink.PEN) if self.pen_marks else None
        ascent, descent = font.getmetrics()
        x_top = y + float(font.getbbox("x", anchor="ls")[1])  # top of the x-height
        phase = self.rng.uniform(0, 2 * math.pi)
        amp = size * 0.03 * self.wobble
        for i, ch in enumerate(text):
            if ch == " ":
                continue
            cx = x + i * advance + self.rng.gauss(0, size * 0.015 * self.wobble)
            cy = y + amp * math.sin(phase + i / 7.0) + self.rng.gauss(0, size * 0.02 * self.wobble)
            fill = int(min(255, max(110, self.rng.gauss(215, 28))))
            base, marks = split_marks(ch) if self.pen_marks else (ch, "")
            draw.text((cx, cy), base, font=font, fill=fill, anchor="ls")
            if bold or self.rng.random() < 0.03:  # struck twice / a heavy key
                draw.text((cx + 1, cy), base, font=font, fill=fill, anchor="ls")
            if marks and pen is not None:
                gb = font.getbbox(base, anchor="ls")
                glyph = _box(cx + gb[0], cy + gb[1], cx + gb[2], cy + gb[3])
                draw_pen_marks(pen, self.rng, glyph, x_top + (cy - y), marks, size, base.isupper())
        return _box(x, y - ascent, x + advance * len(text), y + descent)


@dataclass
class HandPainter:
    """Handwriting: word by word, each with its own slant, size and place on a drifting line."""

    rng: random.Random
    ink: Ink = Ink.PEN
    role: FontRole = FontRole.HAND
    scale: float = 1.0  # handwriting is a little larger than type

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        font = _font(self.role, size * self.scale)
        return float(font.getlength(text)) * 1.04

    def draw(
        self, canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False
    ) -> Box:
        layer = canvas.layer(self.ink)
        sz = size * self.scale
        slope = self.rng.gauss(0, 0.012)
        cursor = x
        x_end = x
        top = y
        bottom = y
        space = float(_font(self.role, sz).getlength(" "))
        for word in text.split(" "):
            if not word:
                cursor += space
                continue
            wsz = sz * self.rng.uniform(0.93, 1.07)
            font = _font(self.role, wsz)
            lft, t, r, b = font.getbbox(word, anchor="ls")
            pad = int(wsz * 0.4)
            w_img = Image.new("L", (int(r - lft) + 2 * pad, int(b - t) + 2 * pad), 0)
            ImageDraw.Draw(w_img).text(
                (pad - lft, pad - t),
                word,
                font=font,
                fill=int(self.rng.uniform(215, 255)),
                anchor="ls",
            )
            if bold:
                w_img = ImageChops.lighter(w_img, ImageChops.offset(w_img, 1, 0))
            angle = self.rng.gauss(0, 1.5)
            w_img = w_img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
            dy = (cursor - x) * slope + self.rng.gauss(0, sz * 0.04)
            px = round(cursor + lft - pad)
            py = round(y + dy + t - pad)
            region = (px, py, px + w_img.width, py + w_img.height)
            under = layer.crop(region)
            layer.paste(ImageChops.lighter(under, w_img), region[:2])
            top = min(top, y + dy + t)
            bottom = max(bottom, y + dy + b)
            cursor += (r - lft) + space * self.rng.uniform(0.8, 1.3)
            x_end = cursor - space
        return _box(x, top, x_end, bottom)


def painter_for(style: Style, rng: random.Random, dpi: int) -> Painter:
    """The painter of the table body for ``style``."""
    if style is Style.TYPEWRITER:
        return TypewriterPainter(
            rng, pen_marks=False, wobble=rng.uniform(0.6, 1.3), heavy_type=rng.random() < 0.6
        )
    if style is Style.TYPEWRITER_PEN_MARKS:
        return TypewriterPainter(rng, pen_marks=True, wobble=rng.uniform(0.8, 1.5))
    if style is Style.DOT_MATRIX:
        sans = rng.random() < 0.3
        return DotMatrixPainter(
            rng,
            pin_pitch(dpi),
            regular=FontRole.SANS if sans else FontRole.SERIF,
            heavy=FontRole.SANS_BOLD if sans else FontRole.SERIF_BOLD,
        )
    if style is Style.COMPUTER_PRINT:
        return PrintPainter(rng)
    role = FontRole.HAND if rng.random() < 0.65 else FontRole.HAND_CURSIVE
    return HandPainter(rng, role=role, scale=1.15 if role is FontRole.HAND else 1.25)


def hand_painter(rng: random.Random) -> HandPainter:
    """The pen of corrections and notes, whatever machine typed the page."""
    return HandPainter(rng, role=FontRole.HAND, scale=1.1)
