"""The peer: img2table + Tesseract on the same pages, its cells mapped to fields our way.

img2table finds the table and reads each cell with Tesseract (``vie``); its first row(s) are
matched to column parts with our title matcher, and its cell texts are parsed with our parsers
(``ocr.checks.assess_row``), so the comparison is of table extraction and reading, not of
parsing.  img2table gives no per-cell confidence, so only accuracy and speed are compared.
Runs in the same number of worker processes as our batch, one Tesseract thread each.
"""

from __future__ import annotations

import io
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from ingest.files import identify
from ingest.page_images import load_page
from ingest.pages import count_pages
from ocr import checks, columns, field_state
from ocr.parsing import parse_sex_marks
from records.export_format import FieldReading, SheetHeader, build_row
from records.vocabulary import FIELDS_BY_NAME


@dataclass(frozen=True)
class PeerPage:
    path: Path
    page: int
    file_format: str


_OCR: Any = None


def _init() -> None:
    """One Tesseract thread per worker, one OCR object per worker, and its chatter muted
    (img2table prints Tesseract's version banner on every use)."""
    global _OCR
    os.environ["OMP_THREAD_LIMIT"] = "1"
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    from img2table.ocr import TesseractOCR

    _OCR = TesseractOCR(n_threads=1, lang="vie")


def _rows_of(table: Any) -> list[list[str]]:
    rows = []
    for cells in table.content.values():
        rows.append([(cell.value or "").strip() for cell in cells])
    return rows


def _best_header(rows: list[list[str]]) -> tuple[list[str | None], int]:
    best: tuple[list[str | None], int, int] = ([], 0, -1)
    for count in (1, 2, 3):
        if len(rows) <= count:
            break
        titles = [" ".join(r[i] for r in rows[:count] if i < len(r)) for i in range(len(rows[0]))]
        parts = columns.match_columns(titles)
        found = columns.recognised_count(parts)
        if found > best[2]:
            best = (parts, count, found)
    return best[0], best[1]


def _fields(parts: list[str | None], cells: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    by_part = {part: text for part, text in zip(parts, cells, strict=False) if part}
    for part, text in by_part.items():
        if part in FIELDS_BY_NAME:
            values[part] = text
    if columns.NAME_HEAD in by_part and columns.NAME_GIVEN in by_part:
        values["full_name"] = f"{by_part[columns.NAME_HEAD]} {by_part[columns.NAME_GIVEN]}".strip()
    if columns.FEMALE_MARK in by_part or columns.MALE_MARK in by_part:
        sex = parse_sex_marks(by_part.get(columns.MALE_MARK), by_part.get(columns.FEMALE_MARK))
        values["sex"] = sex.value or ""
    return values


def read_with_img2table(job: PeerPage) -> list[dict[str, Any]]:
    from img2table.document import Image as Img2TableImage

    gray = load_page(job.path, job.file_format, job.page, max_pixels=400_000_000)
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, format="PNG")
    document = Img2TableImage(src=buffer.getvalue(), detect_rotation=True)
    try:
        tables = extract(document)
    except Exception:  # img2table's own failures (seen: a None word in a cell) lose the page
        return []
    out: list[dict[str, Any]] = []
    for table in sorted(tables, key=lambda t: -len(t.content))[:1]:
        out.extend(_table_rows(table, job))
    return out


def extract(document: Any) -> Any:
    return document.extract_tables(
        ocr=_OCR,
        implicit_rows=True,
        borderless_tables=True,
        min_confidence=50,
    )


def _table_rows(table: Any, job: PeerPage) -> list[dict[str, Any]]:
    """img2table's cells in the export format, titles matched and values parsed our way."""
    out: list[dict[str, Any]] = []
    rows = _rows_of(table)
    parts, header_rows = _best_header(rows)
    for cells in rows[header_rows:]:
        values = _fields(parts, cells)
        if not any(ch.isdigit() for v in values.values() for ch in v):
            continue
        readings = {k: field_state.Reading(v, 1.0) for k, v in values.items()}
        result = checks.assess_row(
            readings,
            exam_year=None,
            level=None,
            row_number=len(out) + 1,
            sample_key="peer",
            sample_rate=0.0,
        )
        fields = {k: FieldReading(f.value) for k, f in result.fields.items()}
        out.append(build_row(job.path.name, job.page, len(out) + 1, SheetHeader(), fields))
    return out


def run_peer(files: list[Path], workers: int) -> tuple[list[dict[str, Any]], int, float]:
    jobs: list[PeerPage] = []
    for path in files:
        scan = identify(path)
        pages = count_pages(scan, max_pages=10_000, max_pixels=400_000_000)
        jobs.extend(PeerPage(path, number, scan.format) for number in range(1, pages + 1))
    started = time.monotonic()
    with ProcessPoolExecutor(workers, initializer=_init) as pool:
        results = list(pool.map(read_with_img2table, jobs))
    seconds = time.monotonic() - started
    return [row for rows in results for row in rows], len(jobs), seconds
