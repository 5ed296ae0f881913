"""Decide, field by field, whether a row's reading can be accepted without a person looking.

Why not the engine's confidence alone: on our sheets 17% of the wrong cells still had a
confidence of 0.90 or more.  What does hold on every sheet is redundancy: the total is the
(weighted) sum of the scores plus the bonus, the result and ranking follow from the scores by the
year's rule, a birth date makes a plausible age, candidate numbers increase down the list, names
are made of known surnames and given names, and "Thị" marks a woman.  A wrong reading almost
never satisfies all of these at once, so they are what this module trusts.

How the evidence is combined (``TrustPolicy`` holds every number):

1. **A failed check always wins.**  A field that a check contradicts ("tổng không khớp", "tuổi
   không hợp lý", ...) or that its parser doubts goes to review whatever the engine said, and
   its reported confidence is cut to ``confidence × failed_check_factor``.
2. **Strong support lowers the bar.**  A field confirmed by a passing arithmetic identity
   (total = weighted sum + bonus, every term read) or by agreement with the rule on confirmed
   scores (result, ranking) gets ``c' = c + (1 − c) × support_weight``: a wrong value would need
   a second, exactly compensating error elsewhere in the row.  With the defaults a supported
   score is accepted from an engine confidence of 0.60 (c' ≥ 0.90).  Zero and "V" scores get no
   such support: they add 0 to the sum either way, so the identity cannot tell them apart.
3. **Weak checks keep the normal bar.**  Known name tokens, a plausible age, a candidate number
   following the previous one, sex agreeing with "Thị"/"Văn": c' = c, accepted at
   ``min_confidence``.
4. **No check at all raises the bar** to ``min_confidence_unchecked`` (a birthplace made of
   unknown words, the first candidate number of a page).
5. **A random sample** of the fields that end ``auto`` (``sample_rate``, 2% by default) is sent
   to review anyway, with the reason "kiểm tra ngẫu nhiên", so that precision is measured in
   production.  The draw is a hash of (``sample_key``, field name): reruns agree.

Repairs.  When the total does not match, the checks may fix one score: among the *doubtful*
cells (engine confidence below ``repair_below``, an engine runner-up at
``repair_rival_confidence`` or more, or doubted by the parser or by a range/step check), every
single-cell change drawn from the engine's alternative readings, the plausible digit confusions
(1↔7, 3↔8, 5↔6, 0↔8, 3↔5) and a lost ",5" is tried; for an unreadable cell the value the total
implies is tried too.  A change is a solution if the identity then holds and the result and
ranking read on the sheet agree with the rule.  The confident cells are never changed, but an
engine alternative of one that balances the row as well makes the repair ambiguous.  Only when
exactly one solution exists, and the total is itself well read (``repair_anchor_confidence``),
is it applied; the value before the repair is kept in ``FieldResult.ocr_value`` and the reason
says what was changed ("đã sửa theo tổng điểm: 7 → 1").

The repaired field is accepted automatically only if the engine's own alternatives proposed the
new value *and* every other term of the identity was read above ``min_confidence``: then two
independent sources agree and the rest of the row is sound.  Even so the repair used up the
identity's redundancy (it was spent on finding the value), so the other terms get no arithmetic
boost and are judged by ``min_confidence`` alone.  A repair built from the confusion table alone
(or the value an unreadable cell must have) is a guess, not evidence: with a confident misreading
elsewhere in the row (the 17%), the confusion table often offers a compensating "fix" for an
innocent doubtful cell.  So such a repair is pre-filled for the reviewer, and the whole identity
(scores, total, bonus, result, ranking) stays ``needs_review``.

An identity that holds confirms its terms only when it is *sound*: no term below
``supported_floor`` or doubted by its parser (a coordinated misreading, e.g. ",5" lost in a score
and in the total alike, balances too), and no pair of the engine's alternative readings that
would balance as well.  Otherwise the terms are merely "checked" (normal threshold).

Names.  A name whose syllables the statistics doubt ("dấu dễ đọc nhầm", "tên không có trong
thống kê") stays in review, but its value may be respelled for the reviewer when another spelling
of a doubted syllable is far likelier at its position given the engine's own alternatives
(``ocr.name_spelling``; "dấu dễ đọc nhầm: Định → Đinh"); the reading is kept in ``ocr_value``
and the rest of the row is judged on the name as read.

Rules come only from ``records.exam_rules``; no year is named in this module.  Without a rule
for (year, level) every field that needs it (scores, total, bonus, result, ranking) goes to
review with "không rõ quy chế năm thi".
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import IntEnum
from functools import cache

from ocr.model import Box, FieldResult, RowResult
from ocr.name_spelling import respell
from ocr.parsing import (
    Parsed,
    ParsedDate,
    ParsedNumber,
    canonical_number,
    clean_name,
    clean_text,
    display_number,
    display_value,
    match_ranking,
    parse_bonus,
    parse_candidate_number,
    parse_date,
    parse_ranking,
    parse_result,
    parse_row_number,
    parse_score,
    parse_sex,
    parse_total,
    split_candidate_number,
    total_with_lost_separators,
)
from records.exam_rules import ExamRules, rules_allowed, rules_for
from records.reference_data import (
    HISTORICAL_PLACES,
    NamePeriod,
    brvt_units,
    name_statistics,
    provinces_2004_2021,
    short_place_name,
)
from records.vntext import casefold_vi, folded_key, tone_key
from records.vocabulary import FIELDS_BY_NAME, SCORE_PREFIX, ExamResult, FieldStatus, Level, Sex

# Reasons a reviewer reads (Vietnamese, short).
LOW_CONFIDENCE = "độ tin cậy thấp"
TOTAL_MISMATCH = "tổng không khớp"
TOTAL_UNCHECKED = "không kiểm tra được tổng"
OUT_OF_SCALE = "điểm ngoài thang"
OFF_STEP = "không đúng bước điểm"
SUBJECT_NOT_IN_RULE = "môn không có trong quy chế năm thi"
RESULT_MISMATCH = "kết quả không khớp quy chế"
RESULT_UNCHECKED = "không kiểm tra được kết quả"
RANKING_MISMATCH = "xếp loại không khớp quy chế"
RANKING_UNKNOWN = "xếp loại không rõ"
RANKING_CASE = "xếp loại viết hoa không đúng"
RANKING_STRAY_MARK = "xếp loại có dấu lạ ở đầu hay cuối"
RANKING_MARKS = "xếp loại sai dấu"
BONUS_MISMATCH = "điểm cộng không khớp"
BONUS_OUT_OF_RANGE = "điểm cộng ngoài mức quy chế"
NO_RULE = "không rõ quy chế năm thi"
NO_EXAM_YEAR = "không rõ năm thi"
IMPLAUSIBLE_AGE = "tuổi không hợp lý"
CANDIDATE_SEQUENCE = "số báo danh không liên tiếp"
ROW_SEQUENCE = "số thứ tự không liên tiếp"
NAME_UNKNOWN = "tên không có trong thống kê"
NAME_TOO_SHORT = "họ tên không đủ"
NAME_CAPITALS = "tên viết hoa không đều"
PLACE_UNKNOWN = "nơi sinh có từ lạ"
PLACE_NOT_LISTED = "nơi sinh không có trong danh mục"
PLACE_CAPITALS = "nơi sinh viết hoa không đều"
PLACE_STRAY_MARK = "nơi sinh có dấu lạ ở đầu hay cuối"
_STRAY_MARKS = frozenset("-–—,/_'`")
DIACRITIC_DOUBT = "dấu dễ đọc nhầm"
RIVAL_READING = "có cách đọc khác"
SEX_MIDDLE_MISMATCH = "giới tính không khớp tên đệm"
SEX_GIVEN_MISMATCH = "giới tính không khớp tên"
REPAIRED_FROM_TOTAL = "đã sửa theo tổng điểm"
TOTAL_FROM_SCORES = "đã sửa tổng theo các điểm"
INFERRED_FROM_TOTAL = "đã suy ra từ tổng điểm"
SAMPLED = "kiểm tra ngẫu nhiên"

# Fields that identify the person, checked for a row-sequence break (a row split or merged).
_IDENTITY_FIELDS = ("candidate_number", "full_name", "birth_date", "birthplace", "sex")


def _default_age_ranges() -> dict[str, tuple[int, int]]:
    return {
        Level.PTCS.value: (13, 25),
        Level.THCS.value: (13, 25),
        Level.PTTH.value: (16, 30),
        Level.THPT.value: (16, 30),
        Level.BTVH.value: (16, 60),
    }


@dataclass(frozen=True)
class TrustPolicy:
    """Every threshold of the trust decision; defaults are starting points to be calibrated on
    the random review sample (see the module docstring for how they combine).

    - ``min_confidence`` 0.90: what a field needs when its checks passed but none confirms the
      value itself (names, dates, candidate numbers).  The engine's own scale; below it errors
      are frequent.
    - ``min_confidence_unchecked`` 0.95: for a field no check covers at all.  Higher because
      nothing else will catch a confident misreading (the 17%).
    - ``support_weight`` 0.75: share of the remaining doubt an arithmetic identity or rule
      agreement removes.  Chosen so that a supported score passes from 0.60: below that the
      engine is close to guessing, and a guessed digit that happens to balance the total is the
      residual risk we accept.
    - ``failed_check_factor`` 0.25: confidence reported for a field a check contradicts.
    - ``repair_below`` 0.90: cells read below this are doubtful and may be repaired; confident
      cells are never changed (they are flagged instead).
    - ``repair_anchor_confidence`` 0.90: the total must be read at least this well to repair a
      score from it.
    - ``repair_rival_confidence`` 0.25: a cell read above ``repair_below`` is still doubtful
      (may be repaired) when the engine rates another reading of it at least this high.
    - ``repair_confusions``: digit pairs a print or a photocopy turns into each other.
    - ``repair_lost_half``: a ",5" may be lost (7,5 read 7).
    - ``alternative_min_confidence`` 0.05: engine alternatives below this are noise.
    - ``age_ranges``: plausible age at the exam per level code (exam year − birth year).
    - ``candidate_number_max_gap`` 20: a larger jump in candidate numbers is as suspect as a
      decrease (a misread digit makes one jump and one fall).
    - ``given_name_sex_min_count`` / ``given_name_sex_max_share``: a given name counted at least
      this often, whose other sex holds at most this share, marks the sex.
    - ``scores_need_total`` True: scores that no total can confirm (a sheet without a total
      column, an unreadable total) go to review rather than being judged on confidence alone.
    - ``unknown_place_word_fails`` True: a birthplace word that is neither in a known place name
      nor a known name syllable sends the birthplace to review (else it is merely unchecked).
    - ``sample_rate`` 0.02: share of ``auto`` fields sent to review to measure precision.
    """

    min_confidence: float = 0.90
    min_confidence_unchecked: float = 0.95
    support_weight: float = 0.75
    failed_check_factor: float = 0.25
    repair_below: float = 0.90
    repair_anchor_confidence: float = 0.90
    repair_rival_confidence: float = 0.25
    repair_confusions: tuple[tuple[str, str], ...] = (
        ("1", "7"),
        ("3", "8"),
        ("5", "6"),
        ("0", "8"),
        ("3", "5"),
    )
    repair_lost_half: bool = True
    alternative_min_confidence: float = 0.05
    age_ranges: Mapping[str, tuple[int, int]] = field(default_factory=_default_age_ranges)
    candidate_number_max_gap: int = 20
    given_name_sex_min_count: int = 100
    given_name_sex_max_share: float = 0.02
    scores_need_total: bool = True
    unknown_place_word_fails: bool = True
    sample_rate: float = 0.02
    # A name syllable must be at least this share of the syllables spelled alike but for
    # their marks (Khôi/Khối/Khởi) to be trusted without a person.
    diacritic_dominance: float = 0.75
    # An alternative reading at least this confident keeps an unconfirmed field for a person.
    rival_confidence: float = 0.05
    # A doubted name syllable is respelled (for the reviewer; the name stays in review) when
    # another spelling with the same letters is at least this many times likelier: its frequency
    # at that position over the read one's (the smaller ratio of the two name tables) times what
    # the engine says of it (``ocr.name_spelling``).  On the 60 generated pages no respelling at
    # 10 or more was wrong; at 5 a real surname "Vù" became "Vũ" and a given name "Đinh" "Định"
    # (the engine had offered those, at 0.27 and 0.80).
    name_spelling_min_odds: float = 10.0
    # How likely the engine misread a mark *without* offering the right spelling among its
    # alternatives, relative to reading it right.  With the odds above, a spelling the engine
    # did not propose must be 100 times as frequent as the read one at that position in both
    # tables.  On the generated pages the first wrong respelling appears at 0.2 (a real surname
    # "Lồ" made "Lò", 56 times as frequent); 0.1 keeps a factor of 2 from it.
    name_spelling_unseen_likelihood: float = 0.1

    def __post_init__(self) -> None:
        for name in (
            "min_confidence",
            "min_confidence_unchecked",
            "support_weight",
            "failed_check_factor",
            "repair_below",
            "repair_anchor_confidence",
            "repair_rival_confidence",
            "alternative_min_confidence",
            "given_name_sex_max_share",
            "sample_rate",
            "name_spelling_unseen_likelihood",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"TrustPolicy.{name} must be within 0..1, not {value}")
        for level, (low, high) in self.age_ranges.items():
            if low > high:
                raise ValueError(f"TrustPolicy.age_ranges[{level}]: {low} > {high}")

    @property
    def supported_floor(self) -> float:
        """The lowest engine confidence at which a strongly supported field is accepted."""
        if self.support_weight >= 1.0:
            return 0.0
        return max(0.0, (self.min_confidence - self.support_weight) / (1 - self.support_weight))

    def age_range(self, level: Level | str | None) -> tuple[int, int]:
        """The plausible ages for ``level``; the widest configured when the level is unknown."""
        if level is not None and str(level) in self.age_ranges:
            return self.age_ranges[str(level)]
        ranges = list(self.age_ranges.values()) or [(0, 200)]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)


DEFAULT_POLICY = TrustPolicy()


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
# Sampling


def sampled_for_review(sample_key: str, field_name: str, rate: float) -> bool:
    """Whether the random precision sample takes this field: a pure function of the key, so a
    rerun of the same page samples the same fields.  ``sample_key`` must identify the row
    (scan file, page, row), or every row would sample the same columns."""
    if rate <= 0.0:
        return False
    digest = hashlib.sha256(f"{sample_key}\x1f{field_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < rate


# ---------------------------------------------------------------------------------------------
# Per-field state while the checks run


class _Support(IntEnum):
    NONE = 0  # no check covers the value
    CHECKED = 1  # checks that could fail passed
    STRONG = 2  # an identity or the rule confirms the value


@dataclass
class _Field:
    name: str
    reading: Reading
    parsed: Parsed
    value: str | None
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    support: _Support = _Support.NONE
    ocr_value: str | None = None  # set when a check changed the value
    confidence: float | None = None  # set by a repair
    auto_allowed: bool = True

    @property
    def engine(self) -> float:
        return self.reading.confidence

    def fail(self, reason: str) -> None:
        if reason not in self.failures:
            self.failures.append(reason)

    def supported(self, level: _Support) -> None:
        self.support = max(self.support, level)


def _parse(name: str, text: str, exam_year: int | None, rule: ExamRules | None) -> Parsed:
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


def _rule(exam_year: int | None, level: Level | str | None) -> ExamRules | None:
    if exam_year is None or level is None:
        return None
    try:
        return rules_for(exam_year, level)
    except ValueError:  # ExamRulesError, or a level code that does not exist
        return None


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


# ---------------------------------------------------------------------------------------------
# Scores, total, bonus, result, ranking


_Scores = dict[str, Decimal | None]


@dataclass(frozen=True)
class _Solution:
    subject: str
    value: Decimal
    from_engine: bool  # the engine's alternatives proposed it


def _counts(f: _Field) -> bool:
    """Whether a term's value moves the sum: "V" and 0 scores add nothing, so the identity
    cannot tell them apart and gives them no support."""
    if not f.name.startswith(SCORE_PREFIX):
        return True
    return f.value is not None and f.value != "V" and Decimal(f.value) != 0


class _Numbers:
    """The arithmetic of one row under one rule."""

    def __init__(self, fields: dict[str, _Field], rule: ExamRules, policy: TrustPolicy) -> None:
        self.rule = rule
        self.policy = policy
        self.scores = {
            n[len(SCORE_PREFIX) :]: f for n, f in fields.items() if n.startswith(SCORE_PREFIX)
        }
        self.total = fields.get("total")
        self.bonus = fields.get("bonus")
        self.result = fields.get("result")
        self.ranking = fields.get("ranking")

    # --- terms --------------------------------------------------------------------------------

    @staticmethod
    def _number(f: _Field) -> ParsedNumber:
        parsed = f.parsed
        if isinstance(parsed, ParsedNumber):
            return parsed
        return ParsedNumber(parsed.value, parsed.reason, parsed.repaired, parsed.blank)

    def current_scores(self) -> _Scores | None:
        """The rule's subjects as read (None = absent); None if a subject is missing or
        unreadable."""
        out: _Scores = {}
        for subject in self.rule.subjects:
            f = self.scores.get(subject)
            if f is None or f.value is None:
                return None
            out[subject] = None if f.value == "V" else Decimal(f.value)
        return out

    def effective_bonus(self) -> Decimal | None:
        """The bonus the identity uses: written in the total ("47 + 3,5"), else the bonus
        column (blank = 0), else 0.  None when the bonus column cannot be read."""
        written = self._number(self.total).bonus if self.total is not None else None
        if self.bonus is None:
            return written if written is not None else Decimal(0)
        parsed = self._number(self.bonus)
        if parsed.value is None and not parsed.blank:
            return None
        column = parsed.number if parsed.number is not None else Decimal(0)
        if written is not None and (parsed.blank or column == written):
            return written
        return column

    def holds(self, scores: _Scores, bonus: Decimal, total: ParsedNumber | None = None) -> bool:
        """total = weighted sum + bonus (and, for "47 + 3,5", sum = 47).  ``total`` replaces
        the total as read (to try an alternative reading)."""
        if total is None:
            if self.total is None:
                return False
            total = self._number(self.total)
        if all(scores.get(s) is None for s in self.rule.subjects):
            return total.blank or total.absent
        if total.number is None:
            return False
        if total.base is not None and self.rule.weighted_sum(scores) != total.base:
            return False
        return self.rule.total(scores, bonus) == total.number

    def result_agrees(self, scores: _Scores, bonus: Decimal) -> bool | None:
        """Whether the result read agrees with the rule; None when there is nothing to compare."""
        if self.result is None or self.result.value is None:
            return None
        passed = self.rule.passes(scores, bonus)
        return (self.result.value == ExamResult.PASSED.value) == passed

    def ranking_agrees(self, scores: _Scores, bonus: Decimal) -> bool | None:
        """Whether the ranking read agrees with the rule; None when there is nothing to compare
        (no column, or a word that is none of the rule's)."""
        if self.ranking is None:
            return None
        parsed = self.ranking.parsed
        expected = self.rule.ranking(scores, bonus)
        if parsed.value is None:
            return expected is None
        word = match_ranking(parsed.value, (r.word for r in self.rule.rankings))
        if word is None:
            return None
        return word == expected

    def _marks_as_printed(self, value: str) -> bool:
        """A ranking written as a word has the rule word's marks ("Khá", not "Kha"); initials
        ("TB", "K") have none to lose."""
        words = [w for w in value.replace(".", " ").split() if w]
        if all(len(w) <= 2 and w.isascii() for w in words):
            return True
        folded = casefold_vi(" ".join(words))
        return any(casefold_vi(r.word) == folded for r in self.rule.rankings)

    # --- checks -------------------------------------------------------------------------------

    def check_cells(self) -> None:
        """Range and step of every score; bonus column against the bonus in the total."""
        if self.bonus is not None and self.rule.bonus_values:
            number = self._number(self.bonus).number
            if number is not None and not 0 <= number <= max(self.rule.bonus_values):
                self.bonus.fail(BONUS_OUT_OF_RANGE)
        if self.total is not None and self.rule.bonus_values:
            written = self._number(self.total).bonus
            if written is not None and not 0 <= written <= max(self.rule.bonus_values):
                self.total.fail(BONUS_OUT_OF_RANGE)
        for subject, f in self.scores.items():
            if subject not in self.rule.subjects:
                f.fail(SUBJECT_NOT_IN_RULE)
                continue
            number = self._number(f).number
            if number is None:
                continue
            if not Decimal(0) <= number <= self.rule.max_score:
                f.fail(OUT_OF_SCALE)
            elif number % self.rule.score_step != 0:
                f.fail(OFF_STEP)
        if self.total is not None and self.bonus is not None:
            written = self._number(self.total).bonus
            column = self._number(self.bonus)
            if (
                written is not None
                and column.number is not None
                and not column.blank
                and column.number != written
            ):
                self.bonus.fail(BONUS_MISMATCH)
                self.total.fail(BONUS_MISMATCH)

    def _doubtful(self, f: _Field) -> bool:
        """A cell read below ``repair_below``, doubted by a check, or whose runner-up the
        engine itself rates at ``repair_rival_confidence`` or more (a typewriter's 7 read as
        1 at 0.99 with 7 at 0.8: the character's confidence hides a close call)."""
        runner_up = max((a.confidence for a in f.reading.alternatives), default=0.0)
        return (
            f.engine < self.policy.repair_below
            or bool(f.failures)
            or runner_up >= self.policy.repair_rival_confidence
        )

    def _score_candidates(self, subject: str, f: _Field) -> list[tuple[Decimal, bool]]:
        """(value, proposed by the engine) for one doubtful cell."""
        out: list[tuple[Decimal, bool]] = []
        for alt in f.reading.alternatives:
            if alt.confidence < self.policy.alternative_min_confidence:
                continue
            parsed = parse_score(alt.text, self.rule.score_step, self.rule.max_score)
            if parsed.number is not None and parsed.reason is None:
                out.append((parsed.number, True))
        current = self._number(f).number if f.value is not None else None
        if current is not None:
            text = canonical_number(current)
            for i, ch in enumerate(text):
                for a, b in self.policy.repair_confusions:
                    other = b if ch == a else a if ch == b else None
                    if other is not None:
                        out.append((Decimal(text[:i] + other + text[i + 1 :]), False))
            if self.policy.repair_lost_half and current % 1 == 0:
                out.append((current + Decimal("0.5"), False))
        return [
            (v, engine)
            for v, engine in out
            if self.rule.on_step(v) and (current is None or v != current)
        ]

    def _solved(self, subject: str, scores: _Scores, bonus: Decimal) -> Decimal | None:
        """The value of ``subject`` that makes the identity hold, if the total allows one."""
        total = self._number(self.total).number if self.total is not None else None
        if total is None:
            return None
        rest = {s: v for s, v in scores.items() if s != subject}
        missing = total - bonus - self.rule.weighted_sum(rest)
        value = missing / self.rule.coefficient(subject)
        return value if self.rule.on_step(value) else None

    def _consistent(self, scores: _Scores, bonus: Decimal) -> bool:
        return (
            self.holds(scores, bonus)
            and self.result_agrees(scores, bonus) is not False
            and self.ranking_agrees(scores, bonus) is not False
        )

    def find_repair(self, bonus: Decimal) -> _Solution | None:
        """The single-cell change that makes the row consistent, if exactly one exists."""
        if (
            self.total is None
            or self.total.engine < self.policy.repair_anchor_confidence
            or self.total.failures
            or self.total.ocr_value is not None  # itself reinterpreted: no anchor
            or self._number(self.total).number is None
            or (self.bonus is not None and self.bonus.failures)
        ):
            return None
        if any(s not in self.scores for s in self.rule.subjects):
            return None
        base: _Scores = {}
        unreadable: list[str] = []
        for subject in self.rule.subjects:
            f = self.scores[subject]
            if f.value is None:
                unreadable.append(subject)
                base[subject] = Decimal(0)
            else:
                base[subject] = None if f.value == "V" else Decimal(f.value)
        if len(unreadable) > 1:
            return None
        solutions: dict[tuple[str, Decimal], bool] = {}
        for subject in self.rule.subjects:
            f = self.scores[subject]
            if unreadable and subject not in unreadable:
                continue  # with an unreadable cell only that cell can change
            if not self._doubtful(f):
                # A confident cell is never changed, but if one of the engine's own other
                # readings of it balances the row too, a repair elsewhere is not the only way.
                others = [v for v, engine in self._score_candidates(subject, f) if engine]
                if any(self._consistent({**base, subject: v}, bonus) for v in others):
                    return None
                continue
            candidates = self._score_candidates(subject, f)
            if f.value is None:
                solved = self._solved(subject, base, bonus)
                if solved is not None:
                    candidates.append((solved, False))
            for value, from_engine in candidates:
                trial = {**base, subject: value}
                if self._consistent(trial, bonus):
                    key = (subject, value)
                    solutions[key] = solutions.get(key, False) or from_engine
        if len(solutions) != 1:
            return None
        (subject, value), from_engine = next(iter(solutions.items()))
        return _Solution(subject, value, from_engine)

    def repair_total(self, scores: _Scores, bonus: Decimal) -> bool:
        """The total, when it is the doubtful term: every score (and the bonus) read well and
        undoubted, and exactly one of the engine's own other readings of the total balancing
        them (54,5 read 14,5 with 54,5 as the runner-up).  Two sources agree then, as for a
        score repaired from the engine's alternatives; the scores, whose sum was spent on
        choosing the total, are judged by their confidence alone.  Returns whether it did."""
        total = self.total
        if total is None or not self._doubtful(total) or total.ocr_value is not None:
            return False
        others = [*self.scores.values(), *([self.bonus] if self.bonus is not None else [])]
        if any(f.failures or f.engine < self.policy.min_confidence for f in others):
            return False
        if any(f.value is None for f in self.scores.values()):
            return False
        for subject in self.rule.subjects:  # a score's own alternative balancing: ambiguous
            f = self.scores[subject]
            if any(
                self._consistent({**scores, subject: v}, bonus)
                for v, engine in self._score_candidates(subject, f)
                if engine
            ):
                return False
        found: dict[Decimal, ParsedNumber] = {}
        for alternative in total.reading.alternatives:
            if alternative.confidence < self.policy.alternative_min_confidence:
                continue
            parsed = parse_total(alternative.text)
            if parsed.number is None or parsed.reason is not None or parsed.value == total.value:
                continue
            if (
                self.holds(scores, bonus, parsed)
                and self.result_agrees(scores, bonus) is not False
                and self.ranking_agrees(scores, bonus) is not False
            ):
                found[parsed.number] = parsed
        if len(found) != 1:
            return False
        number, parsed = next(iter(found.items()))
        before = total.value
        total.ocr_value, total.value, total.parsed = before, parsed.value, parsed
        change = f"{display_value(before)} → {display_number(number)}"
        total.notes.append(f"{TOTAL_FROM_SCORES}: {change}")
        total.confidence = min(f.engine for f in others)
        total.supported(_Support.CHECKED)
        for f in others:
            if _counts(f):
                f.supported(_Support.CHECKED)
        return True

    def _apply(self, solution: _Solution, bonus: Decimal) -> None:
        f = self.scores[solution.subject]
        before = f.value
        f.ocr_value = before if before is not None else f.reading.text.strip()
        f.value = canonical_number(solution.value)
        f.failures.clear()
        if before is None:
            f.notes.append(f"{INFERRED_FROM_TOTAL}: ? → {display_number(solution.value)}")
        else:
            f.notes.append(
                f"{REPAIRED_FROM_TOTAL}: {display_value(before)} → {display_number(solution.value)}"
            )
        others = [self.scores[s] for s in self.rule.subjects if s != solution.subject]
        anchors = [*others, *(x for x in (self.total, self.bonus) if x is not None)]
        weakest = min((a.engine for a in anchors), default=1.0)
        f.confidence = weakest if solution.from_engine else min(weakest, f.engine)
        f.auto_allowed = solution.from_engine and all(
            a.engine >= self.policy.min_confidence and not a.failures for a in anchors
        )
        f.supported(_Support.CHECKED)
        if not solution.from_engine:
            # A guess from the confusion table (or the value an unreadable cell must have) is
            # not evidence: it is shown to the reviewer, and the rest of the identity, which
            # was spent on finding it, stays unconfirmed.
            reason = TOTAL_UNCHECKED if before is None else TOTAL_MISMATCH
            for a in [*anchors, *(x for x in (self.result, self.ranking) if x is not None)]:
                a.fail(reason)
            return
        for a in anchors:
            if _counts(a):
                a.supported(_Support.CHECKED)

    def restore_total_separator(self) -> None:
        """A total above anything the rule allows was read without its decimal separator
        ("420+2,0" for "42,0+2,0"): taken with the separator back, noted, not doubted, like a
        score's lost comma (the sum still has to confirm it)."""
        if self.total is None or self.total.failures:
            return
        number = self._number(self.total).number
        ceiling = self.rule.max_score * self.rule.coefficient_sum + max(
            self.rule.bonus_values, default=Decimal(0)
        )
        if number is None or number <= ceiling:
            return
        restored = total_with_lost_separators(self.total.reading.text, ceiling)
        if restored is None:
            return
        self.total.ocr_value = self.total.value
        self.total.parsed = restored
        self.total.value = restored.value
        self.total.notes.append(restored.reason or "")

    def restore_bonus_separator(self) -> None:
        """A bonus above the rule's highest that is one of the rule's bonus values with its
        comma back ("15" for "1,5") lost its comma: taken as such, noted, not doubted (the sum
        still has to confirm it)."""
        if self.bonus is None or self.bonus.failures or not self.rule.bonus_values:
            return
        parsed = self._number(self.bonus)
        digits = _squeeze_digits(self.bonus.reading.text)
        if (
            parsed.number is None
            or parsed.number <= max(self.rule.bonus_values)
            or len(digits) < 2
            or digits != self.bonus.reading.text.strip().lstrip("+")
        ):
            return
        shifted = Decimal(f"{digits[:-1]}.{digits[-1]}")
        if shifted not in self.rule.bonus_values:
            return
        self.bonus.ocr_value = self.bonus.value
        self.bonus.value = canonical_number(shifted)
        self.bonus.parsed = ParsedNumber(self.bonus.value, number=shifted)
        self.bonus.notes.append(f"{LOST_COMMA_PREFIX} {digits} → {display_number(shifted)}")

    def run(self) -> None:
        self.restore_total_separator()
        self.restore_bonus_separator()
        self.check_cells()
        terms = [*self.scores.values(), *(x for x in (self.total, self.bonus) if x is not None)]
        dependents = [x for x in (self.result, self.ranking) if x is not None]
        bonus = self.effective_bonus()

        if self.total is None:  # no total column: nothing confirms the scores
            scores = self.current_scores()
            if self.policy.scores_need_total:
                for f in self.scores.values():
                    f.fail(TOTAL_UNCHECKED)
            self._judge_dependents(scores, bonus, _Support.CHECKED)
            return

        scores = self.current_scores()
        repaired = False
        if scores is None or bonus is None or not self.holds(scores, bonus):
            solution = self.find_repair(bonus) if bonus is not None else None
            if solution is not None:
                self._apply(solution, bonus or Decimal(0))
                repaired = True
                scores = self.current_scores()
            elif scores is not None and bonus is not None:
                repaired = self.repair_total(scores, bonus)
        if scores is None or bonus is None:
            for f in terms:
                f.fail(TOTAL_UNCHECKED)
            for f in dependents:
                f.fail(RESULT_UNCHECKED)
            return
        if not self.holds(scores, bonus):
            for f in terms:
                f.fail(TOTAL_MISMATCH)
            for f in dependents:
                f.fail(TOTAL_MISMATCH)
            return
        if repaired:
            self._judge_dependents(scores, bonus, _Support.CHECKED)
            return
        # The identity holds.  It confirms the values only if no term is so doubtful that a
        # coordinated misreading (",5" lost in a score and in the total alike) is likely, and if
        # the engine's alternatives do not offer a second consistent reading.
        sound = (
            min(f.engine for f in terms) >= self.policy.supported_floor
            and not any(f.failures for f in terms)
            and not self._alternatives_also_hold(scores, bonus)
        )
        support = _Support.STRONG if sound else _Support.CHECKED
        for f in terms:
            if not _counts(f):
                continue  # "V" and 0 add nothing: the identity cannot tell them apart
            f.supported(support)
        self._judge_dependents(scores, bonus, support)

    def _alternatives_also_hold(self, scores: _Scores, bonus: Decimal) -> bool:
        """Whether replacing two terms by engine alternatives also satisfies the identity, or
        the total alone when the sheet may hide its bonus in the total."""
        if self._bonus_may_be_hidden() and self.total is not None:
            hidden = [b for b in self.rule.bonus_values if b > 0]
            for number in self._alternative_numbers(self.total, score=False):
                if any(self.rule.total(scores, b) == number for b in hidden):
                    return True
        options: list[tuple[str, Decimal]] = []  # (term, alternative number)
        for subject in self.rule.subjects:
            for number in self._alternative_numbers(self.scores[subject], score=True):
                options.append((subject, number))
        if self.total is not None:
            for number in self._alternative_numbers(self.total, score=False):
                options.append(("total", number))
        for (a, x), (b, y) in itertools.combinations(options, 2):
            if a == b:
                continue
            trial = dict(scores)
            total = self._number(self.total) if self.total is not None else None
            for term, number in ((a, x), (b, y)):
                if term == "total":
                    total = ParsedNumber(canonical_number(number), number=number)
                else:
                    trial[term] = number
            if self.holds(trial, bonus, total):
                return True
        return False

    def _bonus_may_be_hidden(self) -> bool:
        """No bonus column and none written in the total: a sheet may still have added the
        bonus into the total unseen (sum 42, total 43 with 1 point of bonus), so a total read
        equal to the sum whose engine alternative is the sum plus one of the rule's bonus
        values is no confirmation (43 read 42 at 0.99 with 43 at 0.67 balanced a sum of 42)."""
        written = self._number(self.total).bonus if self.total is not None else None
        return self.bonus is None and written is None

    def _alternative_numbers(self, f: _Field, *, score: bool) -> list[Decimal]:
        out: list[Decimal] = []
        for alt in f.reading.alternatives:
            if alt.confidence < self.policy.alternative_min_confidence:
                continue
            if score:
                parsed = parse_score(alt.text, self.rule.score_step, self.rule.max_score)
            else:
                parsed = parse_total(alt.text)
            if parsed.number is not None and parsed.reason is None and parsed.value != f.value:
                out.append(parsed.number)
        return out

    def _judge_dependents(
        self, scores: _Scores | None, bonus: Decimal | None, support: _Support
    ) -> None:
        if scores is None or bonus is None:
            for f in (self.result, self.ranking):
                if f is not None:
                    f.fail(RESULT_UNCHECKED)
            return
        agrees = self.result_agrees(scores, bonus)
        if self.result is not None and agrees is not None:
            if agrees:
                self.result.supported(support)
            else:
                self.result.fail(RESULT_MISMATCH)
        if self.ranking is not None:
            ranking_ok = self.ranking_agrees(scores, bonus)
            if ranking_ok is None:
                self.ranking.fail(RANKING_UNKNOWN)
            elif ranking_ok and not _printed_case(self.ranking.value or ""):
                self.ranking.fail(RANKING_CASE)
            elif ranking_ok and _stray_mark_at_edge(self.ranking.value or ""):
                # "—TB" names the rule's ranking, but the value kept is what was read: a
                # speck or a rule read as a dash is not what the sheet says
                self.ranking.fail(RANKING_STRAY_MARK)
            elif ranking_ok and not self._marks_as_printed(self.ranking.value or ""):
                # "Trung binh" names "Trung bình" folded, but what is kept is what was read
                self.ranking.fail(RANKING_MARKS)
            elif ranking_ok:
                self.ranking.supported(support)
            else:
                self.ranking.fail(RANKING_MISMATCH)


def _stray_mark_at_edge(text: str) -> bool:
    text = text.strip()
    return bool(text) and (text[0] in _STRAY_MARKS or text[-1] in _STRAY_MARKS)


def _printed_case(word: str) -> bool:
    """Whether a ranking has the capitals sheets print: initials in capitals ("TB", "K"),
    words with a capital first ("Khá", "Trung bình") or all in capitals.  A lower-case "g" or
    a "Tb" is a misread letter, though it names the same ranking."""
    letters = [w for w in word.replace(".", " ").split() if w]
    if not letters or word == word.upper():
        return True
    if len(letters) == 1 and len(letters[0]) <= 2:
        return False  # initials that are not all capitals
    return letters[0][:1].isupper() and all(w[1:] == w[1:].lower() for w in letters)


# ---------------------------------------------------------------------------------------------
# Names, sex, dates, places, sequences


@cache
def _name_tokens() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(surnames, middle tokens, given names) of both name periods, as tone keys."""
    surnames: set[str] = set()
    middles: set[str] = set()
    given: set[str] = set()
    for period in NamePeriod:
        stats = name_statistics(period)
        surnames.update(tone_key(s) for s in stats.surnames)
        given.update(tone_key(g) for g in stats.given)
        middles.update(tone_key(t) for part in stats.middles for t in part.split())
    return frozenset(surnames), frozenset(middles), frozenset(given)


@cache
def _given_name_sex_counts() -> dict[str, tuple[int, int]]:
    """Given name (tone key) -> (men, women) in the largest table."""
    stats = name_statistics(NamePeriod.ALL_2016_2017)
    return {tone_key(g): (c.male, c.female) for g, c in stats.given.items()}


_PLACE_WORDS = (
    "xã",
    "huyện",
    "tỉnh",
    "thị",
    "trấn",
    "thành",
    "phố",
    "tp",
    "tx",
    "tt",
    "đặc",
    "khu",
)


@cache
def _place_tokens() -> frozenset[str]:
    names: list[str] = [p.name for p in HISTORICAL_PLACES]
    names += [n for unit in brvt_units() for n in unit.names]
    names += [n for line in provinces_2004_2021() for n in line]
    tokens = {tone_key(t) for n in names for t in n.replace("-", " ").replace("–", " ").split()}
    return frozenset(tokens | {tone_key(w) for w in _PLACE_WORDS})


@cache
def _any_name_token() -> frozenset[str]:
    """Every name syllable, whatever its place in a name (tone keys)."""
    surnames, middles, given = _name_tokens()
    return surnames | middles | given


@cache
def _birthplace_words() -> frozenset[str]:
    """Words a birthplace may hold: place-name words and name syllables (tone keys)."""
    return _place_tokens() | _any_name_token()


def _uniform_capitals(tokens: list[str]) -> bool:
    """Every token Title-case ("Nguyễn") or every token upper-case ("NGUYỄN"): sheets write
    names one way or the other, and a lower-case token is a misreading ("Đinh Thị xanh")."""
    title = all(t[:1].isupper() and t[1:] == t[1:].lower() for t in tokens)
    return title or all(t == t.upper() for t in tokens)


def _expected_sex_from_middle(tokens: list[str]) -> Sex | None:
    middle = {tone_key(t) for t in tokens[1:-1]}
    female, male = tone_key("Thị") in middle, tone_key("Văn") in middle
    if female and not male:
        return Sex.FEMALE
    if male and not female:
        return Sex.MALE
    return None


def _given_name_sex(token: str, policy: TrustPolicy) -> Sex | None:
    counts = _given_name_sex_counts().get(tone_key(token))
    if counts is None:
        return None
    men, women = counts
    known = men + women
    if known < policy.given_name_sex_min_count:
        return None
    if women / known <= policy.given_name_sex_max_share:
        return Sex.MALE
    if men / known <= policy.given_name_sex_max_share:
        return Sex.FEMALE
    return None


def _unknown_name_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens of a name that the name statistics do not know in their place (surname
    first, given name last, middle parts anywhere in between)."""
    surnames, _, given = _name_tokens()
    return [
        t
        for i, t in enumerate(tokens)
        if not (
            (i == 0 and tone_key(t) in surnames)
            or (i == len(tokens) - 1 and tone_key(t) in given)
            or (0 < i < len(tokens) - 1 and tone_key(t) in _any_name_token())
        )
    ]


def _respell_name(
    name: _Field, tokens: list[str], listed: Sequence[str], doubted: set[str], policy: TrustPolicy
) -> str:
    """Respell the doubted tokens whose marks another spelling explains far better
    (``ocr.name_spelling``), keeping the engine's reading in ``ocr_value``; returns the listed
    tokens for the reason, with every change shown as "Định → Đinh".  Only a name that already
    failed its check comes here, so a respelled name is never trusted: a person confirms it."""
    indexes = {i for i, t in enumerate(tokens) if t in doubted}
    alternatives = [
        (parsed, a.confidence)
        for a in name.reading.alternatives
        if a.confidence >= policy.alternative_min_confidence
        and (parsed := clean_name(a.text).value) is not None
    ]
    changes = {
        c.index: c.corrected
        for c in respell(
            tokens,
            indexes,
            alternatives,
            name.engine,
            min_odds=policy.name_spelling_min_odds,
            unseen_likelihood=policy.name_spelling_unseen_likelihood,
        )
    }
    if not changes:
        return " ".join(listed)
    name.ocr_value = name.value
    name.value = " ".join(changes.get(i, t) for i, t in enumerate(tokens))
    shown = [f"{t} → {changes[i]}" if i in changes else t for i, t in enumerate(tokens)]
    return ", ".join(s for i, s in enumerate(shown) if i in changes or tokens[i] in listed)


def _check_name_and_sex(fields: Mapping[str, _Field], policy: TrustPolicy) -> None:
    name, sex = fields.get("full_name"), fields.get("sex")
    tokens = name.value.split() if name is not None and name.value else []
    if name is not None and name.value:
        if len(tokens) < 2:
            name.fail(NAME_TOO_SHORT)
        elif not _uniform_capitals(tokens):
            name.fail(NAME_CAPITALS)
        else:
            unknown = _unknown_name_tokens(tokens)
            doubtful = diacritic_doubts(tokens, policy.diacritic_dominance)
            if unknown or doubtful:
                reason, listed = (NAME_UNKNOWN, unknown) if unknown else (DIACRITIC_DOUBT, doubtful)
                shown = _respell_name(name, tokens, listed, {*unknown, *doubtful}, policy)
                name.fail(f"{reason}: {shown}")
            else:
                name.supported(_Support.CHECKED)
    if sex is None or not sex.value or len(tokens) < 2:
        return
    # Sex has two values, and a name that passed its own checks and was read well is a second,
    # independent witness of it ("Thị", "Văn", a given name of one sex): agreement confirms the
    # reading as the sum confirms a score.  A name in doubt only checks it.
    sound_name = name is not None and not name.failures and name.engine >= policy.min_confidence
    agreement = _Support.STRONG if sound_name else _Support.CHECKED
    expected = _expected_sex_from_middle(tokens)
    if expected is not None:
        if expected.value != sex.value:
            sex.fail(SEX_MIDDLE_MISMATCH)
            if name is not None:
                name.fail(SEX_MIDDLE_MISMATCH)
            return
        sex.supported(agreement)
    by_given = _given_name_sex(tokens[-1], policy)
    if by_given is not None:
        if by_given.value != sex.value:
            sex.fail(SEX_GIVEN_MISMATCH)
            if name is not None:
                name.fail(SEX_GIVEN_MISMATCH)
        else:
            sex.supported(agreement)


def _check_date(
    f: _Field, exam_year: int | None, level: Level | str | None, policy: TrustPolicy
) -> None:
    parsed = f.parsed
    if not isinstance(parsed, ParsedDate) or parsed.year is None or f.value is None:
        return
    if exam_year is None:
        f.fail(NO_EXAM_YEAR)
        return
    low, high = policy.age_range(level)
    age = exam_year - parsed.year
    if not low <= age <= high:
        f.fail(f"{IMPLAUSIBLE_AGE}: {age}")
    else:
        f.supported(_Support.CHECKED)


def _check_birthplace(f: _Field, policy: TrustPolicy) -> None:
    """Every word of a birthplace should be a word of a known place name or at least a known
    name syllable (place names reuse them: "Phước", "Long", "Hòa"); a word that is neither is
    most often a misreading ("Tbuận")."""
    if not f.value:
        return
    words = f.value
    for ch in "-–,.()/":
        words = words.replace(ch, " ")
    known = _birthplace_words()
    unit_words = {tone_key(w) for w in _PLACE_WORDS}
    unknown = [
        t
        for t in words.split()
        if not t.isdigit()
        and (
            tone_key(t) not in known
            or (t[:1].islower() and tone_key(t) not in unit_words)  # "xà Rịa" for "Bà Rịa"
        )
    ]
    mixed = [t for t in words.split() if t[1:] != t[1:].lower() and t != t.upper()]
    named = [t for t in words.split() if not t.isdigit() and tone_key(t) not in unit_words]
    if not mixed and named and not _uniform_capitals(named):
        mixed = named  # "Đất ĐỎ": one word in capitals, the other not
    if mixed:
        # "Long HẢi": a capital inside a word is a misread mark or letter, never print
        f.fail(f"{PLACE_CAPITALS}: {' '.join(mixed)}")
    elif f.value.strip()[:1] in _STRAY_MARKS or f.value.strip()[-1:] in _STRAY_MARKS:
        # "Phước Tân -": a dash or comma at the edge is a speck or a rule read as a mark
        f.fail(PLACE_STRAY_MARK)
    elif unknown and policy.unknown_place_word_fails:
        f.fail(f"{PLACE_UNKNOWN}: {' '.join(unknown)}")
    elif not is_known_place(f.value):
        # Every word exists, yet the whole is no known place: a misread mark most often
        # ("Vũng Tâu", "Long Điện"), so a person looks.
        f.fail(PLACE_NOT_LISTED)
    else:
        f.supported(_Support.CHECKED)


def is_known_place(text: str) -> bool:
    """A known place, or a list of them ("Xã Phước Thuận, Xuyên Mộc")."""
    known = known_places()
    parts = [p for p in text.split(",") if p.strip()]
    return _place_key(text) in known or (bool(parts) and all(_place_key(p) in known for p in parts))


def _place_key(name: str) -> str:
    words = tone_key(name)
    for ch in "-–,.()/":
        words = words.replace(ch, " ")
    units = {tone_key(w) for w in _PLACE_WORDS}
    return " ".join(w for w in words.split() if w not in units)


@cache
def known_places() -> frozenset[str]:
    """Every place name of the reference lists, as a key without its unit word."""
    names: list[str] = [p.name for p in HISTORICAL_PLACES]
    names += [short_place_name(n) for unit in brvt_units() for n in unit.names]
    names += [short_place_name(n) for line in provinces_2004_2021() for n in line]
    return frozenset(_place_key(n) for n in names)


@cache
def _fold_groups() -> dict[str, dict[str, int]]:
    """Name syllables that differ only by their marks: folded key -> {tone key: count}."""
    groups: dict[str, dict[str, int]] = {}

    def add(token: str, count: int) -> None:
        group = groups.setdefault(folded_key(token), {})
        key = tone_key(token)
        group[key] = group.get(key, 0) + count

    for syllable, count in name_statistics(NamePeriod.ALL_2016_2017).syllables():
        add(syllable, count)
    return groups


def diacritic_doubts(tokens: Sequence[str], dominance: float) -> list[str]:
    """Tokens whose marks are a rare choice among syllables spelled alike ("Khối" where
    "Khôi" is far more common): the engine's commonest confusion, and invisible to a check
    against the name lists because both spellings are real names."""
    doubts = []
    for token in tokens:
        group = _fold_groups().get(folded_key(token))
        if not group or len(group) == 1:
            continue
        share = group.get(tone_key(token), 0) / sum(group.values())
        if share < dominance:
            doubts.append(token)
    return doubts


def _check_candidate_number(f: _Field, previous: str | Reading | None, policy: TrustPolicy) -> None:
    """The number must run on from the row above.  The row above is a witness only when it
    was itself read well: a doubtful neighbour agrees as easily with a misreading (a faint
    "B." lost from both "B.0774" and "B.0775"), so it confirms nothing and the number is
    judged as unchecked; a jump from it still fails."""
    if f.value is None or f.failures or previous is None:
        return
    witness = True
    if isinstance(previous, Reading):
        witness = previous.confidence >= policy.min_confidence
        previous = previous.text
    here = split_candidate_number(f.value)
    before = split_candidate_number("".join(previous.split()))
    if here is None or before is None:
        return
    same_prefix = casefold_vi(here[0]).rstrip(".-/") == casefold_vi(before[0]).rstrip(".-/")
    gap = here[1] - before[1]
    if not (same_prefix and 0 < gap <= policy.candidate_number_max_gap):
        f.fail(CANDIDATE_SEQUENCE)
    elif witness:
        f.supported(_Support.CHECKED)


def _check_row_sequence(
    fields: Mapping[str, _Field],
    printed: Reading | None,
    previous: int | None,
    policy: TrustPolicy,
) -> None:
    if printed is None or previous is None or printed.confidence < policy.min_confidence:
        return
    number = parse_row_number(printed.text)
    if number is None or number == previous + 1:
        return
    for name in _IDENTITY_FIELDS:
        if name in fields:
            fields[name].fail(ROW_SEQUENCE)


# ---------------------------------------------------------------------------------------------
# The row


LOST_COMMA_PREFIX = "thiếu dấu phẩy:"


def _only_lost_comma(reason: str) -> bool:
    return reason.startswith(LOST_COMMA_PREFIX) and ";" not in reason


def _squeeze_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit()) or "0"


