"""A page being drawn: one grayscale coverage layer per ink, composited onto paper at the end.

Why layers: a scan is paper seen through several inks (typewriter ribbon, ballpoint, the red
seal, a violet stamp) that overlap.  Drawing each ink as coverage (0 = none, 255 = full) and
multiplying the inks onto the paper at the end gives the right look where a seal covers text,
lets every ink get its own texture (a ribbon's unevenness, a seal's patchy ink), and lets the
dot-matrix style draw its text on a coarse pin grid that becomes round dots later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
FloatImage = NDArray[np.float32]


class Ink(StrEnum):
    PRINT = "print"  # the machine's ink: ribbon, toner, pins
    PEN = "pen"  # ballpoint or fountain pen: handwriting, corrections, signatures, marks
    SEAL = "seal"  # the red round seal
    STAMP = "stamp"  # other rubber stamps


@dataclass(frozen=True)
class InkLook:
    """Colour (RGB 0..1) and texture of one ink."""

    color: tuple[float, float, float]
    strength: float = 0.95  # coverage at full ink
    unevenness: float = 0.15  # 0 = flat; 1 = patchy (ribbon wear, seal ink)
    grain_px: float = 2.0  # size of the texture blobs
    blur_px: float = 0.0  # ink spread into the paper


class Canvas:
    """Coverage layers of one page, plus an optional coarse grid layer for dot-matrix pins."""

    def __init__(self, width: int, height: int, dpi: int, *, pin_pitch: int = 0) -> None:
        self.width = width
        self.height = height
        self.dpi = dpi
        self.layers: dict[Ink, Image.Image] = {}
        self.pin_pitch = pin_pitch
        self.grid: Image.Image | None = None
        if pin_pitch:
            self.grid = Image.new("L", (width // pin_pitch + 1, height // pin_pitch + 1), 0)

    def px(self, points: float) -> float:
        """Typographic points to page pixels."""
        return points * self.dpi / 72.0

    def mm(self, millimetres: float) -> float:
        return millimetres * self.dpi / 25.4

    def layer(self, ink: Ink) -> Image.Image:
        if ink not in self.layers:
            self.layers[ink] = Image.new("L", (self.width, self.height), 0)
        return self.layers[ink]

    def draw(self, ink: Ink) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.layer(ink))

    def grid_draw(self) -> ImageDraw.ImageDraw:
        if self.grid is None:
            raise RuntimeError("this canvas has no pin grid")
        return ImageDraw.Draw(self.grid)


def smooth_noise(rng: np.random.Generator, height: int, width: int, scale_px: float) -> FloatImage:
    """Low-frequency noise in [0, 1]: random values on a coarse grid, resized smoothly."""
    gh = max(2, int(height / max(scale_px, 1.0)) + 2)
    gw = max(2, int(width / max(scale_px, 1.0)) + 2)
    coarse = rng.random((gh, gw), dtype=np.float32)
    fine = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.asarray(np.clip(fine, 0.0, 1.0), dtype=np.float32)


def pins_to_dots(grid: Image.Image, pitch: int, width: int, height: int) -> FloatImage:
    """Turn the coarse pin grid into round dots that do not touch (coverage 0..1).

    Each grid cell whose coverage passes the threshold becomes one disk of diameter about
    0.8 pitch, so neighbouring dots stay apart as a 9- or 24-pin head prints them.
    """
    on = (np.asarray(grid, dtype=np.uint8) > 60).astype(np.float32)
    yy, xx = np.mgrid[0:pitch, 0:pitch].astype(np.float32)
    c = (pitch - 1) / 2.0
    radius = max(0.75, 0.45 * pitch)
    dot = np.clip(radius + 0.5 - np.hypot(yy - c, xx - c), 0.0, 1.0).astype(np.float32)
    big = np.kron(on, dot)
    out = np.zeros((height, width), dtype=np.float32)
    h = min(height, big.shape[0])
    w = min(width, big.shape[1])
    out[:h, :w] = big[:h, :w]
    return out


def ink_coverage(
    canvas: Canvas, ink: Ink, look: InkLook, rng: np.random.Generator
) -> FloatImage | None:
    """Coverage 0..1 of one ink with its texture applied; None when nothing was drawn."""
    cov: FloatImage | None = None
    if ink in canvas.layers:
        cov = np.asarray(canvas.layers[ink], dtype=np.float32) / 255.0
    if ink is Ink.PRINT and canvas.grid is not None:
        dots = pins_to_dots(canvas.grid, canvas.pin_pitch, canvas.width, canvas.height)
        # a weak pin leaves a faint stripe through every line of text
        pitch = canvas.pin_pitch
        rows = np.arange(canvas.height) // pitch
        weak = float(rng.uniform(0.35, 0.7))
        pins = 9 if rng.random() < 0.5 else 24
        bad = int(rng.integers(pins))
        factor = np.where(rows % pins == bad, weak, 1.0).astype(np.float32)
        dots *= factor[:, None]
        cov = dots if cov is None else np.maximum(cov, dots)
    if cov is None or not cov.any():
        return None
    if look.blur_px > 0:
        k = look.blur_px
        cov = np.asarray(cv2.GaussianBlur(cov, (0, 0), sigmaX=k, sigmaY=k), dtype=np.float32)
    if look.unevenness > 0:
        tex = smooth_noise(rng, canvas.height, canvas.width, look.grain_px)
        wide = smooth_noise(rng, canvas.height, canvas.width, look.grain_px * 40)
        mod = 1.0 - look.unevenness * (0.6 * tex + 0.4 * wide)
        cov = (cov * mod).astype(np.float32)
    return np.asarray(np.clip(cov * look.strength, 0.0, 1.0), dtype=np.float32)


def composite(
    paper: FloatImage,
    canvas: Canvas,
    looks: dict[Ink, InkLook],
    rng: np.random.Generator,
    order: tuple[Ink, ...] = (Ink.PRINT, Ink.PEN, Ink.STAMP, Ink.SEAL),
) -> FloatImage:
    """Multiply each ink onto the paper (RGB float 0..1, H x W x 3), in ``order``."""
    out = paper.copy()
    for ink in order:
        if ink not in looks:
            continue
        cov = ink_coverage(canvas, ink, looks[ink], rng)
        if cov is None:
            continue
        color = np.asarray(looks[ink].color, dtype=np.float32)
        out *= 1.0 - cov[:, :, None] * (1.0 - color[None, None, :])
    return out
