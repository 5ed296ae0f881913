"""Counting the pages of a scan file, within set limits, before any page is read.

Counting first lets a batch record every page as pending work (so an interrupted run knows what
is left) and refuses hostile files (10,000-page PDFs, decompression bombs) before they cost
memory.
"""

from __future__ import annotations

import warnings

from pdf2image import pdfinfo_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image

from ingest.errors import CorruptFileError, IngestError, TooLargeError
from ingest.files import InputFile


def _check_pixels(image: Image.Image, max_pixels: int, name: str) -> None:
    pixels = image.width * image.height
    if pixels > max_pixels:
        raise TooLargeError(f"{name}: {image.width}×{image.height} điểm ảnh")


def count_pages(scan: InputFile, *, max_pages: int, max_pixels: int) -> int:
    """Return the number of pages of ``scan``; raise an IngestError when it is unreadable."""
    name = scan.path.name
    if scan.format == "pdf":
        try:
            info = pdfinfo_from_path(str(scan.path), timeout=60)
        except PDFInfoNotInstalledError as error:
            raise RuntimeError("Thiếu poppler-utils (pdfinfo): chạy 'make setup'.") from error
        except (PDFPageCountError, PDFSyntaxError, ValueError) as error:
            raise CorruptFileError(f"{name} ({str(error).strip()[:200]})") from error
        pages = int(info.get("Pages", 0))
        if pages < 1:
            raise CorruptFileError(f"{name}: không có trang nào")
        if pages > max_pages:
            raise TooLargeError(f"{name}: {pages} trang (tối đa {max_pages})")
        return pages
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(scan.path) as image:
                pages = _count_frames(image, max_pages, max_pixels, name)
                image.seek(0)
                image.verify()
    except IngestError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooLargeError(f"{name}: {error}") from error
    except Exception as error:  # any parser failure on hostile input: the file is corrupt
        raise CorruptFileError(f"{name} ({type(error).__name__}: {error})"[:480]) from error
    return pages


def _count_frames(image: Image.Image, max_pages: int, max_pixels: int, name: str) -> int:
    """Walk a multi-page image's frames (a TIFF's IFD chain) up to ``max_pages`` and no
    further, checking each frame's size: a chain of 100,000 IFDs costs no more than the limit,
    and a chain that loops back on itself ends there (Pillow never revisits an IFD)."""
    pages = 1
    _check_pixels(image, max_pixels, name)
    while True:
        try:
            image.seek(pages)
        except EOFError:
            return pages
        pages += 1
        if pages > max_pages:
            raise TooLargeError(f"{name}: hơn {max_pages} trang (tối đa {max_pages})")
        _check_pixels(image, max_pixels, name)
