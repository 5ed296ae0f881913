"""The per-page job run in worker processes: page image in, sheet result out.

Pure with respect to the database: the worker reads the stored original, writes the page image
it will be reviewed from, runs OCR and returns a picklable result; the parent writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.page_images import load_page, save_page_image
from ocr.model import ListContext, SheetResult
from ocr.reader import read_page


@dataclass(frozen=True)
class PageJob:
    page_id: int
    scan_path: Path
    file_format: str
    page_number: int
    image_path: Path  # where to write the page image in reading orientation
    max_pixels: int
    context: ListContext | None = None  # columns and header of the page before, same list
    order: tuple[str, int] = ("", 0)  # (original file name, page): the list's reading order
    sample_rate: float = 0.02  # share of trusted fields sent to review at random


@dataclass(frozen=True)
class PageOutput:
    page_id: int
    sheet: SheetResult


def sample_key(job: PageJob) -> str:
    """Identifies the page for the random review sample: the same page, the same sample."""
    return f"{job.scan_path.stem}:{job.page_number}"


def process_page(job: PageJob) -> PageOutput:
    image = load_page(job.scan_path, job.file_format, job.page_number, max_pixels=job.max_pixels)
    sheet, upright = read_page(image, context=job.context, sample_key=sample_key(job))
    save_page_image(upright, job.image_path)
    return PageOutput(job.page_id, sheet)
