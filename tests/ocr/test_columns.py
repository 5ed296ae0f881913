"""Column titles as the engine reads them in small or typewritten print."""

from __future__ import annotations

import itertools

import pytest

from ocr.column_layout import align_columns, align_columns_with_merges, layout_for
from ocr.columns import match_columns, match_title
from ocr.model import Box, ColumnLayout
from ocr.table import Ruling, Table


@pytest.mark.parametrize(
    ("title", "part"),
    [
        ("TÐ", "total"),  # Icelandic eth for Đ
        ("x<L", "ranking"),  # noise inside a two-letter title
        ("T Đ", "total"),
        ("KQ", "result"),
        ("Số BD", "candidate_number"),
    ],
)
def test_short_titles_as_read(title: str, part: str) -> None:
    assert match_title(title)[0] == part


@pytest.mark.parametrize("title", ["Ko", "Tb", "x", "K"])
def test_short_misreadings_name_no_column(title: str) -> None:
    assert match_title(title)[0] is None


def test_continuation_columns_matched_by_width() -> None:
    before = [40, 60, 270, 90, 85, 100, 95]
    assert align_columns([w * 2 for w in before], before) == {i: i for i in range(7)}


def test_two_columns_run_together_are_found_and_split() -> None:
    # The gap between "TĐ" and "KK" closed on the next page: one column of both widths.
    before = [40, 60, 270, 90, 85, 100, 95]
    now = [42, 62, 268, 180, 98, 96]
    pairs, merges = align_columns_with_merges(before, now)
    assert merges == {3: 3}
    assert pairs == {0: 0, 1: 1, 2: 2, 4: 5, 5: 6}
    fields: list[str | None] = [
        "row_number",
        "candidate_number",
        "full_name",
        "total",
        "bonus",
        "ranking",
        "result",
    ]
    edges = [0, *itertools.accumulate(before)]
    table = Table(Box(0, 0, 800, 100), [0, *itertools.accumulate(now)], [(0, 20)], Ruling.NONE)
    layout, split = layout_for(table, ColumnLayout(fields, edges))
    assert layout.fields == fields
    assert split.column_edges[4] - split.column_edges[3] == round(180 * 90 / 175)
    assert len(split.column_edges) == len(table.column_edges) + 1


def test_a_title_about_as_close_to_two_columns_names_neither() -> None:
    # "Sinh vật" misread: 75 from "sinh vat", 80 from "anh van" (Anh văn, a foreign language)
    assert match_title("Sanh vai")[0] is None
    assert match_title("Sanh vật")[0] == "scores.biology"  # clearly nearer biology
    assert match_title("Anh văn")[0] == "scores.foreign_language"


def test_a_row_number_title_after_the_name_is_a_misread_title() -> None:
    # a dot-matrix "Nữ" read "TT," while the real "Số TT" came out "SñTT"
    parts = match_columns(["SñTT", "SBD", "Họ và tên đệm", "Tên", "TT,", "Toán"])
    assert parts == [None, "candidate_number", "name_head", "name_given", None, "scores.math"]
    assert match_columns(["TT", "Họ và tên", "Toán"]) == ["row_number", "full_name", "scores.math"]
