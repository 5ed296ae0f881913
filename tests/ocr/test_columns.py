"""Column titles as the engine reads them in small or typewritten print."""

from __future__ import annotations

import pytest

from ocr.columns import match_title


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