_SAME_LETTER = str.maketrans({"Ð": "Đ", "ð": "đ"})  # the Icelandic eth the engine offers for Đ


@dataclass(frozen=True)
class _Context:
    """What judging a rival reading needs to know of the row's sheet."""

    exam_year: int | None
    level: Level | str | None
    rule: ExamRules | None


def _plausible(name: str, parsed: Parsed, context: _Context, policy: TrustPolicy) -> bool:
    """Whether another reading would itself pass the field's own checks: a rival the checks
    would reject (a birth year a century off, an unknown name syllable or a rare spelling of
    a common one, a place that is on no list) is no real alternative."""
    value = parsed.value
    if value is None or parsed.reason is not None:
        return False
    if name == "birth_date":
        if not isinstance(parsed, ParsedDate) or parsed.year is None:
            return False
        if context.exam_year is None:
            return True
        low, high = policy.age_range(context.level)
        return low <= context.exam_year - parsed.year <= high
    if name == "full_name":
        tokens = value.split()
        return (
            len(tokens) >= 2
            and _uniform_capitals(tokens)
            and not _unknown_name_tokens(tokens)
            and not diacritic_doubts(tokens, policy.diacritic_dominance)
        )
    if name == "birthplace":
        return is_known_place(value)
    return True


def _rival(f: _Field, context: _Context, policy: TrustPolicy) -> str | None:
    """Another reading the engine itself found plausible, for a field no sum confirms.

    Digits in dates and candidate numbers (0/9, 1/7, 3/8) are misread at high confidence; when
    the engine's runner-up for a character is not negligible *and* reads as a different value
    that would pass the field's own checks, a person decides.  An alternative that means the
    same ("6.5" for "6,5", "Ð" for "Đ") or that the checks would reject ("15-10-1889", "Nar")
    is no rival.  A field the arithmetic confirms does not need this: a wrong digit would
    break the sum.
    """
    if f.support is _Support.STRONG or f.ocr_value is not None:
        return None  # confirmed by the sum, or already repaired by it (reason recorded)
    mine = (f.value or "").translate(_SAME_LETTER)
    others = sorted(
        (a for a in f.reading.alternatives if a.text not in (f.reading.text, f.value)),
        key=lambda a: -a.confidence,
    )
    for alternative in others:
        if alternative.confidence < policy.rival_confidence:
            break
        parsed = _parse(f.name, alternative.text, context.exam_year, context.rule)
        if parsed.value is not None and parsed.value.translate(_SAME_LETTER) == mine:
            continue
        if _plausible(f.name, parsed, context, policy):
            return alternative.text
    return None


