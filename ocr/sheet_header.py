"""Parsing the sheet header's text: issuing body, title, exam year, level, council and school.

Reading that text from the page is ``ocr.header_reading``.  The header is free text in a
handful of set phrasings (DOMAIN.md §1); lines are matched on their accent-folded form so that
a lost diacritic does not lose the field, while the values keep the text as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records.vntext import fold_accents, nfc, normalize_spacing
from records.vocabulary import Level

_YEAR = r"(19[7-9]\d|200\d)"
_SCHOOL_YEAR = re.compile(_YEAR + r"\s*[-–/]\s*" + _YEAR)
# A school year with one of its two years misread ("1988-1969", "1909-1990").
_SCHOOL_YEAR_LOOSE = re.compile(r"(?<!\d)(\d{4})\s*[-–/]\s*(\d{4})(?!\d)")
_FIRST_EXAM_YEAR, _LAST_EXAM_YEAR = 1975, 2009
_ANY_YEAR = re.compile(r"(?<!\d)" + _YEAR + r"(?!\d)")

# Level by title words, checked in this order (the longer phrases first).
_LEVEL_WORDS: tuple[tuple[str, Level], ...] = (
    ("bo tuc van hoa", Level.BTVH),
    ("btvh", Level.BTVH),
    ("trung hoc pho thong", Level.THPT),
    ("thpt", Level.THPT),
    ("trung hoc co so", Level.THCS),
    ("thcs", Level.THCS),
    ("pho thong trung hoc", Level.PTTH),
    ("ptth", Level.PTTH),
    ("pho thong co so", Level.PTCS),
    ("ptcs", Level.PTCS),
)

_COUNCIL = re.compile(r"^(?:hoi dong thi|hoi dong coi thi|hoi dong|hd thi|hđ thi)\s*[:.]?\s*", re.I)
_SCHOOL = re.compile(r"^(?:truong)\s*[:.]?\s*", re.I)


@dataclass
class HeaderFields:
    exam_year: int | None = None
    level: str | None = None
    council: str | None = None
    school: str | None = None
    issuing_body: str | None = None
    title: str | None = None


def _fold(line: str) -> str:
    return fold_accents(line).lower()


def _after_label(line: str, pattern: re.Pattern[str]) -> str | None:
    """The text after a label such as "HỘI ĐỒNG THI:", taken from the original line."""
    folded = _fold(line)
    match = pattern.match(folded)
    if not match:
        return None
    # Folding keeps one character per character (NFC in, marks removed), so offsets agree.
    value = line[len(match.group(0)) :].strip(" :.-")
    return value or None


def parse_header(text: str) -> HeaderFields:
    """Pick the header's fields out of its lines (as OCR returned them)."""
    fields = HeaderFields()
    lines = [normalize_spacing(nfc(line)) for line in text.splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        folded = _fold(line)
        if fields.issuing_body is None and (
            folded.startswith("so giao duc") or folded.startswith("ubnd") or "uy ban" in folded
        ):
            # Read across the page, the motto block shares the line: keep the left part.
            motto = folded.find("cong hoa")
            fields.issuing_body = line[:motto].strip() if motto > 0 else line
        if fields.title is None and (
            "danh sach" in folded
            or "bang ghi diem" in folded
            or "bang diem" in folded
            or "ket qua thi" in folded
            or "tot nghiep" in folded
        ):
            fields.title = line
        if fields.council is None:
            fields.council = _after_label(line, _COUNCIL)
        if fields.school is None and not folded.startswith("truong ban"):
            fields.school = _after_label(line, _SCHOOL)
        if fields.level is None:
            for words, level in _LEVEL_WORDS:
                if words in folded and "cong hoa" not in folded:
                    fields.level = level.value
                    break
        if fields.exam_year is None:
            fields.exam_year = _year_of(line, folded)
    return fields


def _year_of(line: str, folded: str) -> int | None:
    """The exam year a header line gives: "NĂM HỌC 1986-1987" (the exam is in 1987), "KỲ THI
    NGÀY 7 THÁNG 6 NĂM 1996", "KHÓA THI 1990".  A place-and-date line ("Bà Rịa, ngày 20 tháng
    6 năm 1996") is the footer's, not the exam's."""
    school_year = _SCHOOL_YEAR.search(line)
    if school_year and int(school_year.group(2)) == int(school_year.group(1)) + 1:
        return int(school_year.group(2))
    if _SCHOOL_YEAR_LOOSE.search(line):
        # Two years joined by a dash are a school year, and its second is the exam's.
        return _school_year_with_one_misread(line)
    is_exam_line = "ky thi" in folded or "khoa thi" in folded or "khoa" in folded
    if "ngay" in folded and not is_exam_line:
        return None
    if "nam" in folded or is_exam_line:
        year = _ANY_YEAR.search(line)
        if year:
            return int(year.group(1))
    return None


def _one_digit_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _plausible(year: int) -> bool:
    return _FIRST_EXAM_YEAR <= year <= _LAST_EXAM_YEAR


def _school_year_with_one_misread(line: str) -> int | None:
    """The exam year of a school year "A-B" whose years are not consecutive because one digit
    of one of them was misread: "1988-1969" is 1988-1989 (the exam in 1989), "1909-1990" is
    1989-1990.  Only when exactly one reading explains the pair by a single digit; otherwise
    the line gives no year (its first year would name the wrong one)."""
    for match in _SCHOOL_YEAR_LOOSE.finditer(line):
        first, second = match.group(1), match.group(2)
        options = set()
        if _plausible(int(first) + 1) and _one_digit_apart(str(int(first) + 1), second):
            options.add(int(first) + 1)
        if _plausible(int(second)) and _one_digit_apart(str(int(second) - 1), first):
            options.add(int(second))
        if len(options) == 1:
            return options.pop()
    return None
