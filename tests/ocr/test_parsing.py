"""Every cell form DOMAIN.md names, parsed to the export contract's canonical value."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from ocr.parsing import (
    canonical_number,
    clean_name,
    clean_text,
    display_number,
    is_mark,
    match_ranking,
    parse_bonus,
    parse_candidate_number,
    parse_date,
    parse_ranking,
    parse_result,
    parse_row_number,
    parse_score,
    parse_sex,
    parse_sex_marks,
    parse_total,
    resolve_two_digit_year,
    split_candidate_number,
)

HALF = Decimal("0.5")
RANKINGS = ("Giỏi", "Khá", "Trung bình")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7,5", "7.5"),
        ("7.5", "7.5"),
        ("7", "7"),
        ("10", "10"),
        ("0", "0"),
        ("7,50", "7.5"),
        (" 8 , 5 ", "8.5"),
        ("| 6,5 |", "6.5"),
        ("7,0", "7"),
    ],
)
def test_score_forms(text: str, value: str) -> None:
    parsed = parse_score(text, HALF)
    assert parsed.value == value
    assert parsed.reason is None and not parsed.repaired and not parsed.doubtful
    assert parsed.number == Decimal(value)


@pytest.mark.parametrize("text", ["V", "v", "VẮNG", "vắng", "Vắng", "VANG", " V. "])
def test_absent_score(text: str) -> None:
    parsed = parse_score(text, HALF)
    assert parsed.value == "V"
    assert parsed.absent and parsed.number is None and parsed.reason is None


def test_absent_in_decomposed_unicode() -> None:
    assert parse_score(unicodedata.normalize("NFD", "VẮNG")).value == "V"


@pytest.mark.parametrize(
    ("text", "value"),
    [("7,S", "7.5"), ("O", "0"), ("l0", "10"), ("B", "8"), ("75", "7.5"), ("100", "10")],
)
def test_score_repairs_are_marked(text: str, value: str) -> None:
    parsed = parse_score(text, HALF)
    assert parsed.value == value
    assert parsed.repaired and parsed.reason and parsed.doubtful


def test_lost_comma_needs_the_step() -> None:
    assert parse_score("75").value == "75"  # no step: left as read, the checks flag the range
    assert parse_score("75", Decimal(1)).value == "75"  # 7.5 is not on a whole-point scale
    assert parse_score("85", HALF).value == "8.5"


@pytest.mark.parametrize("text", ["abc", "7/5", "7,5,5", "--"])
def test_unreadable_score(text: str) -> None:
    parsed = parse_score(text, HALF)
    assert parsed.value is None and parsed.reason and parsed.doubtful


def test_blank_and_cut_scores_are_doubted() -> None:
    blank = parse_score("  ", HALF)
    assert blank.value is None and blank.blank and blank.reason == "ô trống"
    cut = parse_score("7,", HALF)
    assert cut.value == "7" and cut.doubtful  # may be a "7,5" whose 5 was lost


@pytest.mark.parametrize(
    ("text", "value", "base", "bonus"),
    [
        ("47", "47", None, None),
        ("47,5", "47.5", None, None),
        ("47 + 3,5", "50.5", "47", "3.5"),
        ("47+3", "50", "47", "3"),
        ("39.5 + 1", "40.5", "39.5", "1"),
    ],
)
def test_total_forms(text: str, value: str, base: str | None, bonus: str | None) -> None:
    parsed = parse_total(text)
    assert parsed.value == value and parsed.reason is None
    assert parsed.base == (None if base is None else Decimal(base))
    assert parsed.bonus == (None if bonus is None else Decimal(bonus))


def test_total_blank_absent_and_unreadable() -> None:
    assert parse_total("").blank and parse_total("").reason is None
    assert parse_total("V").value == "V"
    assert parse_total("4O").repaired
    assert parse_total("47 + 3 + 1").value is None
    assert parse_total("xyz").value is None


@pytest.mark.parametrize(
    ("text", "value", "number"),
    [("", None, "0"), ("-", None, "0"), ("1", "1", "1"), ("+1,5", "1.5", "1.5"), ("0", "0", "0")],
)
def test_bonus_forms(text: str, value: str | None, number: str) -> None:
    parsed = parse_bonus(text)
    assert parsed.value == value and parsed.reason is None
    assert parsed.number == Decimal(number)


def test_bonus_absent_word_is_doubted() -> None:
    assert parse_bonus("V").doubtful


@pytest.mark.parametrize(
    ("text", "exam_year", "value"),
    [
        ("12/03/1970", 1988, "1970-03-12"),
        ("12-3-1970", 1988, "1970-03-12"),
        ("12.3.70", 1988, "1970-03-12"),
        ("12.3.70", None, "1970-03-12"),
        ("1/1/85", 2003, "1985-01-01"),
        ("5 / 6 / 1980", 1998, "1980-06-05"),
        ("1970", 1988, "1970"),
        ("00/00/1970", 1988, "1970"),
        ("29/02/1972", 1990, "1972-02-29"),
    ],
)
def test_date_forms(text: str, exam_year: int | None, value: str) -> None:
    parsed = parse_date(text, exam_year)
    assert parsed.value == value and parsed.reason is None
    assert parsed.year == int(value[:4])


@pytest.mark.parametrize(
    ("yy", "exam_year", "year"),
    [(70, 1988, 1970), (85, 2003, 1985), (99, 2005, 1999), (2, 2005, 1902), (70, None, 1970)],
)
def test_two_digit_years(yy: int, exam_year: int | None, year: int) -> None:
    assert resolve_two_digit_year(yy, exam_year) == year


@pytest.mark.parametrize(
    ("text", "reason_start"),
    [
        ("31/02/1970", "ngày sinh không hợp lệ"),
        ("12/13/1970", "ngày sinh không hợp lệ"),
        ("3/1970", "ngày sinh thiếu ngày"),
        ("hôm qua", "không đọc được ngày sinh"),
        ("", "ô trống"),
    ],
)
def test_bad_dates(text: str, reason_start: str) -> None:
    parsed = parse_date(text, 1988)
    assert parsed.value is None
    assert parsed.reason is not None and parsed.reason.startswith(reason_start)


@pytest.mark.parametrize(
    ("text", "value"), [("12031970", "1970-03-12"), ("l2/O3/1970", "1970-03-12")]
)
def test_date_repairs_are_marked(text: str, value: str) -> None:
    parsed = parse_date(text, 1988)
    assert parsed.value == value and parsed.repaired and parsed.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *(("Nam", "Nam"), ("nam", "Nam"), ("NAM", "Nam")),
        *(("Nữ", "Nữ"), ("nữ", "Nữ"), ("NỮ", "Nữ"), ("Nu", "Nữ"), ("nu", "Nữ"), ("Nứ", "Nữ")),
    ],
)
def test_sex(text: str, value: str) -> None:
    assert parse_sex(text).value == value


@pytest.mark.parametrize("text", ["x", "N", "Ông", ""])
def test_sex_unreadable(text: str) -> None:
    parsed = parse_sex(text)
    assert parsed.value is None and parsed.reason


@pytest.mark.parametrize(
    ("male", "female", "value"),
    [
        (None, "x", "Nữ"),  # the usual layout: one "Nữ" column ticked for women
        (None, "X", "Nữ"),
        (None, "", "Nam"),
        ("x", None, "Nam"),
        ("", None, "Nữ"),
        ("x", "", "Nam"),
        ("", "x", "Nữ"),
        ("x", "x", None),
        ("", "", None),
        (None, "?", None),
        (None, None, None),
    ],
)
def test_sex_marks(male: str | None, female: str | None, value: str | None) -> None:
    parsed = parse_sex_marks(male, female)
    assert parsed.value == value
    assert (parsed.reason is None) == (value is not None)


def test_is_mark() -> None:
    assert is_mark("x") is True and is_mark(" ") is False and is_mark("ab") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Đỗ", "passed"),
        ("đỗ", "passed"),
        ("Đậu", "passed"),
        ("DAU", "passed"),
        ("Do", "passed"),
        ("TN", "passed"),
        ("T.N", "passed"),
        ("Tốt nghiệp", "passed"),
        ("Hỏng", "failed"),
        ("hong", "failed"),
        ("Rớt", "failed"),
        ("Trượt", "failed"),
        ("Không TN", "failed"),
        ("KHÔNG TN", "failed"),
        ("Khong tn", "failed"),
        ("K.TN", "failed"),
        ("Không đỗ", "failed"),
        ("Không đậu", "failed"),
        ("Vắng", "failed"),
    ],
)
def test_result_words(text: str, value: str) -> None:
    parsed = parse_result(text)
    assert parsed.value == value and parsed.reason is None


@pytest.mark.parametrize("text", ["", "Khá", "xyz"])
def test_result_unreadable(text: str) -> None:
    assert parse_result(text).value is None and parse_result(text).reason


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Khá", "Khá"),
        ("khá", "Khá"),
        ("Kha", "Khá"),
        ("K", "Khá"),
        ("Giỏi", "Giỏi"),
        ("GIOI", "Giỏi"),
        ("Trung bình", "Trung bình"),
        ("Trung  Bình", "Trung bình"),
        ("TB", "Trung bình"),
        ("T.B", "Trung bình"),
        ("Tb", "Trung bình"),
        ("Xuất sắc", None),
    ],
)
def test_ranking(text: str, word: str | None) -> None:
    parsed = parse_ranking(f" {text} ")
    assert parsed.value == " ".join(text.split())  # as written, trimmed
    assert match_ranking(text, RANKINGS) == word


def test_ranking_blank_is_not_doubted() -> None:
    parsed = parse_ranking("  ")
    assert parsed.value is None and parsed.blank and not parsed.doubtful


def test_clean_name_keeps_capitals_and_normalises() -> None:
    decomposed = unicodedata.normalize("NFD", "  NGUYỄN   Thị\u00a0Thu  Hà ")
    parsed = clean_name(decomposed)
    assert parsed.value == "NGUYỄN Thị Thu Hà"
    assert unicodedata.is_normalized("NFC", parsed.value)
    assert parsed.reason is None


def test_clean_name_doubts_noise() -> None:
    parsed = clean_name("Nguyễn Văn 1Hùng")
    assert parsed.value == "Nguyễn Văn 1Hùng" and parsed.doubtful
    assert clean_name("").value is None


def test_clean_text() -> None:
    assert clean_text(" | Xã  Long Điền, Đồng Nai | ").value == "Xã Long Điền, Đồng Nai"
    assert clean_text(" ").blank


@pytest.mark.parametrize(
    ("text", "value", "doubtful"),
    [
        (" 0123 ", "0123", False),
        ("A0123", "A0123", False),
        ("B. 0123", "B.0123", False),
        ("01O3", "01O3", True),
        ("", None, True),
    ],
)
def test_candidate_number(text: str, value: str | None, doubtful: bool) -> None:
    parsed = parse_candidate_number(text)
    assert parsed.value == value and parsed.doubtful == doubtful


def test_split_candidate_number() -> None:
    assert split_candidate_number("B.0123") == ("B.", 123)
    assert split_candidate_number("0007") == ("", 7)
    assert split_candidate_number("12A") is None


def test_row_number() -> None:
    assert parse_row_number("12.") == 12 and parse_row_number("1x") is None


@pytest.mark.parametrize(
    ("number", "text", "shown"),
    [("7.0", "7", "7"), ("7.50", "7.5", "7,5"), ("50", "50", "50"), ("1E+1", "10", "10")],
)
def test_canonical_number(number: str, text: str, shown: str) -> None:
    assert canonical_number(Decimal(number)) == text
    assert display_number(Decimal(number)) == shown
