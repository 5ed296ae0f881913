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
   score is accepted from an engine confidence of 0.60 (c' ≥ 0.90).
3. **Weak checks keep the normal bar.**  Known name tokens, a plausible age, a candidate number
   following the previous one, sex agreeing with "Thị"/"Văn": c' = c, accepted at
   ``min_confidence``.
4. **No check at all raises the bar** to ``min_confidence_unchecked`` (a birthplace made of
   unknown words, the first candidate number of a page).
5. **A random sample** of the fields that end ``auto`` (``sample_rate``, 2% by default) is sent
   to review anyway, with the reason "kiểm tra ngẫu nhiên", so that precision is measured in
   production.  The draw is a hash of (``sample_key``, field name): reruns agree.

Where the checks live: the arithmetic of the scores, total, bonus, result and ranking, and the
repairs it allows, in ``ocr.score_checks``; names, sex, dates, places and sequences in
``ocr.person_checks``; the state they share in ``ocr.field_state``; every threshold and reason
in ``ocr.trust_policy``.  This module runs them on a row and decides each field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from ocr.field_state import (
    FieldState,
    Reading,
    Support,
    parse_field,
    rule_by_subjects,
    squeeze_digits,
)
from ocr.model import Box, FieldResult, RowResult
from ocr.parsing import Parsed, ParsedDate, canonical_number
from ocr.person_checks import (
    check_birthplace,
    check_candidate_number,
    check_date,
    check_name_and_sex,
    check_row_sequence,
    diacritic_doubts,
    is_known_place,
    uniform_capitals,
    unknown_name_tokens,
)
from ocr.score_checks import check_numbers
from ocr.trust_policy import (
    DEFAULT_POLICY,
    LOST_COMMA_PREFIX,
    LOW_CONFIDENCE,
    RIVAL_READING,
    SAMPLED,
    TrustPolicy,
)
from records.exam_rules import ExamRules, rules_for
from records.vocabulary import FIELDS_BY_NAME, SCORE_PREFIX, FieldStatus, Level

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
# The row


def _rule(exam_year: int | None, level: Level | str | None) -> ExamRules | None:
    if exam_year is None or level is None:
        return None
    try:
        return rules_for(exam_year, level)
    except ValueError:  # ExamRulesError, or a level code that does not exist
        return None


def _only_lost_comma(reason: str) -> bool:
    return reason.startswith(LOST_COMMA_PREFIX) and ";" not in reason


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
            and uniform_capitals(tokens)
            and not unknown_name_tokens(tokens)
            and not diacritic_doubts(tokens, policy.diacritic_dominance)
        )
    if name == "birthplace":
        return is_known_place(value)
    return True


def _rival(f: FieldState, context: _Context, policy: TrustPolicy) -> str | None:
    """Another reading the engine itself found plausible, for a field no sum confirms.

    Digits in dates and candidate numbers (0/9, 1/7, 3/8) are misread at high confidence; when
    the engine's runner-up for a character is not negligible *and* reads as a different value
    that would pass the field's own checks, a person decides.  An alternative that means the
    same ("6.5" for "6,5", "Ð" for "Đ") or that the checks would reject ("15-10-1889", "Nar")
    is no rival.  A field the arithmetic confirms does not need this: a wrong digit would
    break the sum.
    """
    if f.support is Support.STRONG or f.ocr_value is not None:
        return None  # confirmed by the sum, or already repaired by it (reason recorded)
    mine = (f.value or "").translate(_SAME_LETTER)
    others = sorted(
        (a for a in f.reading.alternatives if a.text not in (f.reading.text, f.value)),
        key=lambda a: -a.confidence,
    )
    for alternative in others:
        if alternative.confidence < policy.rival_confidence:
            break
        parsed = parse_field(f.name, alternative.text, context.exam_year, context.rule)
        if parsed.value is not None and parsed.value.translate(_SAME_LETTER) == mine:
            continue
        if _plausible(f.name, parsed, context, policy):
            return alternative.text
    return None


def _finish(f: FieldState, policy: TrustPolicy, sample_key: str, context: _Context) -> FieldResult:
    notes = list(f.notes)
    if f.failures:
        status = FieldStatus.NEEDS_REVIEW
        confidence = f.engine * policy.failed_check_factor
        reasons = [*f.failures, *notes]
    else:
        confidence = f.engine
        if f.support is Support.STRONG:
            confidence = confidence + (1.0 - confidence) * policy.support_weight
        if f.confidence is not None:
            confidence = f.confidence
        threshold = (
            policy.min_confidence_unchecked if f.support is Support.NONE else policy.min_confidence
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
    fields: dict[str, FieldState] = {}
    for name, reading in readings.items():
        parsed = parse_field(name, reading.text, exam_year, rule)
        f = FieldState(name, reading, parsed, parsed.value)
        if parsed.reason is not None and _only_lost_comma(parsed.reason):
            # "75" on a 10-point scale in half points can only be 7,5: every digit was read,
            # only the comma is missing.  Noted, not doubted: the sum still has to confirm it.
            f.notes.append(parsed.reason)
            f.ocr_value = canonical_number(Decimal(squeeze_digits(reading.text)))
        elif parsed.reason is not None:
            f.fail(parsed.reason)
        fields[name] = f

    check_numbers(fields, rule, policy)
    check_name_and_sex(fields, policy)
    if "birth_date" in fields:
        check_date(fields["birth_date"], exam_year, level, policy)
    if "birthplace" in fields:
        check_birthplace(fields["birthplace"], policy)
    if "candidate_number" in fields:
        check_candidate_number(fields["candidate_number"], previous_candidate_number, policy)
    check_row_sequence(fields, printed_row_number, previous_printed_row_number, policy)

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
