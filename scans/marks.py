"""Things drawn by hand or by rubber stamp: ruled lines, signatures, the round seal, stamps,
strike-throughs.

Why their own module: they are the marks that make a page look handled by people (lines ruled
with a pen that wander a little, a signature, the red seal pressed over the signer's title), and
several of them are degradations the OCR must survive (a stamp over text, a struck value).
"""

from __future__ import annotations

import itertools
import math
import random

from PIL import Image, ImageChops, ImageDraw

from scans.canvas import Box, Canvas, Ink
from scans.fonts import FontRole, load_font

Point = tuple[float, float]


def wobbly_line(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    p0: Point,
    p1: Point,
    width: float,
    wobble: float,
    fill: int = 255,
) -> None:
    """A line ruled by hand or worn print: it wanders up to ``wobble`` px, its width varies."""
    length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
    if wobble <= 0 or length < 4:
        draw.line([p0, p1], fill=fill, width=max(1, round(width)))
        return
    n = max(2, int(length / 40))
    nx, ny = -(p1[1] - p0[1]) / length, (p1[0] - p0[0]) / length
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    freqs = [rng.uniform(0.5, 1.5), rng.uniform(2, 4), rng.uniform(6, 10)]
    pts: list[Point] = []
    for i in range(n + 1):
        t = i / n
        off = wobble * (
            0.6 * math.sin(freqs[0] * math.pi * t + phases[0])
            + 0.3 * math.sin(freqs[1] * math.pi * t + phases[1])
            + 0.1 * math.sin(freqs[2] * math.pi * t + phases[2])
        )
        pts.append((p0[0] + (p1[0] - p0[0]) * t + nx * off, p0[1] + (p1[1] - p0[1]) * t + ny * off))
    for a, b in itertools.pairwise(pts):
        w = max(1, round(width * rng.uniform(0.8, 1.2)))
        draw.line([a, b], fill=int(fill * rng.uniform(0.8, 1.0)), width=w)


def _catmull_rom(points: list[Point], steps: int = 8) -> list[Point]:
    out: list[Point] = []
    pts = [points[0], *points, points[-1]]
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                (
                    0.5
                    * (
                        2 * p1[0]
                        + (-p0[0] + p2[0]) * t
                        + (2 * p0[0] - 5 * p1[0] + 4 * p2[0] - p3[0]) * t2
                        + (-p0[0] + 3 * p1[0] - 3 * p2[0] + p3[0]) * t3
                    ),
                    0.5
                    * (
                        2 * p1[1]
                        + (-p0[1] + p2[1]) * t
                        + (2 * p0[1] - 5 * p1[1] + 4 * p2[1] - p3[1]) * t2
                        + (-p0[1] + 3 * p1[1] - 3 * p2[1] + p3[1]) * t3
                    ),
                )
            )
    out.append(points[-1])
    return out


def signature(canvas: Canvas, rng: random.Random, x: float, y: float, width: float) -> Box:
    """A pen scribble ``width`` px wide with its left end at (x, y): loops, then a flourish."""
    h = width * 0.28
    pts: list[Point] = [(x, y + rng.uniform(-0.1, 0.1) * h)]
    cx = x
    loops = rng.randint(3, 6)
    for _ in range(loops):
        cx += width / (loops + 2) * rng.uniform(0.7, 1.3)
        pts.append((cx, y - h * rng.uniform(0.5, 1.1)))
        pts.append((cx - width * 0.04, y + h * rng.uniform(0.0, 0.5)))
    pts.append((x + width * 0.9, y + h * rng.uniform(-0.2, 0.3)))
    pts.append((x + width * rng.uniform(0.3, 0.5), y + h * rng.uniform(0.3, 0.6)))
    pts.append((x + width, y - h * rng.uniform(0.1, 0.4)))
    curve = _catmull_rom(pts, 10)
    draw = canvas.draw(Ink.PEN)
    lw = max(1, round(canvas.px(0.9)))
    for a, b in itertools.pairwise(curve):
        draw.line([a, b], fill=int(rng.uniform(200, 255)), width=lw)
    xs = [p[0] for p in curve]
    ys = [p[1] for p in curve]
    return (int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1)


def _paste_max(layer: Image.Image, img: Image.Image, x: int, y: int) -> None:
    region = (x, y, x + img.width, y + img.height)
    layer.paste(ImageChops.lighter(layer.crop(region), img), (x, y))


