"""Benchmark (b): the grid reader on the real weather-rescue pages (Fort William, 1898–1904).

Score: the share of transcribed values read exactly, as the published benchmark counts it
(Google Vision 90 %, Amazon Textract 88 % on the full 81 pages).  Rows are matched by their
day number; within a row, values are matched in order (a sequence alignment), so a missed
column costs its own values only.  Two figures are printed: the raw cell text, and the text
put in the register's printed form d.ddd (digits only, the point after the first digit: the
middle dot "·" of 1898 print is often read as "-" or lost).

Half of these photographs cut the day numbers off at the page's edge (or the margin is too
dark to read), and a row whose day number is not read scores nothing by day.  A second pair of
figures therefore matches rows by their order on the page instead: the read rows are aligned to
the days in order (a sequence alignment of rows, as values are aligned within a row), each read
row used at most once.  The day-matched figures are the stricter; both are printed.
"""

from __future__ import annotations

import csv
import difflib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocr.grid import NoTableError, read_grid

PUBLISHED = {"Google Vision": 0.90, "Amazon Textract": 0.88}
WHITELIST = "0123456789.·"
_DIGITS = re.compile(r"\D")


@dataclass
class PageScore:
    name: str
    values: int
    raw_right: int
    formatted_right: int
    seconds: float
    ordered_raw_right: int = 0  # rows matched by their order on the page, not the day number
    ordered_formatted_right: int = 0


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


def _in_order(expected: list[list[str]], got: list[list[str]]) -> int:
    """Values right when rows are matched in page order: the best monotone pairing of the
    expected rows with the read rows (each read row used at most once)."""
    best = [[0] * (len(got) + 1) for _ in range(len(expected) + 1)]
    for i, values in enumerate(expected, 1):
        for j, cells in enumerate(got, 1):
            best[i][j] = max(
                best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + _matches(values, cells)
            )
    return best[-1][-1]


def score_page(image: Path, truth: Path) -> PageScore:
    expected = read_truth(truth)
    started = time.monotonic()
    with Image.open(image) as opened:
        gray = np.asarray(opened.convert("L"))
    try:
        grid = read_grid(gray, whitelist=WHITELIST)
    except NoTableError:
        grid = []
    seconds = time.monotonic() - started
    found: dict[int, list[str]] = {}
    for row in grid:
        # The day number opens the row; the register's margin may show as an empty column.
        for index, cell in enumerate(row[:2]):
            digits = _DIGITS.sub("", cell.text)
            if digits.isdigit() and len(digits) <= 2:
                day = int(digits)
                if day in expected and day not in found:
                    found[day] = [c.text for c in row[index + 1 :]]
                break
    total = sum(len(v) for v in expected.values())
    raw_right = formatted_right = 0
    for day, values in expected.items():
        cells = found.get(day, [])
        raw_right += _matches(values, [raw(c) for c in cells])
        formatted_right += _matches(values, [formatted(c) for c in cells])
    days = [expected[day] for day in sorted(expected)]
    return PageScore(
        image.name,
        total,
        raw_right,
        formatted_right,
        seconds,
        _in_order(days, [[raw(c.text) for c in row] for row in grid]),
        _in_order(days, [[formatted(c.text) for c in row] for row in grid]),
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
            f" theo mẫu d.ddd;  ghép theo thứ tự: {s.ordered_raw_right / s.values:7.1%} thô"
            f"  {s.ordered_formatted_right / s.values:7.1%} d.ddd  ({s.seconds:.1f} s)"
        )
    print(f"  Tổng: {raw_share:.1%} đúng (chữ thô), {fmt_share:.1%} đúng (theo mẫu d.ddd)")
    ordered_raw = sum(s.ordered_raw_right for s in scores) / values if values else 0.0
    ordered_fmt = sum(s.ordered_formatted_right for s in scores) / values if values else 0.0
    print(
        f"  Dòng ghép theo thứ tự trên trang (không cần đọc được số ngày): {ordered_raw:.1%} đúng"
        f" (chữ thô), {ordered_fmt:.1%} đúng (theo mẫu d.ddd)"
    )
    for service, share in PUBLISHED.items():
        print(
            f"  so với {service} {share:.0%}: tỉ lệ {fmt_share / share:.2f}"
            f" (ghép theo thứ tự: {ordered_fmt / share:.2f})"
        )
