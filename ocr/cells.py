"""Cutting cells out of a table: where each cell is, and how it is prepared for the engine."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from ocr.model import Box
from ocr.table import Table

GrayImage = npt.NDArray[np.uint8]

# Tesseract reads best with text about 30 px tall: rows are scaled to about this height.
TARGET_ROW_HEIGHT = 56


def cell_boxes(table: Table, band: tuple[int, int], pad: int) -> list[Box]:
    """The box of every cell of one row band, kept clear of the column rules."""
    top, bottom = band
    boxes = []
    for left, right in itertools.pairwise(table.column_edges):
        inset = 2  # just clear of the (erased) rule: the first letter often touches it
        boxes.append(
            Box(left + inset, top - pad, max(1, right - left - 2 * inset), bottom - top + 2 * pad)
        )
    return boxes


def row_padding(bands: Sequence[tuple[int, int]]) -> int:
    """Extra height above and below a band, so that diacritics and descenders are kept."""
    if not bands:
        return 2
    return max(2, int(np.median([b - a for a, b in bands]) * 0.12))


def target_scale(bands: Sequence[tuple[int, int]]) -> float:
    """Enlargement that brings small print to the height the engine reads best."""
    if not bands:
        return 1.0
    return min(3.0, max(1.0, TARGET_ROW_HEIGHT / float(np.median([b - a for a, b in bands]))))


def crop(image: GrayImage, box: Box) -> GrayImage:
    return image[max(0, box.y) : box.bottom, max(0, box.x) : box.right]


def scaled(image: GrayImage, scale: float) -> GrayImage:
    if scale <= 1.01 or image.size == 0:
        return image
    height, width = image.shape
    resized = cv2.resize(
        image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_CUBIC
    )
    return np.asarray(resized, dtype=np.uint8)


def has_ink(image: GrayImage) -> bool:
    return bool((image < 128).sum() > image.size * 0.002)
