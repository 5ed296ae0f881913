"""Benchmark (b): the grid reader on the real weather-rescue pages (Fort William, 1898–1904).

Score: the share of transcribed values read exactly, as the published benchmark counts it
(Google Vision 90 %, Amazon Textract 88 % on the full 81 pages).  Rows are matched by their
day number; within a row, values are matched in order (a sequence alignment), so a missed
column costs its own values only.  Two figures are printed: the raw cell text, and the text
put in the register's printed form d.ddd (digits only, the point after the first digit: the
middle dot "·" of 1898 print is often read as "-" or lost).

Half of these photographs cut the day numbers off at the page's edge (or the margin is too
dark to read), so a row whose printed day number is not read scores nothing by that figure.  A
reader of the register knows more than the printed numbers: the rows are the days of the month
in order, followed by the month's mean.  ``assign_days`` uses that, without the transcription:
when the rows read in the register's number form are exactly the month's days plus the mean
row, they are the days 1…N in order; otherwise only printed day numbers count.  Both figures
are printed; the assigned days are what an archive would get from this reader.
"""

from __future__ import annotations

import calendar
import csv
import difflib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocr.grid import GridCell, NoTableError, read_grid

PUBLISHED = {"Google Vision": 0.90, "Amazon Textract": 0.88}
WHITELIST = "0123456789.·"
_DIGITS = re.compile(r"\D")
_REGISTER_NUMBER = re.compile(r"^\d[.·]?\d{3}$")  # a reading as printed: 9·093


@dataclass
class PageScore:
    name: str
    values: int
    raw_right: int
    formatted_right: int
    seconds: float
    assigned_raw_right: int = 0  # rows matched by the day assign_days gives them
    assigned_formatted_right: int = 0


def read_truth(path: Path) -> dict[int, list[str]]:
    """Day number → the 25 values of that day (24 hours and the mean)."""
    rows: dict[int, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle, quotechar="'")
        next(reader)
        for row in reader:
            cells = [c.strip() for c in row if c.strip()]
            if cells and cells[0].isdigit():
                rows[int(cells[0])] = cells[1:]
    return rows


def formatted(text: str) -> str:
    digits = _DIGITS.sub("", text)
    return f"{digits[0]}.{digits[1:]}" if len(digits) == 4 else digits


def raw(text: str) -> str:
    return text.replace("·", ".").replace(" ", "")


def _matches(expected: list[str], got: list[str]) -> int:
    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _day_number(cell: GridCell) -> int | None:
    digits = _DIGITS.sub("", cell.text)
    return int(digits) if digits.isdigit() and len(digits) <= 2 else None


def _value_rows(grid: list[list[GridCell]]) -> list[int]:
    """Indexes of the rows that hold readings (the hour titles 1…24 above the table do not)."""
    return [index for index, row in enumerate(grid) if _is_value_row(row)]


def _printed_day_rows(
    grid: list[list[GridCell]], days: int, value_rows: list[int]
) -> dict[int, tuple[int, int]]:
    """Day → (row index, index of its first value) for each day number read on the page."""
    found: dict[int, tuple[int, int]] = {}
    for row_index in value_rows:
        # The day number opens the row; the register's margin may show as an empty column.
        for index, cell in enumerate(grid[row_index][:2]):
            day = _day_number(cell)
            if day is not None:
                if 1 <= day <= days and day not in found:
                    found[day] = (row_index, index + 1)
                break
    return found


def _values(grid: list[list[GridCell]], rows: dict[int, tuple[int, int]]) -> dict[int, list[str]]:
    return {day: [c.text for c in grid[row][first:]] for day, (row, first) in rows.items()}


def printed_days(grid: list[list[GridCell]], days: int) -> dict[int, list[str]]:
    """Day → the values of the row whose printed day number reads as that day."""
    return _values(grid, _printed_day_rows(grid, days, _value_rows(grid)))


def _is_value_row(row: list[GridCell]) -> bool:
    readings = sum(bool(_REGISTER_NUMBER.match(c.text.replace(" ", ""))) for c in row)
    return readings * 2 >= len(row)


