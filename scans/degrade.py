"""From drawn inks to an archive scan: paper, ink textures, ageing, copying and scanning.

Why: OCR must be measured on what the archive really holds: yellowed paper, faded ribbon,
the verso showing through, stains, photocopies of photocopies, pages fed askew or upside
down.  Each effect is named, and the names applied to a page go to the manifest, so the later
benchmark can break its results down by degradation.

Levels: ``clean`` (a good flatbed scan of a well kept sheet), ``light``, ``medium``,
``heavy``.  Skew stays within ±3°; rotation by 90/180/270° is decided separately (a page
fed sideways is not a matter of age).  The geometric transform is returned as a 3x3 matrix
so that the boxes recorded while drawing can be mapped onto the final image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray

from scans.canvas import FloatImage, Ink, InkLook, composite, smooth_noise
from scans.layout import PageRender
from scans.styles import Style


class Degradation(StrEnum):
    CLEAN = "clean"
    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"


Matrix = NDArray[np.float64]

SKEW_MAX = {
    Degradation.CLEAN: 0.0,
    Degradation.LIGHT: 0.8,
    Degradation.MEDIUM: 1.8,
    Degradation.HEAVY: 3.0,
}


@dataclass
class Finished:
    image: NDArray[np.uint8]  # H x W x 3 RGB
    applied: list[str]
    skew_deg: float
    rotation_ccw: int
    matrix: Matrix  # page drawing coordinates -> final image coordinates


def ink_looks(style: Style, rng: np.random.Generator, level: Degradation) -> dict[Ink, InkLook]:
    """Colours and textures of the inks of a style."""
    worn = {
        Degradation.CLEAN: 0.0,
        Degradation.LIGHT: 0.1,
        Degradation.MEDIUM: 0.2,
        Degradation.HEAVY: 0.3,
    }[level]
    if style in (Style.TYPEWRITER, Style.TYPEWRITER_PEN_MARKS):
        carbon = rng.random() < 0.3  # a carbon copy: blue-violet and soft
        color = (0.25, 0.22, 0.5) if carbon else (0.1, 0.09, 0.1)
        print_look = InkLook(color, 0.95, 0.25 + worn * 0.6, 1.6, 0.8 if carbon else 0.4)
    elif style is Style.DOT_MATRIX:
        print_look = InkLook((0.08, 0.08, 0.1), 1.0, 0.15 + worn * 0.5, 3.0, 0.2)
    elif style is Style.COMPUTER_PRINT:
        print_look = InkLook((0.06, 0.06, 0.07), 0.96, 0.05 + worn / 2, 2.0, 0.35)
    else:  # a printed form for handwritten ledgers
        print_look = InkLook((0.1, 0.1, 0.12), 0.9, 0.15 + worn, 2.0, 0.4)
    blue = rng.random() < 0.65
    pen_color = (0.12, 0.2, 0.58) if blue else (0.1, 0.1, 0.16)
    return {
        Ink.PRINT: print_look,
        Ink.PEN: InkLook(pen_color, 0.9, 0.15 + worn, 2.5, 0.5),
        Ink.STAMP: InkLook(
            (0.45, 0.22, 0.62) if rng.random() < 0.5 else (0.8, 0.2, 0.22), 0.75, 0.55, 2.5, 0.7
        ),
        Ink.SEAL: InkLook((0.85, 0.16, 0.18), 0.8, 0.6, 2.5, 0.7),
    }


def make_paper(rng: np.random.Generator, h: int, w: int, age: float) -> FloatImage:
    """Off-white to yellowed paper with blotches, grain and a few fibres (age 0..1)."""
    white = np.array([0.97, 0.96, 0.93], dtype=np.float32)
    yellow = np.array([0.90, 0.84, 0.70], dtype=np.float32)
    base = white + (yellow - white) * float(age)
    blotch = smooth_noise(rng, h, w, max(h, w) / 6)
    mid = smooth_noise(rng, h, w, max(h, w) / 40)
    grain = rng.normal(0.0, 1.0, (h // 2 + 1, w // 2 + 1)).astype(np.float32)
    grain = np.asarray(cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
    shade = 1.0 - (0.05 + 0.06 * age) * blotch - 0.03 * mid + 0.012 * grain
    paper = base[None, None, :] * shade[:, :, None]
    # darker, browner edges on old paper
    if age > 0.3:
        yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        xx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        edge = np.clip(np.maximum(np.abs(yy), np.abs(xx)) - 0.85, 0, None) / 0.15
        paper *= 1.0 - 0.12 * age * edge[:, :, None] ** 2
    n_fibres = int(20 + 60 * age)
    layer = np.zeros((h, w), dtype=np.float32)
    for _ in range(n_fibres):
        x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
        a = rng.uniform(0, math.pi)
        ln = rng.uniform(5, 30) * w / 1650
        cv2.line(
            layer,
            (int(x0), int(y0)),
            (int(x0 + ln * math.cos(a)), int(y0 + ln * math.sin(a))),
            float(rng.uniform(0.03, 0.1)),
            1,
        )
    paper *= (1.0 - layer)[:, :, None]
    return np.asarray(np.clip(paper, 0, 1), dtype=np.float32)


def _stain(rng: np.random.Generator, img: FloatImage) -> None:
    """A coffee or water ring: a brownish ring with a faint inside."""
    h, w = img.shape[:2]
    r = rng.uniform(0.05, 0.12) * w
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    squash = rng.uniform(0.8, 1.2)
    x0, x1 = max(0, int(cx - 1.3 * r)), min(w, int(cx + 1.3 * r))
    y0, y1 = max(0, int(cy - 1.3 * r / squash)), min(h, int(cy + 1.3 * r / squash))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((xx - cx) ** 2 + ((yy - cy) * squash) ** 2) / r
    ring = (np.exp(-((d - 1.0) ** 2) / 0.004) * 0.25 + (d < 1.0) * 0.06).astype(np.float32)
    tint = np.array([0.25, 0.45, 0.75], dtype=np.float32)  # absorbs blue most: brown
    img[y0:y1, x0:x1] *= 1.0 - ring[:, :, None] * tint[None, None, :]


def _bleed_through(
    rng: np.random.Generator, img: FloatImage, verso: FloatImage, strength: float
) -> None:
    """The verso's ink seen through the paper: mirrored, blurred, faint."""
    h, w = img.shape[:2]
    mirrored = np.ascontiguousarray(verso[:, ::-1])
    dx, dy = int(rng.integers(-w // 30, w // 30 + 1)), int(rng.integers(-h // 30, h // 30 + 1))
    shifted = np.roll(np.roll(mirrored, dy, axis=0), dx, axis=1)
    blurred = cv2.GaussianBlur(shifted, (0, 0), sigmaX=max(1.5, w / 500))
    img *= (1.0 - strength * blurred)[:, :, None]


def _photocopy(rng: np.random.Generator, img: FloatImage) -> FloatImage:
    """Grey, contrasty, toner specks and a dark band at an edge: a copy of a copy."""
    gray = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    sample = gray[::8, ::8]
    hi = float(np.percentile(sample, 50)) * 0.97  # most of a page is paper: it goes white
    lo = float(np.percentile(sample, 0.3))  # the darkest ink goes black
    gray = np.clip((gray - lo) / max(1e-3, hi - lo), 0, 1) ** 1.6
    h, w = gray.shape
    specks = rng.random((h, w)) < 0.0008
    gray[specks] *= 0.2
    band = np.linspace(1, 0, max(2, w // 25), dtype=np.float32) ** 2 * 0.5
    if rng.random() < 0.5:
        gray[:, : band.size] *= 1 - band[None, :]
    else:
        gray[:, w - band.size :] *= 1 - band[None, ::-1]
    out = np.repeat(gray[:, :, None], 3, axis=2).astype(np.float32)
    return out


def _jpeg_artefacts(rng: np.random.Generator, img: NDArray[np.uint8]) -> NDArray[np.uint8]:
    quality = int(rng.integers(18, 40))
    ok, enc = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        return img
    dec = np.asarray(cv2.imdecode(enc, cv2.IMREAD_COLOR), dtype=np.uint8)
    return np.ascontiguousarray(dec[:, :, ::-1])


def _affine3(m: NDArray[np.float64]) -> Matrix:
    out = np.eye(3, dtype=np.float64)
    out[:2, :] = m
    return out


def rotation_matrix(k: int, w: int, h: int) -> Matrix:
    """Matrix of np.rot90(img, k) (counter-clockwise) on an image w wide, h high."""
    k %= 4
    if k == 0:
        return np.eye(3)
    if k == 1:
        return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64)
    if k == 2:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)
    return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)


def finish_page(
    render: PageRender,
    style: Style,
    level: Degradation,
    rng: np.random.Generator,
    *,
    rotation_ccw: int = 0,
    verso: FloatImage | None = None,
    age: float = 0.5,
) -> Finished:
    """Paper + inks + the degradations of ``level`` + skew + rotation."""
    canvas = render.canvas
    h, w = canvas.height, canvas.width
    applied: list[str] = []
    heavy = level is Degradation.HEAVY
    medium = level is Degradation.MEDIUM
    if level is Degradation.CLEAN:
        age *= 0.3
    paper = make_paper(rng, h, w, age)
    applied.append("paper_texture")
    light_bleed = level is Degradation.LIGHT and rng.random() < 0.4
    if verso is not None and (heavy or medium or light_bleed):
        strength = {Degradation.LIGHT: 0.04, Degradation.MEDIUM: 0.07, Degradation.HEAVY: 0.11}[
            level
        ]
        _bleed_through(rng, paper, verso, float(strength * rng.uniform(0.7, 1.2)))
        applied.append("bleed_through")
    looks = ink_looks(style, rng, level)
    img = composite(paper, canvas, looks, rng)
    if level is not Degradation.CLEAN:
        fade = {Degradation.LIGHT: 0.92, Degradation.MEDIUM: 0.82, Degradation.HEAVY: 0.7}[level]
        uneven = smooth_noise(rng, h, w, max(h, w) / 3)
        factor = (fade + (1 - fade) * 0.6 * uneven)[:, :, None]
        img = paper + (img - paper) * factor
        applied.append("fading")
    if (medium and rng.random() < 0.4) or (heavy and rng.random() < 0.7):
        for _ in range(int(rng.integers(1, 3))):
            _stain(rng, img)
        applied.append("stain")
    if heavy and rng.random() < 0.5:
        img = _photocopy(rng, img)
        applied.append("photocopy")
    sigma = (
        {
            Degradation.CLEAN: 0.0,
            Degradation.LIGHT: 0.45,
            Degradation.MEDIUM: 0.7,
            Degradation.HEAVY: 1.0,
        }[level]
        * canvas.dpi
        / 200
    )
    if sigma > 0:
        img = np.asarray(
            cv2.GaussianBlur(img, (0, 0), sigmaX=sigma * float(rng.uniform(0.7, 1.2))), np.float32
        )
        applied.append("blur")
    noise = {
        Degradation.CLEAN: 0.006,
        Degradation.LIGHT: 0.015,
        Degradation.MEDIUM: 0.03,
        Degradation.HEAVY: 0.05,
    }[level]
    img = img + rng.normal(0.0, noise, img.shape[:2]).astype(np.float32)[:, :, None]
    if level is not Degradation.CLEAN:
        applied.append("noise")
    out = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    matrix = np.eye(3)
    skew = 0.0
    if SKEW_MAX[level] > 0:
        skew = float(rng.uniform(-SKEW_MAX[level], SKEW_MAX[level]))
    border = 0
    if (medium and rng.random() < 0.3) or (heavy and rng.random() < 0.6):
        border = int(w * rng.uniform(0.015, 0.04))
        bed = int(rng.integers(20, 90)) if rng.random() < 0.6 else int(rng.integers(200, 235))
        out = np.asarray(
            cv2.copyMakeBorder(
                out, border, border, border, border, cv2.BORDER_CONSTANT, value=(bed, bed, bed)
            ),
            np.uint8,
        )
        matrix = np.array([[1, 0, border], [0, 1, border], [0, 0, 1]], dtype=np.float64)
        applied.append("scanner_border")
    if abs(skew) > 1e-6:
        hh, ww = out.shape[:2]
        m = np.asarray(cv2.getRotationMatrix2D((ww / 2, hh / 2), skew, 1.0), np.float64)
        fill = tuple(int(v) for v in out[2, 2])
        out = np.asarray(
            cv2.warpAffine(
                out,
                m,
                (ww, hh),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=fill,
            ),
            np.uint8,
        )
        matrix = _affine3(m) @ matrix
        applied.append("skew")
    if heavy and rng.random() < 0.5:
        out = _jpeg_artefacts(rng, out)
        applied.append("jpeg_artefacts")
    k = (rotation_ccw // 90) % 4
    if k:
        hh, ww = out.shape[:2]
        out = np.ascontiguousarray(np.rot90(out, k))
        matrix = rotation_matrix(k, ww, hh) @ matrix
        applied.append(f"rotated_{k * 90}")
    applied.extend(dict.fromkeys(render.marks))
    return Finished(out, applied, skew, k * 90, matrix)


def map_box(matrix: Matrix, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Axis-aligned box, in the final image, of a box drawn on the page."""
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64).T
    t = matrix @ pts
    return (
        math.floor(t[0].min()),
        math.floor(t[1].min()),
        math.ceil(t[0].max()),
        math.ceil(t[1].max()),
    )


def print_coverage(render: PageRender) -> FloatImage:
    """The page's machine ink as 0..1 coverage (for the next page's bleed-through)."""
    c = render.canvas
    cov = np.zeros((c.height, c.width), dtype=np.float32)
    for ink in (Ink.PRINT, Ink.PEN):
        if ink in c.layers:
            cov = np.maximum(cov, np.asarray(c.layers[ink], dtype=np.float32) / 255.0)
    if c.grid is not None:
        grid = np.asarray(c.grid, dtype=np.float32) / 255.0
        big = cv2.resize(grid, (c.width, c.height), interpolation=cv2.INTER_NEAREST)
        cov = np.maximum(cov, big)
    return cov
