"""Checks that run across the rows of a page: candidate numbers and printed row numbers.

Why apart from the row checks (``ocr.checks``): these judge a row by its neighbours, so they
run once the page's rows are read.  A candidate number must have the page's form and run on by
one from a well-read neighbour (``confirm_candidate_numbers``); a printed row number (STT)
misread between two neighbours is not held against its row (``row_number_sequence``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ocr import checks, field_state, trust_policy
from ocr.model import FieldResult, RowResult
from ocr.parsing import split_candidate_number
from records.vocabulary import FieldStatus

NUMBER_OFF_PATTERN = "số báo danh khác mẫu của trang"
NUMBER_UNCONFIRMED = "số báo danh không liền số với dòng trên hay dưới"


def confirm_candidate_numbers(
    rows: Sequence[RowResult], *, sample_key: str = "", sample_rate: float | None = None
) -> None:
    """A page's candidate numbers share one form and run on by one from row to row.

    No sum checks a candidate number, and its digits are misread at high confidence (A0728 as
    40728, 510 as 516): a trusted number must have the page's form (prefix, digit count) and
    a neighbour one below or one above it.  Others go to a person.  Only well-read numbers
    vote for the page's form and count as neighbours: doubtful readings of a faint column
    agree with each other as easily as with the sheet (a "B." lost from every number).

    Conversely, a number held back only because the engine offered a rival reading (0459 or
    0458) is confirmed by well-read neighbours exactly one below *and* one above it: between
    them, the page's form and sequence leave no other value.  It is then trusted like any
    field, the random precision sample included (``sample_key`` names the page).
    """
    fields = [row.fields.get("candidate_number") for row in rows]
    forms = [_number_form(f.value) if f is not None and f.value else None for f in fields]
    witnesses = [form if _well_read(f) else None for f, form in zip(fields, forms, strict=True)]
    counted = Counter((prefix, width) for prefix, width, _ in filter(None, witnesses))
    if not counted:
        return
    usual = counted.most_common(1)[0][0]
    rate = trust_policy.DEFAULT_POLICY.sample_rate if sample_rate is None else sample_rate
    for index, (field, form) in enumerate(zip(fields, forms, strict=True)):
        if field is not None and form is not None and _held_by_rival_only(field):
            between = (
                0 < index < len(forms) - 1
                and form[:2] == usual
                and witnesses[index - 1] == (*usual, form[2] - 1)
                and witnesses[index + 1] == (*usual, form[2] + 1)
            )
            if between:
                key = f"{sample_key}:{rows[index].row_number}"
                sampled = checks.sampled_for_review(key, field.name, rate)
                field.status = FieldStatus.NEEDS_REVIEW if sampled else FieldStatus.AUTO
                field.reason = trust_policy.SAMPLED if sampled else None
            continue
        if field is None or field.status is not FieldStatus.AUTO or form is None:
            continue
        prefix, width, number = form
        if (prefix, width) != usual:
            _to_review(field, NUMBER_OFF_PATTERN)
            continue
        before = witnesses[index - 1] if index > 0 else None
        after = witnesses[index + 1] if index + 1 < len(forms) else None
        if not ((before and before[2] == number - 1) or (after and after[2] == number + 1)):
            _to_review(field, NUMBER_UNCONFIRMED)


def _held_by_rival_only(field: FieldResult) -> bool:
    reason = field.reason or ""
    return (
        field.status is FieldStatus.NEEDS_REVIEW
        and reason.startswith(trust_policy.RIVAL_READING)
        and ";" not in reason
    )


def as_neighbour(field: FieldResult | None) -> field_state.Reading | None:
    """A row's candidate number as the next row's neighbour: its value and how well it was
    read (a doubtful neighbour confirms nothing)."""
    if field is None or not field.value:
        return None
    return field_state.Reading(field.value, max(0.0, min(1.0, field.engine_confidence or 0.0)))


def _well_read(field: FieldResult | None) -> bool:
    """A number read confidently and without a rival reading: only such a number vouches for
    its neighbours (a heavy dot-matrix page misread 0312, 0313, 0314 as 0812, 0813, 0814, the
    last at 0.99 but with 0314 as the engine's runner-up)."""
    return (
        field is not None
        and (field.engine_confidence or 0.0) >= trust_policy.DEFAULT_POLICY.min_confidence
        and trust_policy.RIVAL_READING not in (field.reason or "")
    )


def _number_form(value: str) -> tuple[str, int, int] | None:
    split = split_candidate_number(value)
    if split is None:
        return None
    digits = len(value) - len(split[0])
    return split[0], digits, split[1]


def _to_review(field: FieldResult, reason: str) -> None:
    field.status = FieldStatus.NEEDS_REVIEW
    field.reason = f"{reason}; {field.reason}" if field.reason else reason


def row_number_sequence(printed: Sequence[str | None]) -> list[tuple[bool, int | None]]:
    """For each row of a page, from its printed number (STT) as read: whether to check that
    number against the row above, and the number the row above had.

    A number out of sequence between two neighbours exactly two apart (5, 9, 7) is itself
    misread (a faint typewritten "6" read "9"): the row is in its place, so its number is not
    checked and the next row follows the number it must have had.  Otherwise one misread
    STT would send the identity of two rows (its own and the next) to review."""
    values = [int(t.strip()) if t and t.strip().isdigit() else None for t in printed]
    out: list[tuple[bool, int | None]] = []
    before: int | None = None
    for index, value in enumerate(values):
        after = values[index + 1] if index + 1 < len(values) else None
        if before is not None and value != before + 1 and after == before + 2:
            out.append((False, before))
            before += 1
            continue
        out.append((True, before))
        before = value if value is not None else before
    return out
