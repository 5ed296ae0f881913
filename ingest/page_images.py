"""Getting one page of a scan file as a grayscale image, cheaply and within limits.

PDFs: a scanner's PDF holds one image per page, so that image is taken as it is (pdfimages),
which is both exact and cheap.  Only when a page is not a single image is it rendered, page by
page and in grayscale (colour rendering of a 10-page 300 dpi PDF peaked near 800 MB here).
TIFF pages are read by seeking, so a multi-page TIFF is never loaded whole.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pdf2image import convert_from_path, pdfinfo_from_path
from PIL import Image

from ingest.errors import CorruptFileError, DiskFullError, TooLargeError

GrayImage = npt.NDArray[np.uint8]

RENDER_DPI = 300
_PDFIMAGES_TIMEOUT_S = 120
_LIST_LINE = re.compile(r"^\s*(\d+)\s+\d+\s+(\w+)\s+(\d+)\s+(\d+)\s")


def _as_gray(image: Image.Image) -> GrayImage:
    if image.mode in ("I;16", "I;16B", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    elif image.mode != "L":
        image = image.convert("L")
    return np.asarray(image, dtype=np.uint8).copy()


def _pdfimages() -> str:
    found = shutil.which("pdfimages")
    if found is None:
        raise RuntimeError("Thiếu poppler-utils (pdfimages): chạy 'make setup'.")
    return found


def _pdf_page_images(path: Path, page: int) -> list[tuple[int, int]]:
    """(width, height) of each image drawn on ``page`` (pdfimages -list)."""
    # An argument list, never a shell: file names cannot inject commands.
    listing = subprocess.run(  # noqa: S603
        [_pdfimages(), "-f", str(page), "-l", str(page), "-list", str(path)],
        capture_output=True,
        text=True,
        timeout=_PDFIMAGES_TIMEOUT_S,
        check=False,
    )
    sizes = []
    for line in listing.stdout.splitlines()[2:]:
        match = _LIST_LINE.match(line)
        if match and match.group(2) == "image":
            sizes.append((int(match.group(3)), int(match.group(4))))
    return sizes


def _extract_embedded(path: Path, page: int) -> GrayImage | None:
    """The page's one image, as stored: a JPEG (what scanners put in a PDF) is written out as
    the JPEG it is (``-j``) and decoded here, the same pixels as ``-png`` gives (checked on
    generated scans) without poppler decoding it and encoding a PNG of it (3 s for an A4 page
    at 200 dpi, longer than reading the page); any other image comes out as PNG."""
    sizes = _pdf_page_images(path, page)
    if len(sizes) != 1:
        return None
    with tempfile.TemporaryDirectory(prefix="bangdiem-pdf-") as folder:
        pages = ["-f", str(page), "-l", str(page)]
        subprocess.run(  # noqa: S603  (argument list, no shell)
            [_pdfimages(), *pages, "-j", "-png", str(path), f"{folder}/img"],
            capture_output=True,
            timeout=_PDFIMAGES_TIMEOUT_S,
            check=True,
        )
        files = sorted(Path(folder).glob("img-*"))
        if len(files) != 1:
            return None
        with Image.open(files[0]) as image:
            return _as_gray(image)


def _render_pdf_page(path: Path, page: int, max_pixels: int) -> GrayImage:
    info = pdfinfo_from_path(str(path), first_page=page, last_page=page)
    width_pt, height_pt = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    dpi = RENDER_DPI
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels > max_pixels:
        raise TooLargeError(f"trang {page}: {width_pt:.0f}×{height_pt:.0f} điểm in")
    [image] = convert_from_path(
        str(path), dpi=dpi, first_page=page, last_page=page, grayscale=True, timeout=300
    )
    return _as_gray(image)


def load_page(path: Path, file_format: str, page: int, *, max_pixels: int) -> GrayImage:
    """Return page ``page`` (1-based) of the scan file at ``path`` as an 8-bit gray array."""
    try:
        if file_format == "pdf":
            embedded = _extract_embedded(path, page)
            if embedded is not None:
                if embedded.size > max_pixels:
                    raise TooLargeError(f"trang {page}: {embedded.shape[1]}×{embedded.shape[0]}")
                return embedded
            return _render_pdf_page(path, page, max_pixels)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.seek(page - 1)
                if image.width * image.height > max_pixels:
                    raise TooLargeError(f"trang {page}: {image.width}×{image.height}")
                return _as_gray(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooLargeError(str(error)) from error
    except (OSError, SyntaxError, ValueError, EOFError, subprocess.SubprocessError) as error:
        raise CorruptFileError(f"trang {page}: {error}") from error


_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def save_page_image(image: GrayImage, target: Path) -> None:
    """Write a page image atomically (a killed worker never leaves a half-written file).

    On a full disk the partial file is removed and DiskFullError stops the batch: the page is
    not stored, and no truncated image ever carries the final name."""
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(partial, format="PNG", compress_level=3)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno in _NO_SPACE:
            raise DiskFullError(f"{target.parent}: {error.strerror}") from error
        raise
