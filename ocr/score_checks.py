"""The arithmetic of a row: scores, total, bonus, result and ranking against the year's rule.

The total is the (weighted) sum of the scores plus the bonus, and the result and ranking follow
from the scores by the rule: a wrong reading almost never satisfies all of these at once.  A
term of an identity that holds is confirmed by it (``Support.STRONG``), a contradicted one
fails; see ``ocr.checks`` for how that weighs in the decision.

An identity that holds confirms its terms only when it is *sound*: no term below
``supported_floor`` or doubted by its parser (a coordinated misreading, e.g. ",5" lost in a score
and in the total alike, balances too), and no pair of the engine's alternative readings that
would balance as well.  Otherwise the terms are merely "checked" (normal threshold).  Zero and
"V" scores get no support: they add 0 to the sum either way, so the identity cannot tell them
apart.

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

Rules come only from ``records.exam_rules``; no year is named in this module.  Without a rule
for (year, level) every field that needs it (scores, total, bonus, result, ranking) goes to
review with "không rõ quy chế năm thi".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from ocr.field_state import FieldState, Support, squeeze_digits, stray_mark_at_edge
from ocr.parsing import (
    ParsedNumber,
    canonical_number,
    display_number,
    display_value,
    match_ranking,
    parse_score,
    parse_total,
    total_with_lost_separators,
)
from ocr.trust_policy import (
    BONUS_MISMATCH,
    BONUS_OUT_OF_RANGE,
    INFERRED_FROM_TOTAL,
    LOST_COMMA_PREFIX,
    NO_RULE,
    OFF_STEP,
    OUT_OF_SCALE,
    RANKING_CASE,
    RANKING_MARKS,
    RANKING_MISMATCH,
    RANKING_STRAY_MARK,
    RANKING_UNKNOWN,
    REPAIRED_FROM_TOTAL,
    RESULT_MISMATCH,
    RESULT_UNCHECKED,
    SUBJECT_NOT_IN_RULE,
    TOTAL_FROM_SCORES,
    TOTAL_MISMATCH,
    TOTAL_UNCHECKED,
    TrustPolicy,
)
from records.exam_rules import ExamRules
from records.vntext import casefold_vi
from records.vocabulary import SCORE_PREFIX, ExamResult


def check_numbers(
    fields: dict[str, FieldState], rule: ExamRules | None, policy: TrustPolicy
) -> None:
    """Check (and where the row allows, repair) the scores, total, bonus, result and ranking
    of one row under ``rule``; without a rule every one of them fails with ``NO_RULE``."""
    numeric = [n for n in fields if n.startswith(SCORE_PREFIX)]
    numeric += [n for n in ("total", "bonus", "result", "ranking") if n in fields]
    if numeric:
        if rule is None:
            for n in numeric:
                fields[n].fail(NO_RULE)
        else:
            _Numbers(fields, rule, policy).run()


_Scores = dict[str, Decimal | None]


@dataclass(frozen=True)
class _Solution:
    subject: str
    value: Decimal
    from_engine: bool  # the engine's alternatives proposed it


def _counts(f: FieldState) -> bool:
    """Whether a term's value moves the sum: "V" and 0 scores add nothing, so the identity
    cannot tell them apart and gives them no support."""
    if not f.name.startswith(SCORE_PREFIX):
        return True
    return f.value is not None and f.value != "V" and Decimal(f.value) != 0


class _Numbers:
    """The arithmetic of one row under one rule."""

    def __init__(self, fields: dict[str, FieldState], rule: ExamRules, policy: TrustPolicy) -> None:
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
    def _number(f: FieldState) -> ParsedNumber:
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

    def _doubtful(self, f: FieldState) -> bool:
        """A cell the engine read doubtfully (``TrustPolicy.doubtful_reading``) or that a
        check doubts."""
        runner_up = max((a.confidence for a in f.reading.alternatives), default=0.0)
        return self.policy.doubtful_reading(f.engine, runner_up) or bool(f.failures)

    def _score_candidates(self, subject: str, f: FieldState) -> list[tuple[Decimal, bool]]:
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
        total.supported(Support.CHECKED)
        for f in others:
            if _counts(f):
                f.supported(Support.CHECKED)
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
        f.supported(Support.CHECKED)
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
                a.supported(Support.CHECKED)

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
        digits = squeeze_digits(self.bonus.reading.text)
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
            self._judge_dependents(scores, bonus, Support.CHECKED)
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
            self._judge_dependents(scores, bonus, Support.CHECKED)
            return
        # The identity holds.  It confirms the values only if no term is so doubtful that a
        # coordinated misreading (",5" lost in a score and in the total alike) is likely, and if
        # the engine's alternatives do not offer a second consistent reading.
        sound = (
            min(f.engine for f in terms) >= self.policy.supported_floor
            and not any(f.failures for f in terms)
            and not self._alternatives_also_hold(scores, bonus)
        )
        support = Support.STRONG if sound else Support.CHECKED
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

    def _alternative_numbers(self, f: FieldState, *, score: bool) -> list[Decimal]:
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
        self, scores: _Scores | None, bonus: Decimal | None, support: Support
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
            elif ranking_ok and stray_mark_at_edge(self.ranking.value or ""):
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