def _text_on_circle(
    img: Image.Image, text: str, cx: float, cy: float, r: float, size: int, top: bool
) -> None:
    """Letters along an arc, centred on the top (reading clockwise) or the bottom."""
    font = load_font(FontRole.SANS_BOLD, size)
    widths = [font.getlength(c) * 1.05 for c in text]
    if sum(widths) / r > math.pi * 0.8:  # each text keeps to its half of the ring
        size = max(5, int(size * math.pi * 0.8 * r / sum(widths)))
        font = load_font(FontRole.SANS_BOLD, size)
        widths = [font.getlength(c) * 1.05 for c in text]
    total_angle = sum(widths) / r
    angle = -math.pi / 2 - total_angle / 2 if top else math.pi / 2 + total_angle / 2
    for ch, w in zip(text, widths, strict=True):
        half = w / 2 / r
        a = angle + half if top else angle - half
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=255, anchor="mm")
        rot = -math.degrees(a) - 90 if top else -math.degrees(a) + 90
        glyph = glyph.rotate(rot, resample=Image.Resampling.BILINEAR)
        gx = cx + r * math.cos(a) - size
        gy = cy + r * math.sin(a) - size
        _paste_max(img, glyph, round(gx), round(gy))
        angle = angle + 2 * half if top else angle - 2 * half


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=255)


def round_seal(
    canvas: Canvas,
    rng: random.Random,
    cx: float,
    cy: float,
    top_text: str,
    bottom_text: str,
) -> Box:
    """The red round seal of the issuing body: two rings, text on the arc, a star inside.

    Pressed by hand: slightly rotated, the pressure uneven (the ink texture comes from the
    SEAL ink look at compositing).
    """
    r = canvas.mm(rng.uniform(17, 20))
    size = int(r * 2 + 8)
    img = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(img)
    c = size / 2
    ring = max(2, round(r * 0.05))
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    r2 = r * 0.66
    d.ellipse((c - r2, c - r2, c + r2, c + r2), outline=255, width=max(1, ring // 2))
    text_size = max(6, round(r * 0.2))
    text_r = (r + r2) / 2 - text_size * 0.05
    _text_on_circle(img, top_text, c, c, text_r, text_size, top=True)
    _text_on_circle(img, bottom_text, c, c, text_r, text_size, top=False)
    _star(d, c, c, r2 * 0.55)
    img = img.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR)
    x = round(cx - c)
    y = round(cy - c)
    _paste_max(canvas.layer(Ink.SEAL), img, x, y)
    return (x, y, x + size, y + size)


STAMP_TEXTS = ("ĐÃ KIỂM TRA", "SAO Y BẢN CHÍNH", "ĐÃ DUYỆT", "LƯU")


def box_stamp(canvas: Canvas, rng: random.Random, cx: float, cy: float, text: str) -> Box:
    """A rectangular rubber stamp with a double border, pressed askew."""
    size = round(canvas.px(rng.uniform(13, 17)))
    font = load_font(FontRole.SANS_BOLD, size)
    w = int(font.getlength(text) + size * 1.6)
    h = int(size * 2.2)
    img = Image.new("L", (w + 20, h + 20), 0)
    d = ImageDraw.Draw(img)
    lw = max(2, size // 7)
    d.rectangle((10, 10, 10 + w, 10 + h), outline=255, width=lw)
    d.rectangle(
        (10 + lw * 2, 10 + lw * 2, 10 + w - lw * 2, 10 + h - lw * 2),
        outline=255,
        width=max(1, lw // 2),
    )
    d.text((10 + w / 2, 10 + h / 2), text, font=font, fill=255, anchor="mm")
    img = img.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BILINEAR, expand=True)
    x = round(cx - img.width / 2)
    y = round(cy - img.height / 2)
    _paste_max(canvas.layer(Ink.STAMP), img, x, y)
    return (x, y, x + img.width, y + img.height)


def strike_through(
    canvas: Canvas, rng: random.Random, x0: float, x1: float, baseline: float, size: float
) -> None:
    """A pen stroke through a wrong value (one or two lines, a little diagonal), at the
    middle of the x-height above ``baseline``."""
    d = canvas.draw(Ink.PEN)
    lw = max(2, round(canvas.px(1.1)))
    mid = baseline - size * 0.33
    reach = size * 0.2
    for _ in range(rng.choice((1, 2, 2))):
        a = mid + rng.uniform(-0.15, 0.15) * size
        b = mid + rng.uniform(-0.15, 0.15) * size
        wobbly_line(d, rng, (x0 - reach, a), (x1 + reach, b), lw, 0.6)
