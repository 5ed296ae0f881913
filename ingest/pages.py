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

from ingest.errors import CorruptFileError, TooLargeError
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
                pages = int(getattr(image, "n_frames", 1))
                if pages > max_pages:
                    raise TooLargeError(f"{name}: {pages} trang (tối đa {max_pages})")
                for index in range(pages):
                    image.seek(index)
                    _check_pixels(image, max_pixels, name)
                image.seek(0)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooLargeError(f"{name}: {error}") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise CorruptFileError(f"{name} ({error})") from error
    return pages
