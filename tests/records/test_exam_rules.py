"""The exam rules configuration: coverage of every year and level, and the arithmetic."""

from decimal import Decimal as D  # noqa: N817 - short in arithmetic

import pytest

from records.exam_rules import (
    LEVEL_YEARS,
    ExamRulesError,
    all_rules,
    levels_in,
    parse_rules,
    rules_for,
)
from records.vocabulary import SUBJECT_CODES, Level


def test_every_year_and_level_of_the_period_has_one_rule() -> None:
    for level, (first, last) in LEVEL_YEARS.items():
        for year in range(first, last + 1):
            rule = rules_for(year, level)
            assert level in rule.levels
            assert set(rule.subjects) <= set(SUBJECT_CODES)
            assert rule.result_words


def test_era_codes_are_enforced() -> None:
    with pytest.raises(ExamRulesError):
        rules_for(1995, Level.PTTH)  # PTTH became THPT in 1993
    with pytest.raises(ExamRulesError):
        rules_for(1985, Level.THPT)
    assert Level.PTTH in levels_in(1992) and Level.THPT in levels_in(1993)


def test_total_counts_doubled_subjects_twice_and_adds_bonus() -> None:
    rule = rules_for(1990, Level.PTTH)
    assert rule.doubled == {"literature", "math"}
    scores = {s: D(5) for s in rule.subjects}
    scores["math"] = D("7.5")
    expected = D(5) * (len(rule.subjects) - 2) + D(5) * 2 + D("7.5") * 2 + D("1.5")
    assert rule.total(scores, D("1.5")) == expected


def test_pass_needs_average_and_no_zero_and_presence() -> None:
    rule = rules_for(1998, Level.THPT)
    good = {s: D(6) for s in rule.subjects}
    assert rule.passes(good)
    zero = dict(good, math=D(0), literature=D(10))
    assert not rule.passes(zero)
    absent = dict(good, history=None)
    assert not rule.passes(absent)
    low = {s: D("4.5") for s in rule.subjects}
    assert not rule.passes(low)
    assert rule.passes(low, D(3))  # bonus lifts the average to 5


def test_ranking_thresholds() -> None:
    rule = rules_for(2000, Level.THPT)
    assert rule.ranking({s: D(9) for s in rule.subjects}) == "Giỏi"
    assert rule.ranking({s: D(7) for s in rule.subjects}) == "Khá"
    assert rule.ranking({s: D(5) for s in rule.subjects}) == "Trung bình"
    assert rule.ranking({s: D(3) for s in rule.subjects}) is None
    # a low subject keeps a high average out of Giỏi
    mixed = {s: D(9) for s in rule.subjects}
    mixed["history"] = D(6)
    assert rule.ranking(mixed) == "Khá"


def test_score_step_of_early_years_is_whole_points() -> None:
    rule = rules_for(1977, Level.PTTH)
    assert rule.score_step == 1
    assert rule.on_step(D(7)) and not rule.on_step(D("7.5"))
    assert rules_for(1988, Level.PTTH).on_step(D("7.5"))


def test_result_words_come_in_pairs() -> None:
    rule = rules_for(1985, Level.PTCS)
    assert rule.result_word(True, 0) == "Đỗ" and rule.result_word(False, 0) == "Hỏng"
    assert rule.result_word(False, 1) == "Rớt"


def _raw(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "levels": ["THPT"],
        "years": [1993, 2005],
        "subjects": ["math"],
        "score_step": 0.5,
        "pass_average": 5,
        "result_words": [["Đỗ", "Hỏng"]],
    }
    base.update(over)
    return base


def test_parse_rejects_bad_configuration() -> None:
    assert parse_rules({"rule": [_raw()]})
    with pytest.raises(ExamRulesError):
        parse_rules({"rule": [_raw(subjects=["astrology"])]})
    with pytest.raises(ExamRulesError):
        parse_rules({"rule": [_raw(doubled=["literature"])]})
    with pytest.raises(ExamRulesError):
        parse_rules({"rule": [_raw(), _raw(years=[2000, 2003])]})
    with pytest.raises(ExamRulesError):
        parse_rules({"rule": [_raw(levels=["PTTH"])]})  # PTTH is not used after 1992


def test_loaded_rules_are_cached() -> None:
    assert all_rules() is all_rules()
