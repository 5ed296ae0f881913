"""Per-year, per-level graduation exam rules, read from ``records/data/exam_rules.toml``.

DOMAIN.md marks the subjects, doubling, score steps and pass rules as unverified, so they live
in configuration; this module only loads and checks that file and applies a rule.  The checks
that hold whatever the year (scores in range and on the step, total = weighted sum + bonus,
result consistent with the rule) are what let OCR trust or doubt its own reading, and what the
sample-scan generator uses to make consistent ground truth.

Arithmetic is done in ``Decimal``: scores are half points and totals must compare exactly.
A score of ``None`` means the candidate was absent ("V", "VẮNG").
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from records.vocabulary import SUBJECT_CODES, Level

Scores = Mapping[str, Decimal | None]

# Levels named by the era's codes (DOMAIN.md §1): PTCS/PTTH before 1993, THCS/THPT from 1993.
LEVEL_YEARS: dict[Level, tuple[int, int]] = {
    Level.PTCS: (1975, 1992),
    Level.PTTH: (1975, 1992),
    Level.THCS: (1993, 2005),
    Level.THPT: (1993, 2005),
    Level.BTVH: (1975, 2005),
}


class ExamRulesError(ValueError):
    """The rules file is inconsistent, or no rule covers a (year, level)."""


@dataclass(frozen=True)
class RankingRule:
    word: str  # as sheets write it: "Giỏi", "Khá", "Trung bình"
    min_average: Decimal
    min_subject: Decimal


@dataclass(frozen=True)
class ExamRules:
    """The rule of one year range and level."""

    levels: tuple[Level, ...]
    first_year: int
    last_year: int
    subjects: tuple[str, ...]
    doubled: frozenset[str]
    score_step: Decimal
    max_score: Decimal
    pass_average: Decimal
    no_zero: bool
    min_subject: Decimal | None
    ranking_uses_bonus: bool
    rankings: tuple[RankingRule, ...]
    result_words: tuple[tuple[str, str], ...]
    bonus_values: tuple[Decimal, ...]

    def coefficient(self, subject: str) -> int:
        return 2 if subject in self.doubled else 1

    @property
    def coefficient_sum(self) -> int:
        return sum(self.coefficient(s) for s in self.subjects)

    def on_step(self, score: Decimal) -> bool:
        """Whether ``score`` is in range and a multiple of the era's step."""
        return Decimal(0) <= score <= self.max_score and score % self.score_step == 0

    def weighted_sum(self, scores: Scores) -> Decimal:
        """Sum of the examined subjects' scores times their coefficients; absent counts 0."""
        return sum(
            (self.coefficient(s) * (scores.get(s) or Decimal(0)) for s in self.subjects),
            Decimal(0),
        )

    def total(self, scores: Scores, bonus: Decimal = Decimal(0)) -> Decimal:
        """The sheet's Tổng điểm: weighted sum of the subjects plus bonus points."""
        return self.weighted_sum(scores) + bonus

    def average(self, scores: Scores, bonus: Decimal = Decimal(0)) -> Decimal:
        return self.total(scores, bonus) / Decimal(self.coefficient_sum)

    def absent(self, scores: Scores) -> bool:
        return any(scores.get(s) is None for s in self.subjects)

    def passes(self, scores: Scores, bonus: Decimal = Decimal(0)) -> bool:
        """Pass: sat every subject, no zero (if the rule says so), every subject above the
        floor, and (total + bonus) / coefficients reaches the pass average."""
        if self.absent(scores):
            return False
        values = [scores[s] or Decimal(0) for s in self.subjects]
        if self.no_zero and any(v == 0 for v in values):
            return False
        if self.min_subject is not None and any(v < self.min_subject for v in values):
            return False
        return self.average(scores, bonus) >= self.pass_average

    def ranking(self, scores: Scores, bonus: Decimal = Decimal(0)) -> str | None:
        """The ranking word of a passed candidate (None for one who failed)."""
        if not self.passes(scores, bonus):
            return None
        average = self.average(scores, bonus if self.ranking_uses_bonus else Decimal(0))
        lowest = min(scores[s] or Decimal(0) for s in self.subjects)
        for rank in self.rankings:
            if average >= rank.min_average and lowest >= rank.min_subject:
                return rank.word
        return self.rankings[-1].word if self.rankings else None

    def result_word(self, passed: bool, variant: int = 0) -> str:
        """The word a sheet writes for the result, in the ``variant``-th pair of the era."""
        pair = self.result_words[variant % len(self.result_words)]
        return pair[0] if passed else pair[1]


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ExamRulesError(f"{what}: not a number: {value!r}")
    return Decimal(str(value))


