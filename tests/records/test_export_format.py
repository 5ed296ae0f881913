"""The export contract itself: nesting, typing, 1-based positions, unknown fields refused."""

from __future__ import annotations

import pytest

from records.export_format import (
    FieldReading,
    SheetHeader,
    build_row,
    flat_fields,
    table_columns,
    typed_value,
)
from records.vocabulary import SUBJECT_CODES


def test_scores_nest_under_subject_codes() -> None:
    row = build_row(
        "a.png",
        1,
        3,
        SheetHeader(1995, "THPT", "HĐ Châu Thành", None),
        {
            "scores.math": FieldReading("8"),
            "total": FieldReading("47.5"),
            "sex": FieldReading("Nam"),
        },
    )
    assert row["fields"] == {
        "sex": {"value": "Nam"},
        "total": {"value": 47.5},
        "scores": {"math": {"value": 8.0}},
    }
    assert row["sheet"]["exam_year"] == 1995 and row["row"] == 3
    assert flat_fields(row) == {
        "sex": {"value": "Nam"},
        "total": {"value": 47.5},
        "scores.math": {"value": 8.0},
    }


def test_positions_are_one_based_and_names_known() -> None:
    with pytest.raises(ValueError, match="1-based"):
        build_row("a", 0, 1, SheetHeader(), {})
    with pytest.raises(ValueError, match="unknown"):
        build_row("a", 1, 1, SheetHeader(), {"scores.astronomy": FieldReading("5")})


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("total", "41.5", 41.5),
        ("scores.math", "V", "V"),
        ("bonus", "", None),
        ("candidate_number", "0123", "0123"),  # leading zeros are kept: it is an identifier
        ("birth_date", "1969", "1969"),
    ],
)
def test_typed_values(name: str, text: str, expected: object) -> None:
    assert typed_value(name, text) == expected


def test_every_subject_code_of_the_contract_has_a_column() -> None:
    columns = table_columns()
    assert all(f"scores.{code}" in columns for code in SUBJECT_CODES)
    assert SUBJECT_CODES == (
        "literature",
        "math",
        "physics",
        "chemistry",
        "biology",
        "history",
        "geography",
        "foreign_language",
        "civics",
    )
