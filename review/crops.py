"""Crops of the stored page image for the review screen: the cell, and the row strip.

Boxes are in the coordinates of the page image ingest stored (the page in reading
orientation, deskewed), so a crop is a plain slice.  Decoding a 300 dpi page costs tens of
milliseconds, and a reviewer asks for many crops of the same page in a row, so the last few
decoded pages are kept in memory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

PAD_CELL = 12  # pixels of context around a cell: strokes often cross the ruling
PAD_ROW = 6
MAX_PAGE_WIDTH = 1400  # the page view is scaled down to this width


class ImageMissingError(FileNotFoundError):
    """The page image is not on disk (never stored, or the data folder moved)."""


@lru_cache(maxsize=6)
def _page(path: str, mtime_ns: int) -> NDArray[np.uint8]:
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ImageMissingError(path)
    return np.asarray(image, dtype=np.uint8)


def load_page(path: Path) -> NDArray[np.uint8]:
    try:
        stat = path.stat()
    except OSError as error:
        raise ImageMissingError(str(path)) from error
    return _page(str(path), stat.st_mtime_ns)


def _png(image: NDArray[np.uint8]) -> bytes:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError("PNG encoding failed")
    return encoded.tobytes()


def crop(page: NDArray[np.uint8], x: int, y: int, w: int, h: int, pad: int) -> bytes:
    """The box plus ``pad`` pixels on each side, clipped to the page, as PNG."""
    height, width = page.shape[:2]
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(width, x + w + pad), min(height, y + h + pad)
    if x1 <= x0 or y1 <= y0:
        raise ValueError("box outside the page")
    return _png(page[y0:y1, x0:x1])


def row_strip(page: NDArray[np.uint8], y: int, h: int) -> bytes:
    """The full width of the page at the row's height: the row as the sheet shows it."""
    return crop(page, 0, y, page.shape[1], h, PAD_ROW)


def page_preview(page: NDArray[np.uint8]) -> tuple[bytes, float]:
    """The page scaled to ``MAX_PAGE_WIDTH`` as PNG, and the scale applied."""
    scale = min(1.0, MAX_PAGE_WIDTH / page.shape[1])
    if scale < 1.0:
        size = (round(page.shape[1] * scale), round(page.shape[0] * scale))
        page = np.asarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return _png(page), scale
