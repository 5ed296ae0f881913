"""A reviewer's typing becomes the canonical stored value, or a clear refusal."""

from __future__ import annotations

import unicodedata

import pytest

from review.values import InvalidValueError, canonical_input


@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("scores.math", "7,5", "7.5"),
        ("scores.math", "7.5", "7.5"),
        ("scores.math", "v", "V"),
        ("total", "47 + 3,5", "50.5"),
        ("birth_date", "12/3/1970", "1970-03-12"),
        ("birth_date", "1970", "1970"),
        ("sex", "nu", "Nữ"),
        ("result", "Đậu", "passed"),
        ("result", "khong tn", "failed"),
        ("full_name", "  Nguyễn   Văn  An ", "Nguyễn Văn An"),
        ("scores.math", "", None),
    ],
)
def test_typed_values_are_canonical(name: str, typed: str, stored: str | None) -> None:
    assert canonical_input(name, typed, 1990) == stored


def test_decomposed_unicode_is_stored_composed() -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    stored = canonical_input("full_name", typed)
    assert stored == "Nguyễn Thị Hoà" and unicodedata.is_normalized("NFC", stored)


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("scores.math", "x7", "không phải là điểm"),
        ("scores.math", "7,S", "không phải là điểm"),  # OCR may repair look-alikes; people don't
        ("birth_date", "32/13/1970", "không phải là ngày sinh"),
        ("sex", "X", "không phải là giới tính"),
        ("result", "có lẽ", "không phải là kết quả"),
    ],
)
def test_unreadable_input_is_refused_with_a_vietnamese_message(
    name: str, typed: str, message: str
) -> None:
    with pytest.raises(InvalidValueError, match=message):
        canonical_input(name, typed, 1990)
