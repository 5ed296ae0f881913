"""What the row checks work on: the engine's reading of each cell and, while the checks run,
the state of each field (its parsed value, the checks that failed, the support it earned).

Kept apart from the checks themselves because every group of them (``ocr.score_checks``,
``ocr.person_checks``) and the row assessment (``ocr.checks``) read and write the same state:
a field's fate is decided only once all of them have spoken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from ocr.model import Box
from ocr.parsing import (
    Parsed,
    clean_name,
    clean_text,
    parse_bonus,
    parse_candidate_number,
    parse_date,
    parse_ranking,
    parse_result,
    parse_score,
    parse_sex,
    parse_total,
)
from records.exam_rules import ExamRules, rules_allowed
from records.vocabulary import SCORE_PREFIX, Level

# Marks a speck or a ruling line turns into at the edge of a cell ("—TB", "Phước Tân -").
STRAY_MARKS = frozenset("-–—,/_'`")


def stray_mark_at_edge(text: str) -> bool:
    """The text opens or ends with a mark a speck or a ruling line turns into ("—TB")."""
    text = text.strip()
    return bool(text) and (text[0] in STRAY_MARKS or text[-1] in STRAY_MARKS)


@dataclass(frozen=True)
class Alternative:
    """Another reading of the same cell: the engine's runner-up, or a second pass."""

    text: str
    confidence: float


@dataclass(frozen=True)
class Reading:
    """What the engine read in one cell: text, its confidence (0..1), and alternatives."""

    text: str
    confidence: float
    alternatives: tuple[Alternative, ...] = ()
    box: Box | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, not {self.confidence}")


# ---------------------------------------------------------------------------------------------
# Per-field state while the checks run


class Support(IntEnum):
    """How much the checks vouch for a field's value; only ever raised, so the order in
    which the checks run does not matter."""

    NONE = 0  # no check covers the value
    CHECKED = 1  # checks that could fail passed
    STRONG = 2  # an identity or the rule confirms the value


@dataclass
class FieldState:
    """One field while the checks run: what was read, the value the checks may change (the
    reading kept in ``ocr_value``), and what they found, for the row assessment to judge."""

    name: str
    reading: Reading
    parsed: Parsed
    value: str | None
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    support: Support = Support.NONE
    ocr_value: str | None = None  # set when a check changed the value
    confidence: float | None = None  # set by a repair
    auto_allowed: bool = True

    @property
    def engine(self) -> float:
        return self.reading.confidence

    def fail(self, reason: str) -> None:
        if reason not in self.failures:
            self.failures.append(reason)

    def supported(self, level: Support) -> None:
        self.support = max(self.support, level)


def parse_field(name: str, text: str, exam_year: int | None, rule: ExamRules | None) -> Parsed:
    """Parse the text of field ``name``; scores on the rule's scale and step when it is known
    (so "75" on a 10-point scale reads 7,5), dates against the exam year."""
    if name.startswith(SCORE_PREFIX):
        if rule is None:
            return parse_score(text)
        return parse_score(text, rule.score_step, rule.max_score)
    parsers: dict[str, Callable[[str], Parsed]] = {
        "candidate_number": parse_candidate_number,
        "full_name": clean_name,
        "birthplace": clean_text,
        "sex": parse_sex,
        "total": parse_total,
        "bonus": parse_bonus,
        "ranking": parse_ranking,
        "result": parse_result,
    }
    if name == "birth_date":
        return parse_date(text, exam_year)
    return parsers[name](text)


def squeeze_digits(text: str) -> str:
    """The digits of a cell, every other mark dropped ("0" when there are none)."""
    return "".join(ch for ch in text if ch.isdigit()) or "0"


def rule_by_subjects(
    level: Level | str | None, subjects: set[str], exam_year: int | None = None
) -> ExamRules | None:
    """The rule when the year or the level is unread but the sheet's subject columns name it:
    the one configured rule, of the level and the year where they are known, whose subjects
    are exactly the sheet's (PTTH with biology is the 1981–1992 rule whatever the year; in
    1981 the six subjects with biology are PTTH's).  None when no rule or several fit."""
    if not subjects or (level is None and exam_year is None):
        return None
    fits = [r for r in rules_allowed(exam_year, level) if set(r.subjects) == subjects]
    return fits[0] if len(fits) == 1 else None
