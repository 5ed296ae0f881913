"""The sheet header: the exam year from a school year read with a misread digit, and when a
page may take the header of the page before it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.engine import engine
from ocr.header_reading import read_header, same_list
from ocr.preprocess import darken, flatten_background
from ocr.sheet_header import parse_header
from records.export_format import SheetHeader


@pytest.mark.parametrize(
    ("line", "year"),
    [
        ("NĂM HỌC 1986-1987", 1987),
        ("NĂM HỌC 1988-1969", 1989),  # second year misread: the first names it
        ("ĐẾM HỌC 1909-1990", 1990),  # first year misread, and the label too
        ("NĂM HQŒ 1920-1981", 1981),
        ("NĂM HỌC 1980-1988", None),  # either year could be the misread one
        ("NĂM HỌC 1980-1995", None),  # two digits apart: no reading explains it
        ("KỲ THI NGÀY 7 THÁNG 6 NĂM 1996", 1996),
        ("Bà Rịa, ngày 20 tháng 6 năm 1996", None),  # the footer's date line
    ],
)
def test_exam_year(line: str, year: int | None) -> None:
    assert parse_header(line).exam_year == year


def test_title_recognised_by_the_exam_words() -> None:
    # "DANH SÁCH" misread: the title still names the graduation exam.
    header = parse_header("HANH SÁCH THÍ SINH TỐT NGHIỆP PHỔ THÔNG TRUNG HỌC")
    assert header.title is not None
    assert header.level == "PTTH"


def test_a_page_without_a_header_continues_the_list() -> None:
    before = SheetHeader(1989, "PTTH", "Trường PTTH Bà Rịa")
    assert same_list(SheetHeader(), before)
    assert same_list(SheetHeader(level="PTTH", council="Trường PTTH Bà Ria"), before)


def test_a_page_naming_another_level_or_council_starts_another_list() -> None:
    before = SheetHeader(1989, "BTVH", "Trường BTVH Châu Thành")
    assert not same_list(SheetHeader(level="PTCS"), before)
    assert not same_list(SheetHeader(council="Trường PTCS Long Hải"), before)


def test_a_pale_school_year_is_read_from_the_darkened_page() -> None:
    """Neither the scan nor the flattened page gives this year line to the engine."""
    image = Image.open(Path(__file__).parent / "data" / "pale_school_year.jpg")
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    found, _ = read_header(engine(), gray, flatten_background(gray), gray.shape[0])
    assert (found.exam_year, found.level) == (1981, "PTCS")


def test_darkening_keeps_paper_white_and_deepens_pale_strokes() -> None:
    shades = np.array([[255, 200, 153, 0]], dtype=np.uint8)
    assert darken(shades).tolist() == [[255, 156, 91, 0]]
