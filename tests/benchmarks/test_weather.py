"""How the weather-rescue benchmark gives each read row its day: from the page alone, never
from the transcription it is scored against."""

from __future__ import annotations

from benchmarks.weather import assign_days, formatted, printed_days
from ocr.grid import GridCell
from ocr.model import Box

_HOURS = 3  # three readings and the mean are enough to show the rules


def _grid(rows: list[list[str]]) -> list[list[GridCell]]:
    return [
        [GridCell(r, c, text, 90.0, Box(c * 10, r * 10, 10, 10)) for c, text in enumerate(row)]
        for r, row in enumerate(rows)
    ]


def _day_row(day: int, printed: str | None) -> list[str]:
    values = [f"9·{day:02d}{hour}" for hour in range(_HOURS + 1)]
    return [printed if printed is not None else "", *values]


def _page(days: int, printed: dict[int, str] | None = None) -> list[list[str]]:
    """Hour titles, the unit line, one row per day, the mean row."""
    printed = printed or {}
    titles = ["", *(str(hour) for hour in range(1, _HOURS + 1)), ""]
    units = ["", *(["Ins."] * (_HOURS + 1))]
    rows = [_day_row(day, printed.get(day)) for day in range(1, days + 1)]
    return [titles, units, *rows, ["", *(["9·999"] * (_HOURS + 1))]]


def test_rows_are_the_days_in_order_when_their_count_is_the_months() -> None:
    # The day column is cut off at the page's edge: no printed number is read.
    assigned = assign_days(_grid(_page(30)), 30)
    assert sorted(assigned) == list(range(1, 31))
    assert assigned[17] == [f"9·17{hour}" for hour in range(_HOURS + 1)]


def test_printed_day_numbers_are_dropped_from_the_values() -> None:
    page = _page(31, {day: str(day) for day in range(1, 32)})
    assigned = assign_days(_grid(page), 31)
    assert assigned[1] == [f"9·01{hour}" for hour in range(_HOURS + 1)]


def test_hour_titles_are_not_day_numbers() -> None:
    page = _page(30, {day: str(day) for day in range(2, 31)})
    assert 1 not in printed_days(_grid(page), 30), "the title row '1 2 3' is not day 1"


def test_a_missed_row_leaves_only_the_printed_numbers() -> None:
    page = _page(30, {5: "5", 6: "6"})
    del page[2 + 9]  # day 10 not found by the reader: the order no longer says the day
    assigned = assign_days(_grid(page), 30)
    assert sorted(assigned) == [5, 6]


def test_edge_fragments_do_not_overrule_the_order() -> None:
    # A few digits read in the cut-off margin ("3" beside day 8) are no day column.
    page = _page(31, {8: "3", 13: "5", 19: "3"})
    assigned = assign_days(_grid(page), 31)
    assert assigned[8] == [f"9·08{hour}" for hour in range(_HOURS + 1)]


def test_a_read_day_column_that_contradicts_the_order_wins() -> None:
    # Every row carries its printed day; day 28 is missed and a stray row of readings above
    # day 2 makes the count right by accident: the printed numbers, read on most rows, say so.
    page = _page(30, {day: str(day) for day in range(1, 31)})
    del page[2 + 27]
    page.insert(2 + 1, ["", *(["9·777"] * (_HOURS + 1))])
    assigned = assign_days(_grid(page), 30)
    assert 28 not in assigned
    assert assigned[20] == [f"9·20{hour}" for hour in range(_HOURS + 1)]


def test_register_form() -> None:
    assert formatted("9717") == "9.717"
    assert formatted("9·093") == "9.093"
    assert formatted("93") == "93"
