"""Naming a column by its cells when its title names nothing (ocr.column_content)."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt
import pytest

from ocr.column_content import Kind, Sample, candidate_rules, classify, name_columns
from ocr.column_layout import name_by_content
from ocr.engine import Engine, Reading
from ocr.model import Box, ColumnLayout
from ocr.table import Ruling, Table
from records.exam_rules import rules_for
from records.export_format import SheetHeader


def _sample(texts: list[str], numeric: list[str] | None = None, first: int = 0) -> Sample:
    return Sample(list(range(first, first + len(texts))), texts, numeric)


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        (["04/09/1974", "18/04/1974", "16/11/1974", "08/01/1974", "15/12/1974"], Kind.DATE),
        # "Nam" misread "Han" / "Tam" by a dot-matrix printer: the "Nữ" cells decide
        (["Nữ", "Han", "Nữ", "Tam", "Nữ", "Han", "Nữ", "Nữ"], Kind.SEX),
        (["TN", "Không TW", "Không TN", "TN", "TN", "+N", "TN"], Kind.RESULT),
        (["Khả", "Trung tri", "Tiung hình", "khá", "Tiung hình", "kiá", "Khá"], Kind.RANKING),
        (["Long Điền", "Vũng Tâu", "Tân Hải", "Long Sơn", "Bà Rịa", "lùng *âu"], Kind.PLACE),
        (["35.0", "28.0 + 1.0", "24.5", "45.5", "28.0 + 1.5", "31.0"], Kind.TOTAL),
        (["3.0", "4.5", "V", "5.0", "1.5", "7.0", "6.5"], Kind.SCORE),
        (["00364", "00365", "00366", "00367", "00368"], Kind.CANDIDATE),
    ],
)
def test_a_column_is_named_by_its_cells(texts: list[str], kind: Kind) -> None:
    assert classify(_sample(texts)) is kind


def test_row_numbers_run_on_with_the_rows() -> None:
    """A continuation page's numbers start where the page before stopped; a gap in the sample
    is a gap in the rows too."""
    sample = Sample([0, 1, 3, 4, 6], ["29", "30", "32", "33", "35"])
    assert classify(sample) is Kind.ROW_NUMBER
    shuffled = Sample([0, 1, 3, 4, 6], ["29", "12", "7", "33", "18"])
    assert classify(shuffled) is not Kind.ROW_NUMBER


def test_dot_matrix_digits_are_judged_from_the_digits_only_reading() -> None:
    texts = ["E5", "85", "?", "3", "45", "8", "m5", "3"]
    numeric = ["6.5", "8.5", "7", "3", "4.5", "8", "5.5", "3"]
    assert classify(_sample(texts)) is None
    assert classify(_sample(texts, numeric)) is Kind.SCORE


@pytest.mark.parametrize(
    "texts",
    [
        # a notes column: stains and signatures
        ["`.", "Ta Su LỄ 9/2", " ẻ - oi)", "sả .~", "XE» HƯợM", "TT căn Du"],
        # names are no places, though they share syllables
        ["NGUYỄN VĂN AN", "LÊ THỊ BA", "TRẦN VĂN CƯỜNG", "PHẠM THỊ DUNG", "HỒ VĂN EM"],
        # a date and the sex in one cell (a rule the table did not find): neither
        ["04/09/1974 | Nữ", "18/04/1974 | Nam", "16/11/1974 | Nam", "08/01/1974 | Nữ"],
        # too few cells to judge
        ["Nữ", "Nữ", "Nam"],
        # half results, half rankings
        ["TN", "Khá", "TN", "Khá", "TN", "Khá"],
    ],
)
def test_doubtful_columns_stay_unnamed(texts: list[str]) -> None:
    assert classify(_sample(texts)) is None


SCORE = "scores."


def test_the_one_subject_the_rule_leaves_names_the_score_column() -> None:
    rule = rules_for(1989, "PTCS")  # literature, math, physics, history
    parts = ["row_number", "full_name", SCORE + "literature", SCORE + "math", None, None]
    parts[4] = SCORE + "physics"
    named = name_columns([*parts, "total"], {5: Kind.SCORE}, [rule])
    assert named[5] == SCORE + "history"


def test_the_rules_order_names_scores_between_named_subjects() -> None:
    rule = rules_for(1990, "PTTH")  # literature, math, physics, chemistry, biology, history
    parts = ["full_name", SCORE + "literature", SCORE + "math", None, None, SCORE + "biology"]
    parts += [None, "total"]
    named = name_columns(parts, {3: Kind.SCORE, 4: Kind.SCORE, 6: Kind.SCORE}, [rule])
    assert named[3:5] == [SCORE + "physics", SCORE + "chemistry"]
    assert named[6] == SCORE + "history"


def test_scores_whose_subject_is_not_determined_stay_unnamed() -> None:
    rule = rules_for(1990, "PTTH")
    # two unnamed score columns after biology, one subject left: which is the bonus?
    parts: list[str | None] = ["full_name", SCORE + "literature", SCORE + "math", SCORE + "physics"]
    parts += [SCORE + "chemistry", SCORE + "biology", None, None, "total"]
    named = name_columns(parts, {6: Kind.SCORE, 7: Kind.SCORE}, [rule])
    assert named[6] is None and named[7] is None
    # a run of scores not closed by a column that is no score: the next could be one
    open_run: list[str | None] = ["full_name", SCORE + "literature", SCORE + "math"]
    open_run += [SCORE + "physics", SCORE + "chemistry", None, None, None]
    named = name_columns(open_run, {5: Kind.SCORE, 6: Kind.SCORE}, [rule])
    assert named[5] is None and named[6] is None
    # closed by the total, they are biology and history
    named = name_columns([*open_run[:7], "total"], {5: Kind.SCORE, 6: Kind.SCORE}, [rule])
    assert named[5:7] == [SCORE + "biology", SCORE + "history"]
    # no rule: no subject
    assert name_columns(["full_name", None, "total"], {1: Kind.SCORE}, []) == [
        "full_name",
        None,
        "total",
    ]


def test_rules_that_disagree_name_no_subject() -> None:
    """The year unread: PTCS of 1975–1985 and 1986–1992 list other subjects after math."""
    rules = candidate_rules(None, "PTCS", ["literature", "math"])
    assert len(rules) > 1
    parts = ["full_name", SCORE + "literature", SCORE + "math", None, None, "total"]
    named = name_columns(parts, {3: Kind.SCORE, 4: Kind.SCORE}, rules)
    assert named[3] is None and named[4] is None


def test_a_part_already_held_is_never_given_again() -> None:
    parts = ["full_name", "birth_date", None, None, None, "sex_female_mark"]
    kinds = {2: Kind.DATE, 3: Kind.SEX, 4: Kind.PLACE}
    assert name_columns(parts, kinds, []) == [
        "full_name",
        "birth_date",
        None,  # the date is held by the titled column
        None,  # a "Nữ" tick column gives the sex already
        "birthplace",
        "sex_female_mark",
    ]
    # two unnamed columns of one kind: neither
    assert name_columns([None, None], {0: Kind.RESULT, 1: Kind.RESULT}, []) == [None, None]


# --- the reader's hook, with a scripted engine -------------------------------------------------

BAND = 40
WIDTH = 100


class ScriptedEngine:
    """Reads a column's cells as the script says; each column is inked with its own level."""

    def __init__(self, cells: dict[int, list[str]]) -> None:
        self.cells = cells
        self.read_columns: list[int] = []

    def read_cells(
        self, cells: list[npt.NDArray[np.uint8]], whitelist: str | None = None
    ) -> list[Reading]:
        values, counts = np.unique(cells[0][cells[0] < 200], return_counts=True)
        column = (int(values[np.argmax(counts)]) - 20) // 2
        self.read_columns.append(column)
        texts = self.cells[column]
        return [Reading(texts[i % len(texts)], 0.95) for i in range(len(cells))]