def _finish(f: _Field, policy: TrustPolicy, sample_key: str, context: _Context) -> FieldResult:
    notes = list(f.notes)
    if f.failures:
        status = FieldStatus.NEEDS_REVIEW
        confidence = f.engine * policy.failed_check_factor
        reasons = [*f.failures, *notes]
    else:
        confidence = f.engine
        if f.support is _Support.STRONG:
            confidence = confidence + (1.0 - confidence) * policy.support_weight
        if f.confidence is not None:
            confidence = f.confidence
        threshold = (
            policy.min_confidence_unchecked if f.support is _Support.NONE else policy.min_confidence
        )
        rival = _rival(f, context, policy)
        if f.auto_allowed and confidence >= threshold and rival is None:
            status = FieldStatus.AUTO
            reasons = notes
        elif rival is not None and f.auto_allowed and confidence >= threshold:
            status = FieldStatus.NEEDS_REVIEW
            reasons = [f"{RIVAL_READING}: {rival}", *notes]
        else:
            status = FieldStatus.NEEDS_REVIEW
            reasons = notes if not f.auto_allowed else [LOW_CONFIDENCE, *notes]
        if status is FieldStatus.AUTO and sampled_for_review(
            sample_key, f.name, policy.sample_rate
        ):
            status = FieldStatus.NEEDS_REVIEW
            reasons = [SAMPLED, *notes]
    return FieldResult(
        name=f.name,
        raw_text=f.reading.text,
        value=f.value,
        confidence=round(min(1.0, max(0.0, confidence)), 4),
        status=status,
        reason="; ".join(reasons) if reasons else None,
        box=f.reading.box,
        ocr_value=f.ocr_value,
        engine_confidence=f.engine,
        alternatives=tuple((a.text, a.confidence) for a in f.reading.alternatives),
    )


