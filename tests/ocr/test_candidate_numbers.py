"""A page's candidate numbers vouch for each other only when they were read well."""

from __future__ import annotations

from ocr.model import FieldResult, RowResult
from ocr.reader import NUMBER_OFF_PATTERN, NUMBER_UNCONFIRMED, confirm_candidate_numbers
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