def assign_days(grid: list[list[GridCell]], days: int) -> dict[int, list[str]]:
    """Day → the values of its row, from the page alone (no transcription).

    The register lists the days of the month in order and ends with the month's mean, so
    when the rows holding readings number exactly ``days + 1`` they are days 1…N and the
    mean.  A row missed or split by the reader breaks that count, and then only the printed
    day numbers are trusted.  So they are when they were read on most rows and most of them
    contradict the order (the count was right by accident); numbers read on a few rows only
    are fragments of a day column cut off at the page's edge.
    """
    value_rows = _value_rows(grid)
    printed = _printed_day_rows(grid, days, value_rows)
    if len(value_rows) != days + 1:
        return _values(grid, printed)
    contradicting = sum(value_rows[day - 1] != row for day, (row, _) in printed.items())
    if len(printed) * 2 >= days and contradicting * 2 > len(printed):
        return _values(grid, printed)
    assigned: dict[int, list[str]] = {}
    for day, row_index in enumerate(value_rows[:days], 1):
        cells = list(grid[row_index])
        # The margin and the printed day number come before the first reading.
        while cells and (not cells[0].text.strip() or _day_number(cells[0]) is not None):
            cells.pop(0)
        assigned[day] = [c.text for c in cells]
    return assigned


def _right(expected: dict[int, list[str]], found: dict[int, list[str]]) -> tuple[int, int]:
    """Values read exactly, as raw text and in the printed form d.ddd."""
    raw_right = formatted_right = 0
    for day, values in expected.items():
        cells = found.get(day, [])
        raw_right += _matches(values, [raw(c) for c in cells])
        formatted_right += _matches(values, [formatted(c) for c in cells])
    return raw_right, formatted_right


def score_page(image: Path, truth: Path) -> PageScore:
    expected = read_truth(truth)
    year, month = (int(part) for part in image.stem.split("-"))
    days = calendar.monthrange(year, month)[1]
    started = time.monotonic()
    with Image.open(image) as opened:
        gray = np.asarray(opened.convert("L"))
    try:
        grid = read_grid(gray, whitelist=WHITELIST)
    except NoTableError:
        grid = []
    seconds = time.monotonic() - started
    total = sum(len(v) for v in expected.values())
    raw_right, formatted_right = _right(expected, printed_days(grid, days))
    assigned_raw, assigned_formatted = _right(expected, assign_days(grid, days))
    return PageScore(
        image.name, total, raw_right, formatted_right, seconds, assigned_raw, assigned_formatted
    )


def run(folder: Path) -> list[PageScore]:
    scores = []
    for image in sorted((folder / "images").glob("*.jpg")):
        truth = folder / "truth" / f"{image.stem}.csv"
        if truth.exists():
            scores.append(score_page(image, truth))
    return scores


def report(scores: list[PageScore]) -> None:
    values = sum(s.values for s in scores)
    raw_share = sum(s.raw_right for s in scores) / values if values else 0.0
    fmt_share = sum(s.formatted_right for s in scores) / values if values else 0.0
    seconds = sum(s.seconds for s in scores)
    print(f"\n== Weather-rescue: {len(scores)} trang thật, {values} giá trị, {seconds:.0f} s")
    for s in scores:
        print(
            f"  {s.name:14} {s.raw_right / s.values:7.1%} thô  {s.formatted_right / s.values:7.1%}"
            f" theo mẫu d.ddd;  ngày theo thứ tự dòng: {s.assigned_raw_right / s.values:7.1%} thô"
            f"  {s.assigned_formatted_right / s.values:7.1%} d.ddd  ({s.seconds:.1f} s)"
        )
    print(
        f"  Theo số ngày in trên trang: {raw_share:.1%} đúng (chữ thô),"
        f" {fmt_share:.1%} đúng (theo mẫu d.ddd)"
    )
    assigned_raw = sum(s.assigned_raw_right for s in scores) / values if values else 0.0
    assigned_fmt = sum(s.assigned_formatted_right for s in scores) / values if values else 0.0
    print(
        f"  Theo ngày gán từ trang (thứ tự dòng khi đủ số ngày của tháng): {assigned_raw:.1%} đúng"
        f" (chữ thô), {assigned_fmt:.1%} đúng (theo mẫu d.ddd)"
    )
    for service, share in PUBLISHED.items():
        print(
            f"  so với {service} {share:.0%}: tỉ lệ {assigned_fmt / share:.2f} theo ngày gán"
            f" ({fmt_share / share:.2f} theo số ngày in)"
        )
