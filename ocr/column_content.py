"""Naming a table column by what its cells hold, when its title names nothing.

Why: a column is named from its title (``ocr.columns``), and a worn or misread title loses
the whole column: every row of the page loses that field and goes to a person.  The cells
themselves say what most columns are: dates, "Nam"/"Nữ", "TN"/"Không TN", "Khá", place names,
row numbers running on by one, totals above the 10-point scale or written "28,0 + 1,0".

Precision comes first (a wrongly named column would publish a wrong field in every row), so a
kind is named only on strong, unambiguous evidence: enough cells of a sample that fit it
exactly, nearly all of them fitting it at least roughly, and no other kind fitting a fair
share.  A column of scores names a subject only where the year's rule leaves it one place:
the rule's subjects are in the order sheets print them, so unnamed score columns standing
between two named subjects (or after the last one, up to a column that is no score) take the
subjects the rule puts there when their counts agree, under every rule the header and the
named subjects allow.  A column that fits nothing, or whose subject is not determined, stays
unnamed.

Pure: the texts of a sample of cells in, parts out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache

from rapidfuzz import fuzz, process

from ocr import columns as cols
from ocr import person_checks
from ocr.parsing import (
    ABSENT,
    match_ranking,
    parse_date,
    parse_result,
    parse_score,
    parse_sex,
    parse_total,
    split_candidate_number,
)
from records.exam_rules import ExamRules, all_rules, rules_allowed
from records.vntext import folded_key
from records.vocabulary import SCORE_PREFIX, Level

SAMPLE_SIZE = 10  # cells read per unnamed column
MIN_CELLS = 4  # a column with fewer inked cells in its sample is not judged
MIN_EXACT = 3  # cells that must fit the kind exactly
MIN_EXACT_SHARE = 0.3  # ... and this share of the sample's non-empty cells
MIN_ROUGH_SHARE = 0.7  # cells that fit it at least roughly
MAX_RIVAL_SHARE = 1 / 3  # another kind's exact fits, against the winner's
ROUGH_RATIO = 70.0  # fuzzy ratio of a roughly read word (folded)
MAX_TOTAL = Decimal(120)

NUMERIC_ALPHABET = "0123456789.,/-+ V"  # the sample read again for numbers


class Kind(StrEnum):
    DATE = "birth_date"
    SEX = "sex"
    RESULT = "result"
    RANKING = "ranking"
    PLACE = "birthplace"
    ROW_NUMBER = cols.ROW_NUMBER
    CANDIDATE = "candidate_number"
    TOTAL = "total"
    SCORE = "score"  # a subject, which one the rule decides


@dataclass(frozen=True)
class Sample:
    """A column's sampled cells: their data-row indexes, their text read with the full
    alphabet, and (for a column that looks numeric) read again with digits only."""

    rows: Sequence[int]
    texts: Sequence[str]
    numeric: Sequence[str] | None = None


def looks_numeric(texts: Sequence[str]) -> bool:
    """Whether a sample is worth reading again with digits only (dot-matrix digits read
    with the full alphabet come out as letters: "E5", "Ä")."""
    filled = [t for t in texts if t.strip()]
    return bool(filled) and sum(any(c.isdigit() for c in t) for t in filled) >= 0.4 * len(filled)


# ---------------------------------------------------------------------------------------------
# One cell


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", folded_key(text)).split())


@cache
def _ranking_words() -> tuple[str, ...]:
    return tuple(sorted({r.word for rule in all_rules() for r in rule.rankings}))


@cache
def _result_keys() -> tuple[str, ...]:
    words = {w for rule in all_rules() for pair in rule.result_words for w in pair}
    return tuple(sorted({_key(w) for w in words} | {"khong do", "khong dau", "tot nghiep"}))


@cache
def _place_keys() -> frozenset[str]:
    return frozenset(_key(p) for p in person_checks.known_places() if len(p) >= 4)


_DATE_SHAPE = re.compile(r"\d{1,2}\D{1,2}\d{1,2}\D{1,2}\d{2,4}")


def _rough_word(key: str, words: Iterable[str]) -> bool:
    return len(key) >= 3 and any(fuzz.ratio(key, w) >= ROUGH_RATIO for w in words)


def _word_fits(text: str) -> dict[Kind, tuple[bool, bool]]:
    """Kind → (exact fit, rough fit) for the word kinds of one cell read with all letters."""
    key = _key(text)
    fits: dict[Kind, tuple[bool, bool]] = {}
    sex = parse_sex(text).value is not None
    # "Nam" misread "Han" or "Tam": a short word, in a column where "Nam"/"Nữ" are read too
    fits[Kind.SEX] = (sex, sex or (0 < len(key) <= 4 and key.isalpha()))
    result = parse_result(text).value is not None and key not in {"v", "vang"}
    fits[Kind.RESULT] = (result, result or _rough_word(key, _result_keys()))
    ranking = match_ranking(text, _ranking_words()) is not None
    rank_keys = [_key(w) for w in _ranking_words()]
    fits[Kind.RANKING] = (ranking, ranking or _rough_word(key, rank_keys))
    # a place read with a wrong mark ("Vũng Tâu") is still a place: compared folded
    place = len(key) >= 4 and (
        key in _place_keys() or person_checks.is_known_place(text.strip(" .,|-_"))
    )
    rough_place = len(key) >= 5 and bool(
        process.extractOne(key, _place_keys(), scorer=fuzz.ratio, score_cutoff=80.0)
    )
    fits[Kind.PLACE] = (place, place or rough_place)
    return fits


def _date_fits(text: str) -> tuple[bool, bool]:
    squeezed = text.strip(" |.")
    exact = parse_date(squeezed).date is not None and _DATE_SHAPE.fullmatch(squeezed) is not None
    return exact, exact or _DATE_SHAPE.search(text) is not None


def _number(text: str) -> tuple[Decimal | None, bool]:
    """A score-like reading: (value on the half-point 10 scale or None, absent)."""
    squeezed = text.strip(" |")
    parsed = parse_score(squeezed, Decimal("0.5"), Decimal(10))
    if parsed.value == ABSENT:
        return None, True
    if parsed.number is None or parsed.repaired or parsed.reason:
        return None, False
    if parsed.number > 10 or parsed.number % Decimal("0.5"):
        return None, False
    return parsed.number, False


# A score with a misread decimal ("3.9" for "3.0") or its comma lost ("45" for 4,5: dot-matrix
# commas are a dot or two); a total with its separator lost ("455" for 45,5).
_ROUGH_SCORE = re.compile(r"(10|\d)[.,]\d|[1-9][05]")
_LOST_TOTAL_SEPARATOR = re.compile(r"[1-9]\d[05]")


def _roughly_score(text: str) -> bool:
    return _ROUGH_SCORE.fullmatch(text.strip(" |")) is not None


def _total_fits(text: str) -> tuple[bool, bool]:
    """(exact, rough) fit of a total: above the 10-point scale or with the bonus written on
    top; two bare digits ("45") could be a score with its comma lost, so fit only roughly."""
    squeezed = text.strip(" |")
    if _LOST_TOTAL_SEPARATOR.fullmatch(squeezed):
        number = Decimal(squeezed) / 10
        return Decimal(10) < number <= MAX_TOTAL, True
    parsed = parse_total(squeezed)
    if parsed.number is None or parsed.repaired or parsed.number % Decimal("0.5"):
        return False, False
    if parsed.bonus is not None:
        return True, True
    fits = Decimal(10) < parsed.number <= MAX_TOTAL
    written = any(c in squeezed for c in ".,")
    return fits and written, fits


def _runs_on(rows: Sequence[int], texts: Sequence[str]) -> int:
    """How many cells hold a plain number that runs on by one with the row order (the most
    common offset between the number and the row's index)."""
    offsets = Counter(
        int(t.strip(" .|")) - row
        for row, t in zip(rows, texts, strict=True)
        if t.strip(" .|").isdigit()
        and not t.strip(" .|").startswith("0")
        and len(t.strip(" .|")) <= 3
    )
    return offsets.most_common(1)[0][1] if offsets else 0


def _numbers_run_on(rows: Sequence[int], texts: Sequence[str]) -> int:
    """How many cells hold a candidate number of one form (prefix, digit count; four digits
    or more, or a letter prefix, so that no row number passes) running on by one with the
    row order."""
    offsets: Counter[tuple[str, int, int]] = Counter()
    for row, text in zip(rows, texts, strict=True):
        value = "".join(text.split()).strip(".|'\"")
        split = split_candidate_number(value)
        if split is None:
            continue
        prefix, number = split
        width = len(value) - len(prefix)
        if width >= 4 or (prefix and any(c.isalpha() for c in prefix)):
            offsets[(prefix, width, number - row)] += 1
    return offsets.most_common(1)[0][1] if offsets else 0


# ---------------------------------------------------------------------------------------------
# One column

_NUMERIC_KINDS = frozenset({Kind.SCORE, Kind.TOTAL, Kind.ROW_NUMBER, Kind.CANDIDATE})


def classify(sample: Sample) -> Kind | None:
    """The kind of a column's cells, or None when the evidence is weak or ambiguous."""
    texts = list(sample.texts)
    numeric = list(sample.numeric) if sample.numeric is not None else texts
    filled = [i for i, t in enumerate(texts) if t.strip() or numeric[i].strip()]
    if len(filled) < MIN_CELLS:
        return None
    exact: Counter[Kind] = Counter()
    rough: Counter[Kind] = Counter()
    for i in filled:
        fits = _word_fits(texts[i])
        (date, rough_date), (number_date, rough_number_date) = (
            _date_fits(texts[i]),
            _date_fits(numeric[i]),
        )
        fits[Kind.DATE] = (date or number_date, rough_date or rough_number_date)
        number, absent = _number(numeric[i])
        score = number is not None or absent
        fits[Kind.SCORE] = (score, score or _roughly_score(numeric[i]))
        total, rough_total = _total_fits(numeric[i])
        fits[Kind.TOTAL] = (total, rough_total or absent)
        for kind, (is_exact, is_rough) in fits.items():
            exact[kind] += is_exact
            rough[kind] += is_exact or is_rough
    running = _runs_on([sample.rows[i] for i in filled], [numeric[i] for i in filled])
    exact[Kind.ROW_NUMBER] = rough[Kind.ROW_NUMBER] = running
    numbers = max(
        _numbers_run_on([sample.rows[i] for i in filled], [t[i] for i in filled])
        for t in (texts, numeric)
    )
    exact[Kind.CANDIDATE] = rough[Kind.CANDIDATE] = numbers
    running = max(running, numbers)
    if running >= MIN_EXACT:
        # numbers running on by one are row numbers, not scores or totals that happen to fit
        exact[Kind.TOTAL] = min(exact[Kind.TOTAL], len(filled) - running)
        exact[Kind.SCORE] = min(exact[Kind.SCORE], len(filled) - running)
    # numbers are judged on the cells that hold digits: a speck the letters' reading calls
    # "#" is no cell of the column
    with_digits = sum(1 for i in filled if numeric[i].strip())
    for kind, hits in exact.most_common():
        n = with_digits if kind in _NUMERIC_KINDS and sample.numeric is not None else len(filled)
        if hits < max(MIN_EXACT, math.ceil(MIN_EXACT_SHARE * n)):
            return None
        if rough[kind] < MIN_ROUGH_SHARE * n:
            continue
        rivals = [h for k, h in exact.items() if k is not kind]
        if any(h > hits * MAX_RIVAL_SHARE for h in rivals):
            return None
        return kind
    return None


# ---------------------------------------------------------------------------------------------
# The page's columns


def candidate_rules(
    exam_year: int | None, level: Level | str | None, named_subjects: Iterable[str]
) -> list[ExamRules]:
    """The rules the header allows whose subjects include every subject already named."""
    if exam_year is None and level is None:
        return []
    named = set(named_subjects)
    return [r for r in rules_allowed(exam_year, level) if named <= set(r.subjects)]


def _subjects_by_rule(
    parts: Sequence[str | None], scores: set[int], rule: ExamRules
) -> dict[int, str]:
    """Unnamed score columns → subject under one rule (see the module's docstring)."""
    named = {
        p.removeprefix(SCORE_PREFIX): i
        for i, p in enumerate(parts)
        if p is not None and p.startswith(SCORE_PREFIX)
    }
    order = [s for s in rule.subjects if s in named]
    if [named[s] for s in order] != sorted(named[s] for s in order):
        return {}  # the sheet does not print the named subjects in the rule's order
    missing = [s for s in rule.subjects if s not in named]
    if len(missing) == 1 and len(scores) == 1:
        return {next(iter(scores)): missing[0]}
    found: dict[int, str] = {}
    anchors = [-1, *[named[s] for s in order], len(parts)]
    positions = [-1, *[rule.subjects.index(s) for s in order], len(rule.subjects)]
    for (left, right), (first, last) in zip(
        itertools.pairwise(anchors), itertools.pairwise(positions), strict=True
    ):
        wanted = list(rule.subjects[first + 1 : last])
        if not wanted:
            continue
        if left >= 0 and right < len(parts):
            between = list(range(left + 1, right))
            if all(i in scores for i in between) and len(between) == len(wanted):
                found.update(zip(between, wanted, strict=True))
        elif left >= 0:  # after the last named subject: a run up to a column that is no score
            run = list(_run(range(left + 1, len(parts)), scores))
            end = left + 1 + len(run)
            closed = end >= len(parts) or parts[end] is not None
            if run and closed and len(run) == len(wanted):
                found.update(zip(run, wanted, strict=True))
        elif right < len(parts):  # before the first named subject
            run = list(_run(range(right - 1, -1, -1), scores))[::-1]
            start = right - len(run) - 1
            closed = start < 0 or parts[start] is not None
            if run and closed and len(run) == len(wanted):
                found.update(zip(run, wanted, strict=True))
    return found


def _run(indexes: Iterable[int], keep: set[int]) -> Iterable[int]:
    """The leading indexes that are in ``keep``."""
    for i in indexes:
        if i not in keep:
            return
        yield i


def name_columns(
    parts: Sequence[str | None], kinds: dict[int, Kind], rules: Sequence[ExamRules]
) -> list[str | None]:
    """``parts`` with the unnamed columns of a known kind named; a part already held by
    another column is never given again, nor one two columns would share."""
    named: list[str | None] = list(parts)
    taken = {p for p in parts if p is not None}
    if taken & {cols.MALE_MARK, cols.FEMALE_MARK}:
        taken.add("sex")
    claims = Counter(kind for kind in kinds.values() if kind is not Kind.SCORE)
    for index, kind in kinds.items():
        if kind is Kind.SCORE or parts[index] is not None:
            continue
        if kind.value in taken or claims[kind] > 1:
            continue
        named[index] = kind.value
    scores = {i for i, k in kinds.items() if k is Kind.SCORE and parts[i] is None}
    if scores and rules:
        # non-score columns named just now close a run of scores as a title would
        choices = [_subjects_by_rule(named, scores, rule) for rule in rules]
        agreed = {
            i: subject
            for i, subject in choices[0].items()
            if all(choice.get(i) == subject for choice in choices[1:])
        }
        for index, subject in agreed.items():
            part = SCORE_PREFIX + subject
            if part not in taken:
                named[index] = part
                taken.add(part)
    return named