def _parse_rule(raw: Mapping[str, Any], index: int) -> ExamRules:
    where = f"rule #{index + 1}"
    try:
        levels = tuple(Level(v) for v in raw["levels"])
        first, last = (int(y) for y in raw["years"])
        subjects = tuple(str(s) for s in raw["subjects"])
        doubled = frozenset(str(s) for s in raw.get("doubled", []))
        rankings = tuple(
            RankingRule(str(r[0]), _decimal(r[1], where), _decimal(r[2], where))
            for r in raw.get("rankings", [])
        )
        words = tuple((str(p[0]), str(p[1])) for p in raw["result_words"])
        min_subject = raw.get("min_subject")
        rule = ExamRules(
            levels=levels,
            first_year=first,
            last_year=last,
            subjects=subjects,
            doubled=doubled,
            score_step=_decimal(raw["score_step"], where),
            max_score=_decimal(raw.get("max_score", 10), where),
            pass_average=_decimal(raw["pass_average"], where),
            no_zero=bool(raw.get("no_zero", True)),
            min_subject=None if min_subject is None else _decimal(min_subject, where),
            ranking_uses_bonus=bool(raw.get("ranking_uses_bonus", False)),
            rankings=rankings,
            result_words=words,
            bonus_values=tuple(_decimal(b, where) for b in raw.get("bonus_values", [0])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ExamRulesError(f"{where}: {exc}") from exc
    unknown = (set(subjects) | doubled) - set(SUBJECT_CODES)
    if unknown:
        raise ExamRulesError(f"{where}: unknown subject codes {sorted(unknown)}")
    if not doubled <= set(subjects):
        raise ExamRulesError(f"{where}: doubled subjects must be examined")
    if first > last or not subjects or not words:
        raise ExamRulesError(f"{where}: empty year range, subjects or result words")
    if rule.score_step <= 0 or rule.max_score % rule.score_step != 0:
        raise ExamRulesError(f"{where}: bad score step")
    for level in levels:
        lo, hi = LEVEL_YEARS[level]
        if first < lo or last > hi:
            raise ExamRulesError(f"{where}: {level} is not used in {first}–{last}")
    return rule


def parse_rules(data: Mapping[str, Any]) -> tuple[ExamRules, ...]:
    """Parse and check a rules document (the TOML's ``[[rule]]`` array)."""
    rules = tuple(_parse_rule(raw, i) for i, raw in enumerate(data.get("rule", [])))
    for level in Level:
        spans = sorted((r.first_year, r.last_year) for r in rules if level in r.levels)
        for (_, last), (first, _) in itertools.pairwise(spans):
            if first <= last:
                raise ExamRulesError(f"overlapping rules for {level} around {first}")
    return rules


@cache
def all_rules() -> tuple[ExamRules, ...]:
    """The configured rules (records/data/exam_rules.toml), loaded once."""
    text = (resources.files("records") / "data" / "exam_rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text))


def levels_in(year: int) -> tuple[Level, ...]:
    """The level codes in use in ``year``."""
    return tuple(lv for lv, (lo, hi) in LEVEL_YEARS.items() if lo <= year <= hi)


def rules_allowed(exam_year: int | None, level: Level | str | None) -> list[ExamRules]:
    """The configured rules a sheet header allows when its year or level may be unread: of
    the level and the year where each is known (every rule when neither is; none for a level
    code that does not exist)."""
    code: Level | None = None
    if level is not None:
        try:
            code = Level(str(level))
        except ValueError:
            return []
    return [
        r
        for r in all_rules()
        if (code is None or code in r.levels)
        and (exam_year is None or r.first_year <= exam_year <= r.last_year)
    ]


def rules_for(year: int, level: Level | str) -> ExamRules:
    """The rule for ``level`` in exam ``year``; ExamRulesError if none is configured."""
    lv = Level(level)
    for rule in all_rules():
        if lv in rule.levels and rule.first_year <= year <= rule.last_year:
            return rule
    raise ExamRulesError(f"no exam rule configured for {lv} in {year}")