def assess_row(
    readings: Mapping[str, Reading],
    *,
    exam_year: int | None,
    level: Level | str | None,
    row_number: int,
    sample_key: str,
    previous_candidate_number: str | Reading | None = None,
    printed_row_number: Reading | None = None,
    previous_printed_row_number: int | None = None,
    box: Box | None = None,
    policy: TrustPolicy = DEFAULT_POLICY,
    sample_rate: float | None = None,
) -> RowResult:
    """Parse every cell of one row and decide, field by field, ``auto`` or ``needs_review``.

    ``readings`` maps field names of ``records.vocabulary.ROW_FIELDS`` to what the engine read;
    a column the sheet does not have is simply left out.  ``exam_year`` and ``level`` come from
    the sheet header and select the rule (``records.exam_rules.rules_for``).
    ``previous_candidate_number`` is the candidate number of the row above as read (the last row
    of the previous page for a page's first row), as a ``Reading`` when its confidence is known
    (a doubtful neighbour confirms nothing); ``printed_row_number`` /
    ``previous_printed_row_number`` the STT column of this row and the STT of the row above.
    ``sample_key`` identifies the row for the random precision sample (e.g.
    "<scan sha256>:<page>:<row>"): the same key always samples the same fields.

    ``sample_rate`` overrides ``policy.sample_rate`` for this call.

    Returns a ``RowResult`` with one ``FieldResult`` per reading.
    """
    if sample_rate is not None:
        policy = replace(policy, sample_rate=sample_rate)
    unknown = set(readings) - set(FIELDS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown field names: {sorted(unknown)}")
    rule = _rule(exam_year, level)
    if rule is None and (exam_year is None or level is None):
        subjects = {n[len(SCORE_PREFIX) :] for n in readings if n.startswith(SCORE_PREFIX)}
        rule = rule_by_subjects(level, subjects, exam_year)
    fields: dict[str, _Field] = {}
    for name, reading in readings.items():
        parsed = _parse(name, reading.text, exam_year, rule)
        f = _Field(name, reading, parsed, parsed.value)
        if parsed.reason is not None and _only_lost_comma(parsed.reason):
            # "75" on a 10-point scale in half points can only be 7,5: every digit was read,
            # only the comma is missing.  Noted, not doubted: the sum still has to confirm it.
            f.notes.append(parsed.reason)
            f.ocr_value = canonical_number(Decimal(_squeeze_digits(reading.text)))
        elif parsed.reason is not None:
            f.fail(parsed.reason)
        fields[name] = f

    numeric = [n for n in fields if n.startswith(SCORE_PREFIX)]
    numeric += [n for n in ("total", "bonus", "result", "ranking") if n in fields]
    if numeric:
        if rule is None:
            for n in numeric:
                fields[n].fail(NO_RULE)
        else:
            _Numbers(fields, rule, policy).run()

    _check_name_and_sex(fields, policy)
    if "birth_date" in fields:
        _check_date(fields["birth_date"], exam_year, level, policy)
    if "birthplace" in fields:
        _check_birthplace(fields["birthplace"], policy)
    if "candidate_number" in fields:
        _check_candidate_number(fields["candidate_number"], previous_candidate_number, policy)
    _check_row_sequence(fields, printed_row_number, previous_printed_row_number, policy)

    return RowResult(
        row_number=row_number,
        box=box,
        fields={
            name: _finish(f, policy, sample_key, _Context(exam_year, level, rule))
            for name, f in fields.items()
        },
    )


def review_rate(rows: Iterable[RowResult]) -> float:
    """Share of fields that need review over ``rows`` (0 when there are none)."""
    statuses = [f.status for row in rows for f in row.fields.values()]
    if not statuses:
        return 0.0
    return sum(s is FieldStatus.NEEDS_REVIEW for s in statuses) / len(statuses)