def _page(columns: int, rows: int) -> tuple[npt.NDArray[np.uint8], Table]:
    bands = [(i * BAND, (i + 1) * BAND) for i in range(rows)]
    image = np.full((rows * BAND, columns * WIDTH), 255, dtype=np.uint8)
    for column in range(columns):
        image[:, column * WIDTH + 20 : column * WIDTH + 60] = 20 + 2 * column
    edges = [i * WIDTH for i in range(columns + 1)]
    return image, Table(Box(0, 0, columns * WIDTH, rows * BAND), edges, bands, Ruling.FULL)


def test_the_reader_names_only_unnamed_columns_by_a_sample() -> None:
    image, table = _page(4, 30)
    engine = ScriptedEngine(
        {
            2: ["TN", "Không TN", "TN", "TN", "Hỏng"],
            3: ["Ghi chú x", "~", "abc", "..."],
        }
    )
    layout = ColumnLayout(["full_name", "birth_date", None, None], table.column_edges, [])
    header = SheetHeader(exam_year=1989, level="PTCS", council=None, school=None)
    found = name_by_content(cast(Engine, engine), image, image, table, layout, table.bands, header)
    assert found.fields == ["full_name", "birth_date", "result", None]
    assert sorted(set(engine.read_columns)) == [2, 3]  # titled columns are not read
    # every column titled: nothing is read
    engine.read_columns.clear()
    titled = ColumnLayout(["full_name", "birth_date", "result", "notes"], table.column_edges, [])
    assert name_by_content(cast(Engine, engine), image, image, table, titled, table.bands, header)
    assert engine.read_columns == []
