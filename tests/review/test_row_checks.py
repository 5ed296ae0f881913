"""Live row checks: the year's rule applied to the values a person has decided."""

from __future__ import annotations

from review.row_checks import check_row
from tests.review.conftest import ROW_VALUES


def _check(**changes: str | None) -> dict[str, bool | None]:
    report = check_row({**ROW_VALUES, **changes}, exam_year=1990, level="PTTH")
    return {c.code: c.ok for c in report.checks}


def test_a_consistent_row_passes_every_check() -> None:
    report = check_row(ROW_VALUES, exam_year=1990, level="PTTH")
    assert report.passed and report.suggestions == {}
    assert all(c.ok for c in report.checks)


def test_total_mismatch_fails_and_suggests_the_sum() -> None:
    report = check_row({**ROW_VALUES, "total": "56.5"}, exam_year=1990, level="PTTH")
    assert not report.passed
    assert [c.code for c in report.failing()] == ["total"]
    assert report.suggestions == {"total": "50.5"}


def test_a_single_missing_score_is_implied_by_the_total() -> None:
    report = check_row({**ROW_VALUES, "scores.math": None}, exam_year=1990, level="PTTH")
    assert report.suggestions["scores.math"] == "7"  # doubled: (50.5 - 36.5) / 2
    assert not report.passed


def test_score_off_the_half_point_step_fails() -> None:
    assert _check(**{"scores.physics": "5.25"})["score:scores.physics"] is False


def test_result_and_ranking_follow_the_rule() -> None:
    report = check_row(
        {**ROW_VALUES, "result": "failed", "ranking": "Khá"}, exam_year=1990, level="PTTH"
    )
    assert report.suggestions == {"result": "passed", "ranking": "Trung bình"}
    assert {c.code for c in report.failing()} == {"result", "ranking"}


def test_zero_fails_the_candidate() -> None:
    values = {**ROW_VALUES, "scores.physics": "0", "total": "45.5", "ranking": None}
    report = check_row(values, exam_year=1990, level="PTTH")
    assert report.suggestions.get("result") == "failed"


def test_birth_date_validity_and_age() -> None:
    assert _check(birth_date="1972-02-30")["birth_date"] is False
    assert _check(birth_date="1985")["birth_date"] is False  # five at the exam
    assert _check(birth_date="1972")["birth_date"] is True


def test_thi_in_the_middle_name_with_male_is_a_warning_not_a_block() -> None:
    report = check_row({**ROW_VALUES, "sex": "Nam"}, exam_year=1990, level="PTTH")
    sex = next(c for c in report.checks if c.code == "sex")
    assert sex.ok is False and not sex.blocking
    assert report.passed and report.suggestions == {"sex": "Nữ"}


def test_unknown_rule_leaves_scores_unchecked_and_blocks() -> None:
    report = check_row(ROW_VALUES, exam_year=None, level=None)
    assert not report.passed
    assert any(c.code == "rule" and c.ok is None for c in report.checks)
