"""Choosing among other readings of a row's numbers: only a reading the row's sum confirms, only
when no other reading is confirmed too, and never one the checks had to repair."""

from __future__ import annotations

from functools import partial

from ocr.checks import assess_row
from ocr.field_state import Alternative, Reading
from ocr.row_readings import sum_holds, with_variants
from records.vocabulary import FieldStatus, Level
from tests.ocr.test_checks import NO_SAMPLE, readings, texts

SCORES = ["7", "6,5", "5", "8", "6", "7"]  # 1995 THPT: six subjects, total 39,5


def _row() -> tuple[dict[str, Reading], str]:
    cells = texts(1995, Level.THPT, SCORES)
    first = readings(cells)
    math = next(name for name in cells if name.startswith("scores.") and cells[name] == "7")
    first[math] = Reading("1", 0.97)  # a typewriter's 7, read as 1 with confidence
    return first, math


judge = partial(
    assess_row,
    exam_year=1995,
    level=Level.THPT,
    row_number=1,
    sample_key="scan:1:1",
    previous_candidate_number="0123",
    policy=NO_SAMPLE,
)


def test_the_variant_the_sum_confirms_is_taken_and_all_are_kept() -> None:
    first, math = _row()
    assert not sum_holds(judge(first))
    variants = [{math: Reading("7", 0.9)}, {math: Reading("4", 0.9)}]
    row = with_variants(judge, first, variants)
    assert sum_holds(row)
    assert row.fields[math].value == "7" and row.fields[math].status is FieldStatus.AUTO
    assert row.variants == variants


def test_two_variants_confirmed_on_different_values_decide_nothing() -> None:
    first, math = _row()
    variants = [{math: Reading("7", 0.9)}, {math: Reading("4", 0.9), "total": Reading("36,5", 0.9)}]
    row = with_variants(judge, first, variants)
    assert not sum_holds(row)
    assert row.fields[math].value == "1"  # the first reading, for the reviewer


def test_a_variant_that_holds_only_after_a_repair_is_not_taken() -> None:
    first, math = _row()
    # another reader's doubtful 2, with 7 as its runner-up: the checks repair it to 7 by the
    # total, and the sum holds, but on a third reading that no reader made
    doubtful_two = Reading("2", 0.55, (Alternative("7", 0.3),))
    repaired = judge({**first, math: doubtful_two})
    assert sum_holds(repaired)
    assert repaired.fields[math].value == "7" and repaired.fields[math].ocr_value == "2"
    row = with_variants(judge, first, [{math: doubtful_two}])
    assert row.fields[math].value == "1" and not sum_holds(row)


def test_a_row_whose_sum_holds_is_not_judged_again() -> None:
    cells = readings(texts(1995, Level.THPT, SCORES))
    calls: list[int] = []

    def counting(fields: dict[str, Reading]) -> object:
        calls.append(1)
        return judge(fields)

    row = with_variants(counting, cells, [{"total": Reading("1", 0.9)}])  # type: ignore[arg-type]
    assert sum_holds(row) and len(calls) == 1
