"""A page's candidate numbers vouch for each other only when they were read well; a misread
row number (STT) between two neighbours is not held against its row."""

from __future__ import annotations

import pytest

from ocr.model import FieldResult, RowResult
from ocr.row_sequences import (
    NUMBER_OFF_PATTERN,
    NUMBER_UNCONFIRMED,
    confirm_candidate_numbers,
    row_number_sequence,
)
from records.vocabulary import FieldStatus

AUTO, REVIEW = FieldStatus.AUTO, FieldStatus.NEEDS_REVIEW


def _rows(numbers: list[tuple[str, float, FieldStatus]]) -> list[RowResult]:
    rows = []
    for index, (value, confidence, status) in enumerate(numbers, start=1):
        field = FieldResult(
            "candidate_number", value, value, confidence, status, engine_confidence=confidence
        )
        rows.append(RowResult(index, None, {"candidate_number": field}))
    return rows


def _status(rows: list[RowResult], index: int) -> FieldStatus:
    return rows[index].fields["candidate_number"].status


def test_a_number_with_a_well_read_neighbour_stays_trusted() -> None:
    rows = _rows([("B.0774", 0.97, AUTO), ("B.0775", 0.95, AUTO), ("B.0777", 0.6, REVIEW)])
    confirm_candidate_numbers(rows)
    assert _status(rows, 0) is AUTO and _status(rows, 1) is AUTO


def test_doubtful_neighbours_confirm_nothing() -> None:
    # A faint column: the prefix lost everywhere, neighbours read at low confidence.
    rows = _rows([("0774", 0.52, REVIEW), ("0775", 0.95, AUTO), ("0776", 0.6, REVIEW)])
    confirm_candidate_numbers(rows)
    field = rows[1].fields["candidate_number"]
    assert field.status is REVIEW
    assert field.reason is not None and field.reason.startswith(NUMBER_UNCONFIRMED)


def test_the_page_form_is_voted_by_well_read_numbers_only() -> None:
    rows = _rows(
        [
            ("0771", 0.40, REVIEW),
            ("0772", 0.50, REVIEW),
            ("0773", 0.50, REVIEW),
            ("B.0774", 0.96, AUTO),
            ("B.0775", 0.97, AUTO),
            ("0776", 0.95, AUTO),
        ]
    )
    confirm_candidate_numbers(rows)
    assert _status(rows, 3) is AUTO and _status(rows, 4) is AUTO
    field = rows[5].fields["candidate_number"]
    assert field.status is REVIEW
    assert field.reason is not None and field.reason.startswith(NUMBER_OFF_PATTERN)


def _held_by_a_rival(rows: list[RowResult], index: int, rival: str) -> None:
    field = rows[index].fields["candidate_number"]
    field.status, field.reason = REVIEW, f"có cách đọc khác: {rival}"


def test_a_rival_reading_between_two_well_read_neighbours_is_no_rival() -> None:
    # 0459 or 0458? Between 0458 and 0460, read well, the page leaves only 0459.
    rows = _rows([("0458", 0.97, AUTO), ("0459", 0.96, AUTO), ("0460", 0.95, AUTO)])
    _held_by_a_rival(rows, 1, "0458")
    confirm_candidate_numbers(rows, sample_rate=0.0)
    assert _status(rows, 1) is AUTO and rows[1].fields["candidate_number"].reason is None
    sampled = _rows([("0458", 0.97, AUTO), ("0459", 0.96, AUTO), ("0460", 0.95, AUTO)])
    _held_by_a_rival(sampled, 1, "0458")
    confirm_candidate_numbers(sampled, sample_key="p", sample_rate=1.0)
    assert sampled[1].fields["candidate_number"].reason == "kiểm tra ngẫu nhiên"


def test_a_rival_reading_stays_with_one_neighbour_or_a_doubtful_one() -> None:
    rows = _rows(
        [
            ("0458", 0.97, AUTO),
            ("0459", 0.96, AUTO),  # one neighbour only (0461 below)
            ("0461", 0.95, AUTO),
            ("0462", 0.96, AUTO),  # the neighbour below read doubtfully
            ("0463", 0.60, REVIEW),
        ]
    )
    _held_by_a_rival(rows, 1, "0458")
    _held_by_a_rival(rows, 3, "0482")
    rows[2].fields["candidate_number"].reason = "có cách đọc khác: 0481; kiểm tra ngẫu nhiên"
    rows[2].fields["candidate_number"].status = REVIEW
    confirm_candidate_numbers(rows, sample_rate=0.0)
    # 0458's only neighbour, 0459, has a rival reading itself: it vouches for nobody
    assert [_status(rows, i) for i in range(5)] == [REVIEW, REVIEW, REVIEW, REVIEW, REVIEW]


def test_a_number_with_a_rival_reading_vouches_for_no_neighbour() -> None:
    # A heavy dot-matrix page: 0312, 0313, 0314 read 0812, 0813, 0814; the last one confidently
    # but with 0314 as the engine's runner-up.
    rows = _rows([("0812", 0.25, REVIEW), ("0813", 0.98, AUTO), ("0814", 0.99, AUTO)])
    _held_by_a_rival(rows, 2, "0314")
    confirm_candidate_numbers(rows, sample_rate=0.0)
    field = rows[1].fields["candidate_number"]
    assert field.status is REVIEW
    assert field.reason is not None and field.reason.startswith(NUMBER_UNCONFIRMED)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        # one STT misread between neighbours two apart: not checked, the next follows 3
        (["1", "2", "9", "4", "5"], [(True, None), (True, 1), (False, 2), (True, 3), (True, 4)]),
        # a real jump (a row missing): checked, and the rows after follow the new number
        (["1", "2", "4", "5"], [(True, None), (True, 1), (True, 2), (True, 4)]),
        # unread numbers are skipped over
        (["7", None, "x", "8"], [(True, None), (True, 7), (True, 7), (True, 7)]),
    ],
)
def test_row_number_sequence(
    printed: list[str | None], expected: list[tuple[bool, int | None]]
) -> None:
    assert row_number_sequence(printed) == expected
