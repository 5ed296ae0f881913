"""Respelling doubted name syllables from the name statistics by position and the engine's own
alternatives (``ocr.name_spelling``), and how the name check uses it (``ocr.person_checks``)."""

from __future__ import annotations

import pytest

from ocr.checks import assess_row
from ocr.field_state import Alternative as Alt
from ocr.field_state import Reading
from ocr.model import RowResult
from ocr.name_spelling import Position, position, respell
from ocr.trust_policy import DEFAULT_POLICY, TrustPolicy
from records.vocabulary import FieldStatus


def fixes(name: str, doubted: set[int], alternatives: list[tuple[str, float]] | None = None) -> str:
    tokens = name.split()
    changes = respell(
        tokens,
        doubted,
        alternatives or [],
        0.98,
        min_odds=DEFAULT_POLICY.name_spelling_min_odds,
        unseen_likelihood=DEFAULT_POLICY.name_spelling_unseen_likelihood,
    )
    by_index = {c.index: c.corrected for c in changes}
    return " ".join(by_index.get(i, t) for i, t in enumerate(tokens))


def test_positions() -> None:
    assert [position(i, 4) for i in range(4)] == [
        Position.SURNAME,
        Position.MIDDLE,
        Position.MIDDLE,
        Position.GIVEN,
    ]
    assert [position(i, 2) for i in range(2)] == [Position.SURNAME, Position.GIVEN]


@pytest.mark.parametrize(
    ("read", "doubted", "expected"),
    [
        # "Định" is a common given name but almost never a surname; Đinh is a common surname
        ("Định Văn Nam", {0}, "Đinh Văn Nam"),
        # a horn the engine added: ư/u have the same folded form
        ("Hưỳnh Thị Lan", {0}, "Huỳnh Thị Lan"),
        # capitals stay capitals
        ("NGUYÊN VĂN CÔNG", {0}, "NGUYỄN VĂN CÔNG"),
        # a lost dot below in the middle part
        ("Nguyễn Thi Lan", {1}, "Nguyễn Thị Lan"),
        # a grave the engine added, without offering "Lâm": 181 times commoner (born 1950–1990)
        ("Lầm Thị Lan", {0}, "Lâm Thị Lan"),
    ],
)
def test_a_spelling_far_commoner_at_that_position_replaces_the_read_one(
    read: str, doubted: set[int], expected: str
) -> None:
    assert fixes(read, doubted) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Văn Định",  # Định as a given name is common: it stays
        "Nguyễn Văn Khối",  # Khôi is commoner, but not overwhelmingly so
        "Trần Văn Hùng",  # Hùng and Hưng are both common given names
        "Lê Thị Vị",  # Vi is commoner in 2016, not among those born 1950–1990
        "Vù Phi Thúy",  # a rare but real surname: Vũ is not 100 times commoner in both tables
        "Lồ Thị Kiều",  # Lò is 56 times commoner among those born 1950–1990: not enough
    ],
)
def test_real_spellings_without_overwhelming_evidence_stay(name: str) -> None:
    tokens = name.split()
    assert fixes(name, set(range(len(tokens)))) == name


def test_only_doubted_tokens_change() -> None:
    assert fixes("Định Văn Nam", {2}) == "Định Văn Nam"


def test_the_engine_alternative_decides_between_candidates() -> None:
    # Điểu is the commonest surname spelled like "Điều", but the engine saw "Điêu"
    assert fixes("Điều Thị Thúy", {0}) == "Điều Thị Thúy"
    assert fixes("Điều Thị Thúy", {0}, [("Điêu Thị Thúy", 0.9)]) == "Điêu Thị Thúy"


def test_an_engine_hesitation_alone_does_not_turn_a_rare_name_into_a_common_one() -> None:
    # Vũ 27950 / Vù 67 in 2016, 159 / 8 among those born 1950–1990: odds about 19 × 0.28
    assert fixes("Vù Phi Thúy", {0}, [("Vũ Phi Thúy", 0.27)]) == "Vù Phi Thúy"


def test_an_alternative_of_another_token_is_no_evidence() -> None:
    assert fixes("Điều Thị Thúy", {0}, [("Điều Thị Thủy", 0.9)]) == "Điều Thị Thúy"


# --- in the checks ---------------------------------------------------------------------------


def _row(name: Reading, sex: str) -> dict[str, Reading]:
    return {
        "full_name": name,
        "sex": Reading(sex, 0.99),
        "birth_date": Reading("12/03/1977", 0.99),
    }


def _assess(cells: dict[str, Reading], policy: TrustPolicy = DEFAULT_POLICY) -> RowResult:
    return assess_row(
        cells, exam_year=1995, level="PTTH", row_number=1, sample_key="t:1:1", policy=policy
    )


def test_the_check_respells_the_value_keeps_the_reading_and_the_review() -> None:
    name = Reading("Định Văn Nam", 0.98, (Alt("Đình Văn Nam", 0.61), Alt("Đinh Văn Nam", 0.58)))
    result = _assess(_row(name, "Nam"))
    field = result.fields["full_name"]
    assert field.value == "Đinh Văn Nam"
    assert field.ocr_value == "Định Văn Nam"
    assert field.raw_text == "Định Văn Nam"
    assert field.status is FieldStatus.NEEDS_REVIEW
    assert field.reason == "dấu dễ đọc nhầm: Định → Đinh"


def test_a_respelled_name_changes_nothing_else_in_the_row() -> None:
    """The sex is judged on the name as read: a guess must not make anything trusted."""
    wrong = _assess(_row(Reading("Định Văn Nam", 0.98), "Nam"))
    before = _assess(
        _row(Reading("Định Văn Nam", 0.98), "Nam"), TrustPolicy(name_spelling_min_odds=1e9)
    )
    assert before.fields["full_name"].value == "Định Văn Nam"
    for name in ("sex", "birth_date"):
        assert wrong.fields[name] == before.fields[name]


def test_the_reason_lists_the_other_doubts_too() -> None:
    field = _assess(_row(Reading("Định Văn Khối", 0.98), "Nam")).fields["full_name"]
    assert field.value == "Đinh Văn Khối"
    assert field.reason == "dấu dễ đọc nhầm: Định → Đinh, Khối"


def test_a_name_in_doubt_for_another_reason_keeps_its_value() -> None:
    # Đinh is doubted (Định, Đình are common elsewhere in a name) but it is the commonest surname
    field = _assess(_row(Reading("Đinh Văn Nam", 0.98), "Nam")).fields["full_name"]
    assert field.status is FieldStatus.NEEDS_REVIEW
    assert (field.value, field.ocr_value) == ("Đinh Văn Nam", "Đinh Văn Nam")
    assert field.reason == "dấu dễ đọc nhầm: Đinh"
