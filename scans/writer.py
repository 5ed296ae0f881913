"""Write finished pages as the archive's scanners do: PNG, JPEG, multi-page TIFF, PDF.

Why these: the Sở's scans come in all of them.  Multi-page TIFF is the archive scanner's
default, often bilevel with CCITT Group 4 compression (1 bit per pixel, so a faint ribbon
may break up: the OCR must cope); PDFs from scanners are image-only, one image per page.

Files must be byte-identical for the same seed: no timestamps are written (Pillow's PDF
writer is given fixed creation and modification dates; TIFFs carry no DateTime tag).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image


class FileFormat(StrEnum):
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"  # multi-page, LZW, grey or colour
    TIFF_G4 = "tiff_g4"  # multi-page, bilevel, CCITT Group 4
    PDF = "pdf"  # multi-page, image-only


EXTENSIONS = {
    FileFormat.PNG: ".png",
    FileFormat.JPEG: ".jpg",
    FileFormat.TIFF: ".tif",
    FileFormat.TIFF_G4: ".tif",
    FileFormat.PDF: ".pdf",
}
MULTI_PAGE = {FileFormat.TIFF, FileFormat.TIFF_G4, FileFormat.PDF}
_FIXED_DATE = time.gmtime(1135987200)  # 2005-12-31: Pillow writes 'now' otherwise


def to_pil(image: NDArray[np.uint8], gray: bool) -> Image.Image:
    if gray:
        g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        return Image.fromarray(g, mode="L")
    return Image.fromarray(image, mode="RGB")


def binarize(image: NDArray[np.uint8]) -> Image.Image:
    """Bilevel as a scanner's threshold makes it (Otsu on grey)."""
    g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    _, bw = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Image.fromarray(bw, mode="L").convert("1", dither=Image.Dither.NONE)


def write_pages(
    pages: Sequence[NDArray[np.uint8]],
    path: Path,
    fmt: FileFormat,
    dpi: int,
    *,
    gray: bool = False,
    jpeg_quality: int = 85,
) -> None:
    """Write ``pages`` (RGB arrays) to ``path``; single-page formats take exactly one page."""
    if not pages:
        raise ValueError("no pages to write")
    if fmt not in MULTI_PAGE and len(pages) != 1:
        raise ValueError(f"{fmt} holds one page per file")
    if fmt is FileFormat.TIFF_G4:
        images = [binarize(p) for p in pages]
    else:
        images = [to_pil(p, gray) for p in pages]
    first, rest = images[0], images[1:]
    if fmt is FileFormat.PNG:
        first.save(path, "PNG", dpi=(dpi, dpi), compress_level=1)  # noisy scans: speed over size
    elif fmt is FileFormat.JPEG:
        first.save(path, "JPEG", dpi=(dpi, dpi), quality=jpeg_quality, optimize=False)
    elif fmt is FileFormat.TIFF:
        first.save(
            path, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw", dpi=(dpi, dpi)
        )
    elif fmt is FileFormat.TIFF_G4:
        first.save(
            path, "TIFF", save_all=True, append_images=rest, compression="group4", dpi=(dpi, dpi)
        )
    else:
        first.save(
            path,
            "PDF",
            save_all=True,
            append_images=rest,
            resolution=float(dpi),
            creationDate=_FIXED_DATE,
            modDate=_FIXED_DATE,
            producer="bangdiem scans",
            title=path.stem,
        )
