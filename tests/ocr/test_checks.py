"""The trust decision: consistent rows pass, wrong readings are caught, repairs are recorded.

Rows are built from the configured rule of their year (``records.exam_rules``), so the tests
follow the configuration rather than repeat it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from ocr.checks import assess_row, review_rate, sampled_for_review
from ocr.field_state import Alternative, Reading
from ocr.model import RowResult
from ocr.parsing import display_number
from ocr.trust_policy import TrustPolicy
from records.exam_rules import rules_for
from records.vocabulary import FieldStatus, Level

AUTO, REVIEW = FieldStatus.AUTO, FieldStatus.NEEDS_REVIEW
NO_SAMPLE = TrustPolicy(sample_rate=0.0)
CONF = 0.97

# (year, level, scores in the rule's subject order): every era of the rules file, with and
# without doubled subjects, whole and half points.
CASES = [
    (1978, Level.PTTH, ["7", "6", "5", "8", "6", "7"]),
    (1985, Level.PTTH, ["7", "6,5", "5", "8", "6", "7,5"]),
    (1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]),
    (1990, Level.PTCS, ["6", "7,5", "5", "8"]),
    (2000, Level.THCS, ["6", "7,5", "5", "8"]),
    (1988, Level.BTVH, ["6", "7,5", "5", "8", "6"]),
    (2004, Level.BTVH, ["6", "7,5", "5", "8", "6", "9"]),
]


def _decimal(text: str) -> Decimal | None:
    return None if text == "V" else Decimal(text.replace(",", "."))


def texts(
    year: int,
    level: Level,
    scores: Sequence[str],
    *,
    bonus: str = "",
    name: str = "Nguyễn Thị Thu Hà",
    sex: str = "Nữ",
    birth: str | None = None,
    number: str = "0124",
) -> dict[str, str]:
    """The texts of a row whose total, result and ranking follow the year's rule."""
    rule = rules_for(year, level)
    values = {s: _decimal(t) for s, t in zip(rule.subjects, scores, strict=True)}
    extra = _decimal(bonus) if bonus else Decimal(0)
    assert extra is not None
    out = {f"scores.{s}": t for s, t in zip(rule.subjects, scores, strict=True)}
    absent_all = all(v is None for v in values.values())
    out["total"] = "" if absent_all else display_number(rule.total(values, extra))
    out["bonus"] = bonus
    out["result"] = rule.result_word(rule.passes(values, extra))
    out["ranking"] = rule.ranking(values, extra) or ""
    out["full_name"] = name
    out["sex"] = sex
    out["birth_date"] = birth or f"12/03/{year - 17}"
    out["birthplace"] = "Long Điền"
    out["candidate_number"] = number
    return out


def readings(
    cells: dict[str, str], confidence: float = CONF, **special: Reading
) -> dict[str, Reading]:
    out = {name: Reading(text, confidence) for name, text in cells.items()}
    out.update({name.replace("__", "."): r for name, r in special.items()})
    return out


def assess(
    cells: dict[str, Reading],
    year: int | None = 1995,
    level: Level | str | None = Level.THPT,
    *,
    policy: TrustPolicy = NO_SAMPLE,
    previous: str | Reading | None = "0123",
    key: str = "scan:1:1",
    printed_row_number: Reading | None = None,
    previous_printed_row_number: int | None = None,
    sample_rate: float | None = None,
) -> RowResult:
    return assess_row(
        cells,
        exam_year=year,
        level=level,
        row_number=1,
        sample_key=key,
        previous_candidate_number=previous,
        printed_row_number=printed_row_number,
        previous_printed_row_number=previous_printed_row_number,
        policy=policy,
        sample_rate=sample_rate,
    )


def statuses(row: RowResult) -> dict[str, FieldStatus]:
    return {name: f.status for name, f in row.fields.items()}


def score_fields(row: RowResult) -> list[str]:
    return [n for n in row.fields if n.startswith("scores.")]


# ---------------------------------------------------------------------------------------------
# Consistent rows


@pytest.mark.parametrize(("year", "level", "scores"), CASES)
def test_consistent_row_is_all_auto(year: int, level: Level, scores: list[str]) -> None:
    row = assess(readings(texts(year, level, scores)), year, level)
    assert statuses(row) == {name: AUTO for name in row.fields}, {
        n: f.reason for n, f in row.fields.items()
    }
    assert all(f.reason is None for f in row.fields.values())
    assert row.fields["birth_date"].value == f"{year - 17}-03-12"


def test_canonical_values() -> None:
    row = assess(readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], bonus="1,5")))
    values = {n: f.value for n, f in row.fields.items()}
    assert values["scores.math"] == "6.5" and values["scores.literature"] == "7"
    assert values["total"] == "41" and values["bonus"] == "1.5"
    assert values["result"] == "passed" and values["sex"] == "Nữ"
    assert values["birth_date"] == "1978-03-12"
    assert row.fields["total"].status is AUTO


def test_supported_scores_accepted_at_lower_engine_confidence() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6,5", 0.65)
    cells["full_name"] = Reading("Nguyễn Thị Thu Hà", 0.65)
    row = assess(cells)
    math = row.fields["scores.math"]
    assert math.status is AUTO and math.confidence > 0.65  # the total vouches for it
    name = row.fields["full_name"]
    assert name.status is REVIEW and name.reason == "độ tin cậy thấp"  # nothing vouches


def test_very_doubtful_score_is_not_rescued_by_the_total() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6,5", 0.4)
    row = assess(cells)
    assert row.fields["scores.math"].status is REVIEW
    # one term below the floor: the others are no longer boosted, but stand on their own
    assert row.fields["scores.literature"].status is AUTO
    assert row.fields["total"].status is AUTO


def test_alternatives_that_also_balance_remove_the_boost() -> None:
    # ",5" lost in a score and in the total alike: the engine's alternatives say so
    cells = readings(texts(1995, Level.THPT, ["7", "6", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6", 0.7, (Alternative("6,5", 0.3),))
    cells["total"] = Reading("39", 0.7, (Alternative("39,5", 0.3),))
    row = assess(cells)
    assert row.fields["scores.math"].status is REVIEW
    assert row.fields["total"].status is REVIEW


def test_absent_row() -> None:
    cells = texts(1995, Level.THPT, ["V"] * 6)
    assert cells["total"] == "" and cells["ranking"] == ""
    row = assess(readings(cells))
    assert all(row.fields[n].value == "V" for n in score_fields(row))
    assert row.fields["result"].value == "failed"
    assert statuses(row) == {name: AUTO for name in row.fields}


def test_absent_score_gets_no_arithmetic_support() -> None:
    # "V" and "0" both add nothing: the total cannot tell them apart
    cells = readings(texts(1995, Level.THPT, ["7", "V", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("V", 0.92)
    row = assess(cells)
    assert row.fields["scores.math"].status is REVIEW
    assert row.fields["result"].value == "failed" and row.fields["result"].status is AUTO


def test_bonus_written_in_the_total() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    cells["total"] = "39,5 + 1,5"
    cells["bonus"] = ""
    row = assess(readings(cells))
    assert row.fields["total"].value == "41"
    assert statuses(row)["total"] is AUTO and statuses(row)["scores.math"] is AUTO


def test_bonus_column_disagreeing_with_the_total() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    cells["total"] = "39,5 + 1,5"
    cells["bonus"] = "1"
    row = assess(readings(cells))
    assert row.fields["bonus"].status is REVIEW
    assert row.fields["bonus"].reason is not None
    assert "điểm cộng không khớp" in row.fields["bonus"].reason


def test_bonus_above_the_configured_values() -> None:
    rule = rules_for(1995, Level.THPT)
    too_much = display_number(max(rule.bonus_values) + 1)
    row = assess(
        readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], bonus=too_much))
    )
    assert row.fields["bonus"].status is REVIEW


# ---------------------------------------------------------------------------------------------
# Wrong readings


@pytest.mark.parametrize(("year", "level", "scores"), CASES)
def test_confident_wrong_score_is_caught(year: int, level: Level, scores: list[str]) -> None:
    """The 17% case: 1 read as 7 at high confidence.  The total exposes it."""
    true_scores = ["1", *scores[1:]]
    cells = readings(texts(year, level, true_scores))
    cells["scores.literature"] = Reading("7", 0.96)  # wrong, and the engine is sure
    row = assess(cells, year, level)
    for name in [*score_fields(row), "total"]:
        assert row.fields[name].status is REVIEW, name
        assert row.fields[name].reason == "tổng không khớp"
    assert row.fields["scores.literature"].value == "7"  # a confident cell is never changed
    assert row.fields["result"].status is REVIEW
    assert row.fields["full_name"].status is AUTO  # the rest of the row is unaffected


def test_confident_wrong_total_is_caught() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["total"] = Reading("45,5", 0.99)
    row = assess(cells)
    assert all(row.fields[n].status is REVIEW for n in [*score_fields(row), "total"])


def test_result_inconsistent_with_rule() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["result"] = Reading("Hỏng", 0.99)
    row = assess(cells)
    assert row.fields["result"].status is REVIEW
    assert row.fields["result"].reason == "kết quả không khớp quy chế"
    assert row.fields["scores.math"].status is AUTO  # the total still confirms the scores


def test_ranking_inconsistent_with_rule() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    assert cells["ranking"] == "Khá"
    row = assess(readings(cells, ranking=Reading("Giỏi", 0.99)))
    assert row.fields["ranking"].status is REVIEW
    assert row.fields["ranking"].reason == "xếp loại không khớp quy chế"
    row = assess(readings(cells, ranking=Reading("Khá", 0.99)))
    assert row.fields["ranking"].status is AUTO and row.fields["ranking"].value == "Khá"
    average = texts(1995, Level.THPT, ["6", "6", "5", "6", "6", "5"])
    assert average["ranking"] == "Trung bình"
    row = assess(readings(average, ranking=Reading("TB", 0.99)))
    assert row.fields["ranking"].status is AUTO and row.fields["ranking"].value == "TB"
    row = assess(readings(average, ranking=Reading("Xuất sắc", 0.99)))
    assert row.fields["ranking"].reason == "xếp loại không rõ"


def test_failed_candidate_with_a_ranking() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "0", "5", "8", "6", "7"]))
    assert cells["result"].text == "Hỏng"
    cells["ranking"] = Reading("Trung bình", 0.99)
    assert assess(cells).fields["ranking"].status is REVIEW


@pytest.mark.parametrize(
    ("text", "reason"),
    [("11", "điểm ngoài thang"), ("7,25", "không đúng bước điểm")],
)
def test_score_off_the_scale(text: str, reason: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading(text, 0.99)
    field = assess(cells).fields["scores.math"]
    assert field.status is REVIEW and field.reason is not None and reason in field.reason


def test_half_points_off_step_in_whole_point_years() -> None:
    cells = readings(texts(1978, Level.PTTH, ["7", "6", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6,5", 0.99)
    field = assess(cells, 1978, Level.PTTH).fields["scores.math"]
    assert field.status is REVIEW and "không đúng bước điểm" in (field.reason or "")


def test_parser_repair_is_never_silent() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6,S", 0.99)
    row = assess(cells)
    math = row.fields["scores.math"]
    assert math.value == "6.5" and math.status is REVIEW
    assert math.reason == "đọc lại ký tự: 6,S → 6,5"


# ---------------------------------------------------------------------------------------------
# Repairs


def _one_wrong(
    alternatives: tuple[Alternative, ...] = (), confidence: float = 0.55
) -> dict[str, Reading]:
    """True literature 1, read 7 at low confidence (a 1↔7 confusion)."""
    cells = readings(texts(1995, Level.THPT, ["1", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("7", confidence, alternatives)
    return cells


def test_doubtful_digit_fixed_by_the_total_with_engine_support() -> None:
    row = assess(_one_wrong((Alternative("1", 0.3),)))
    lit = row.fields["scores.literature"]
    assert lit.value == "1" and lit.ocr_value == "7" and lit.raw_text == "7"
    assert lit.reason == "đã sửa theo tổng điểm: 7 → 1"
    assert lit.status is AUTO  # unique, proposed by the engine, the rest of the row sound
    assert all(f.status is AUTO for f in row.fields.values())


def test_doubtful_digit_fixed_by_confusion_table_stays_for_review() -> None:
    row = assess(_one_wrong())
    lit = row.fields["scores.literature"]
    assert lit.value == "1" and lit.ocr_value == "7"
    assert lit.status is REVIEW and lit.reason == "đã sửa theo tổng điểm: 7 → 1"
    # the identity was spent on the guess: nothing else in it is confirmed
    for name in [*score_fields(row), "total", "result", "ranking"]:
        if name != "scores.literature":
            assert row.fields[name].status is REVIEW, name


def test_lost_half_point_is_repaired() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6", 0.6, (Alternative("6,5", 0.35),))
    math = assess(cells).fields["scores.math"]
    assert math.value == "6.5" and math.ocr_value == "6"
    assert math.reason == "đã sửa theo tổng điểm: 6 → 6,5"


def test_doubled_subject_repair() -> None:
    rule = rules_for(1985, Level.PTTH)
    assert "math" in rule.doubled
    cells = readings(texts(1985, Level.PTTH, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("5,5", 0.6, (Alternative("6,5", 0.3),))
    math = assess(cells, 1985, Level.PTTH).fields["scores.math"]
    assert math.value == "6.5" and math.status is AUTO


def test_ambiguous_repair_is_not_applied() -> None:
    # literature and history both read 7 doubtfully; either could be the 1 the total wants
    cells = readings(texts(1995, Level.THPT, ["1", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("7", 0.55, (Alternative("1", 0.3),))
    cells["scores.history"] = Reading("7", 0.6, (Alternative("1", 0.3),))
    row = assess(cells)
    assert row.fields["scores.literature"].value == "7"
    assert row.fields["scores.history"].value == "7"
    assert all(row.fields[n].status is REVIEW for n in [*score_fields(row), "total"])
    assert all(row.fields[n].reason == "tổng không khớp" for n in score_fields(row))


def test_no_repair_from_a_doubtful_total() -> None:
    cells = _one_wrong((Alternative("1", 0.3),))
    cells["total"] = Reading(cells["total"].text, 0.7)
    row = assess(cells)
    assert row.fields["scores.literature"].value == "7"
    assert row.fields["scores.literature"].status is REVIEW


def test_repair_must_agree_with_the_result() -> None:
    # with literature 1 the candidate passes; a sheet saying "Hỏng" makes the fix inconsistent
    cells = _one_wrong((Alternative("1", 0.3),))
    cells["result"] = Reading("Hỏng", 0.99)
    row = assess(cells)
    assert row.fields["scores.literature"].value == "7"


def test_unreadable_score_is_inferred_for_the_reviewer() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.math"] = Reading("6#", 0.4)
    row = assess(cells)
    math = row.fields["scores.math"]
    assert math.value == "6.5" and math.ocr_value == "6#"
    assert math.status is REVIEW and math.reason == "đã suy ra từ tổng điểm: ? → 6,5"
    assert row.fields["scores.literature"].status is REVIEW


# ---------------------------------------------------------------------------------------------
# Rules from configuration only


@pytest.mark.parametrize(
    ("year", "level"),
    # (None, PTTH): no year, and no PTTH rule examines these subjects (a foreign language)
    # (1960, None): no level, and no rule at all in that year
    [(1960, Level.PTTH), (1995, Level.PTTH), (None, Level.PTTH), (1960, None)],
)
def test_no_rule_means_review(year: int | None, level: Level | None) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    row = assess(cells, year, level)
    for name in [*score_fields(row), "total", "bonus", "result", "ranking"]:
        assert row.fields[name].status is REVIEW
        assert row.fields[name].reason == "không rõ quy chế năm thi"
    assert row.fields["full_name"].status is AUTO


def test_missing_subject_column_means_no_check() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    del cells["scores.history"]
    row = assess(cells)
    assert all(row.fields[n].status is REVIEW for n in [*score_fields(row), "total"])


def test_no_total_column() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    del cells["total"]
    row = assess(cells)
    assert row.fields["scores.math"].reason == "không kiểm tra được tổng"
    relaxed = assess(cells, policy=TrustPolicy(sample_rate=0.0, scores_need_total=False))
    assert relaxed.fields["scores.math"].status is AUTO  # 0.97 ≥ min_confidence_unchecked


# ---------------------------------------------------------------------------------------------
# Names, sex, dates, sequences


@pytest.mark.parametrize(
    ("name", "sex", "reason"),
    [
        ("Nguyễn Thị Thu Hà", "Nam", "giới tính không khớp tên đệm"),
        ("Trần Văn Hùng", "Nữ", "giới tính không khớp tên đệm"),
        ("Lê Minh Hùng", "Nữ", "giới tính không khớp tên"),
    ],
)
def test_sex_against_name(name: str, sex: str, reason: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name=name, sex=sex))
    row = assess(cells)
    assert row.fields["sex"].status is REVIEW and row.fields["sex"].reason == reason
    assert row.fields["full_name"].status is REVIEW


@pytest.mark.parametrize(
    ("name", "sex"),
    [("Trần Văn Tuấn", "Nam"), ("NGUYỄN THỊ THU HÀ", "Nữ"), ("Lê Thị Mai", "Nữ"), ("Lê Mai", "Nữ")],
)
def test_known_names_pass(name: str, sex: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name=name, sex=sex))
    row = assess(cells)
    assert row.fields["full_name"].status is AUTO, row.fields["full_name"].reason
    assert row.fields["sex"].status is AUTO


@pytest.mark.parametrize(
    ("name", "reason_start"),
    [
        ("Nguyễn Thị Thu Hqx", "tên không có trong thống kê"),
        ("Xyzt Văn Hùng", "tên không có trong thống kê"),
        ("Hùng", "họ tên không đủ"),
        ("Đinh Thị xanh", "tên viết hoa không đều"),
        ("Nguyễn Văn 1Hùng", "tên có ký tự lạ"),
    ],
)
def test_suspect_names(name: str, reason_start: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name=name))
    field = assess(cells).fields["full_name"]
    assert field.status is REVIEW
    assert field.reason is not None and field.reason.startswith(reason_start)


@pytest.mark.parametrize(
    ("birth", "status", "reason_start"),
    [
        ("12/03/1978", AUTO, None),
        ("1978", AUTO, None),
        ("12.3.78", AUTO, None),
        ("12/03/1990", REVIEW, "tuổi không hợp lý"),  # 5 years old
        ("12/03/1940", REVIEW, "tuổi không hợp lý"),  # 55, not at THPT
        ("31/02/1978", REVIEW, "ngày sinh không hợp lệ"),
    ],
)
def test_birth_dates(birth: str, status: FieldStatus, reason_start: str | None) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], birth=birth))
    field = assess(cells).fields["birth_date"]
    assert field.status is status
    assert (field.reason or "").startswith(reason_start or "")


def test_age_ranges_follow_the_level() -> None:
    cells = readings(texts(1995, Level.BTVH, ["7", "6,5", "5", "8", "6", "7"], birth="1/1/1950"))
    assert assess(cells, 1995, Level.BTVH).fields["birth_date"].status is AUTO  # 45 at BTVH
    policy = TrustPolicy(sample_rate=0.0, age_ranges={"BTVH": (16, 40)})
    assert assess(cells, 1995, Level.BTVH, policy=policy).fields["birth_date"].status is REVIEW


@pytest.mark.parametrize(
    ("previous", "current", "status"),
    [
        ("0123", "0124", AUTO),
        ("0123", "0130", AUTO),  # gaps are allowed
        ("0123", "0123", REVIEW),
        ("0123", "0122", REVIEW),
        ("0123", "0723", REVIEW),  # a misread digit makes a jump
        ("B.0123", "B.0124", AUTO),
        ("A0123", "B0124", REVIEW),
        (None, "0124", AUTO),  # first row: nothing to compare, judged on confidence
    ],
)
def test_candidate_number_sequence(previous: str | None, current: str, status: FieldStatus) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], number=current))
    field = assess(cells, previous=previous).fields["candidate_number"]
    assert field.status is status
    if status is REVIEW:
        assert field.reason == "số báo danh không liên tiếp"


def test_first_candidate_number_needs_higher_confidence() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]), confidence=0.92)
    assert assess(cells, previous="0123").fields["candidate_number"].status is AUTO
    assert assess(cells, previous=None).fields["candidate_number"].status is REVIEW


def test_doubtful_neighbour_does_not_confirm_a_candidate_number() -> None:
    # A faint "B." lost from both numbers: the pair still runs on, so only the neighbour's
    # own confidence tells that the agreement is worth nothing.
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]), confidence=0.92)
    well_read = assess(cells, previous=Reading("0123", 0.97)).fields["candidate_number"]
    doubtful = assess(cells, previous=Reading("0123", 0.52)).fields["candidate_number"]
    assert well_read.status is AUTO
    assert doubtful.status is REVIEW
    assert doubtful.reason == "độ tin cậy thấp"


def test_jump_from_a_doubtful_neighbour_still_fails() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], number="0723"))
    field = assess(cells, previous=Reading("0123", 0.52)).fields["candidate_number"]
    assert field.reason == "số báo danh không liên tiếp"


def test_row_number_sequence() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    ok = assess(cells, printed_row_number=Reading("8", 0.99), previous_printed_row_number=7)
    assert statuses(ok)["full_name"] is AUTO
    broken = assess(cells, printed_row_number=Reading("9", 0.99), previous_printed_row_number=7)
    assert broken.fields["full_name"].reason == "số thứ tự không liên tiếp"
    assert broken.fields["scores.math"].status is AUTO  # the arithmetic still holds


@pytest.mark.parametrize(
    ("name", "doubtful"),
    [
        ("Trần Văn Hùng", "Hùng"),
        ("Lê Thị Hòa", "Hòa"),
        ("Lê Hoà", "Hoà"),
        ("Nguyễn Văn Khối", "Khối"),
    ],
)
def test_names_whose_marks_are_easily_misread_go_to_review(name: str, doubtful: str) -> None:
    """Hùng/Hưng, Hòa/Hoa, Khôi/Khối are all real names: only the marks tell them apart, and
    the engine confuses marks while staying confident."""
    sex = "Nam" if "Văn" in name or "Khối" in name or "Hùng" in name else "Nữ"
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name=name, sex=sex))
    field = assess(cells).fields["full_name"]
    assert field.status is REVIEW
    assert field.reason == f"dấu dễ đọc nhầm: {doubtful}"


def test_birthplace_not_in_the_place_lists_goes_to_review() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["birthplace"] = Reading("Vũng Tâu", 0.99)  # every word exists; the place does not
    assert assess(cells).fields["birthplace"].status is REVIEW
    cells["birthplace"] = Reading("Vũng Tàu", 0.99)
    assert assess(cells).fields["birthplace"].status is AUTO


def test_birthplace_with_a_misread_word() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["birthplace"] = Reading("Phước Tbuận", 0.99)
    assert assess(cells).fields["birthplace"].status is REVIEW
    cells["birthplace"] = Reading("Xã Phước Thuận, Xuyên Mộc", 0.99)
    assert assess(cells).fields["birthplace"].status is AUTO


# ---------------------------------------------------------------------------------------------
# Sampling and policy


def test_sampling_is_deterministic_and_near_the_rate() -> None:
    keys = [(f"scan-{i // 10}:1:{i % 10}", "scores.math") for i in range(10_000)]
    first = [sampled_for_review(k, f, 0.02) for k, f in keys]
    again = [sampled_for_review(k, f, 0.02) for k, f in keys]
    assert first == again
    assert 150 <= sum(first) <= 250  # binomial(10 000, 2%): mean 200, sd 14
    assert not any(sampled_for_review(k, f, 0.0) for k, f in keys[:100])
    assert all(sampled_for_review(k, f, 1.0) for k, f in keys[:100])


def test_sampled_fields_go_to_review() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    rows = [assess(cells, key=f"scan:1:{i}", policy=TrustPolicy()) for i in range(400)]
    sampled = [f for row in rows for f in row.fields.values() if f.status is REVIEW]
    assert sampled and all(f.reason == "kiểm tra ngẫu nhiên" for f in sampled)
    total = sum(len(row.fields) for row in rows)
    assert 0.01 <= len(sampled) / total <= 0.03
    again = [assess(cells, key=f"scan:1:{i}", policy=TrustPolicy()) for i in range(400)]
    assert [statuses(r) for r in rows] == [statuses(r) for r in again]
    everything = assess(cells, sample_rate=1.0)
    assert all(f.reason == "kiểm tra ngẫu nhiên" for f in everything.fields.values())


def test_policy_thresholds_are_configurable() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    strict = TrustPolicy(sample_rate=0.0, min_confidence=0.98)
    assert assess(cells, policy=strict).fields["full_name"].status is REVIEW
    cells["scores.math"] = Reading("6,5", 0.65)
    assert assess(cells).fields["scores.math"].status is AUTO
    no_boost = TrustPolicy(sample_rate=0.0, support_weight=0.0)
    assert assess(cells, policy=no_boost).fields["scores.math"].status is REVIEW
    assert TrustPolicy().supported_floor == pytest.approx(0.6)


def test_unknown_field_name_is_an_error() -> None:
    with pytest.raises(ValueError):
        assess({"average": Reading("7", 0.99)})


def test_review_rate() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    clean = assess(cells)
    assert review_rate([clean]) == 0.0
    cells["total"] = Reading("50", 0.99)
    assert review_rate([clean, assess(cells)]) > 0.0
    assert review_rate([]) == 0.0


def test_lost_comma_confirmed_by_the_total_is_trusted() -> None:
    """ "75" can only be 7,5 on a 10-point scale; the sum then decides as for any score."""
    cells = readings(texts(1995, Level.THPT, ["7,5", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("75", CONF)
    field = assess(cells).fields["scores.literature"]
    assert field.value == "7.5" and field.ocr_value == "75"
    assert field.status is AUTO and field.reason == "thiếu dấu phẩy: 75 → 7,5"


def test_lost_comma_with_a_sum_that_fails_goes_to_review() -> None:
    cells = readings(texts(1995, Level.THPT, ["7,5", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("85", CONF)  # 8,5 does not balance the total
    assert assess(cells).fields["scores.literature"].status is REVIEW


def test_total_read_without_its_separator_is_restored_and_confirmed_by_the_sum() -> None:
    # 39,5 + 1,5 read "395+1,5": no total of six scores reaches 396,5.
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    cells["total"] = "395+1,5"
    cells["bonus"] = ""
    row = assess(readings(cells))
    total = row.fields["total"]
    assert total.value == "41" and total.ocr_value == "396.5"
    assert total.status is AUTO
    assert total.reason is not None and total.reason.startswith("thiếu dấu phẩy")
    assert statuses(row)["scores.math"] is AUTO


def test_restored_total_that_the_sum_denies_goes_to_review() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    cells["total"] = "405+1,5"  # 40,5 + 1,5: the scores add up to 39,5
    cells["bonus"] = ""
    row = assess(readings(cells))
    assert row.fields["total"].value == "42"
    assert row.fields["total"].status is REVIEW
    assert statuses(row)["scores.math"] is REVIEW


def test_a_possible_total_is_never_reinterpreted() -> None:
    # 45 is a possible total of six scores: "45" stays 45 even though 4,5 could be meant.
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    cells["total"] = "45"
    row = assess(readings(cells))
    assert row.fields["total"].value == "45" and row.fields["total"].ocr_value == "45"
    assert row.fields["total"].status is REVIEW


def _with(cells: dict[str, Reading], name: str, reading: Reading) -> dict[str, Reading]:
    return {**cells, name: reading}


def test_a_plausible_rival_date_keeps_the_date_for_a_person() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    alternatives = (Alternative("12/08/1978", 0.4),)
    row = assess(_with(cells, "birth_date", Reading("12/03/1978", CONF, alternatives)))
    assert row.fields["birth_date"].status is REVIEW
    assert row.fields["birth_date"].reason == "có cách đọc khác: 12/08/1978"


@pytest.mark.parametrize(
    "alternative",
    [
        "12.03.1978",  # the same date with other separators
        "12/03/1878",  # a birth year no candidate of 1995 can have
        "12/O3/1978",  # not a date at all
    ],
)
def test_alternatives_that_are_no_real_rival_do_not_stop_a_date(alternative: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    reading = Reading("12/03/1978", CONF, (Alternative(alternative, 0.6),))
    assert assess(_with(cells, "birth_date", reading)).fields["birth_date"].status is AUTO


def test_a_rival_name_must_be_made_of_known_names() -> None:
    cells = readings(
        texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name="Lê Văn Huy", sex="Nam")
    )
    unknown = Reading("Lê Văn Huy", CONF, (Alternative("Lê Văn Huỵ", 0.5),))
    # "Vân" is a name, but a rare spelling beside "Văn": the checks would doubt it as well
    others = (Alternative("Lê Vân Huy", 0.5), Alternative("Lê Văn Duy", 0.3))
    known = Reading("Lê Văn Huy", CONF, others)
    assert assess(_with(cells, "full_name", unknown)).fields["full_name"].status is AUTO
    field = assess(_with(cells, "full_name", known)).fields["full_name"]
    assert field.status is REVIEW and field.reason == "có cách đọc khác: Lê Văn Duy"


def test_bonus_read_without_its_comma() -> None:
    cells = texts(1996, Level.BTVH, ["6", "7,5", "5", "8", "6", "9"], bonus="1,5")
    cells["bonus"] = "15"
    row = assess(readings(cells), 1996, Level.BTVH)
    bonus = row.fields["bonus"]
    assert bonus.value == "1.5" and bonus.ocr_value == "15" and bonus.status is AUTO
    assert row.fields["total"].status is AUTO


def test_bonus_that_is_no_allowed_value_even_with_a_comma_is_doubted() -> None:
    cells = texts(1996, Level.BTVH, ["6", "7,5", "5", "8", "6", "9"], bonus="1,5")
    cells["bonus"] = "17"  # 1,7 is no bonus the rule gives
    row = assess(readings(cells), 1996, Level.BTVH)
    assert row.fields["bonus"].status is REVIEW


@pytest.mark.parametrize(
    ("place", "reason"),
    [
        ("Long HẢi", "nơi sinh viết hoa không đều: HẢi"),
        ("Phước Tân -", "nơi sinh có dấu lạ ở đầu hay cuối"),
    ],
)
def test_birthplace_misread_marks(place: str, reason: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    field = assess(_with(cells, "birthplace", Reading(place, CONF))).fields["birthplace"]
    assert field.status is REVIEW and field.reason == reason


@pytest.mark.parametrize("place", ["Long Hải", "LONG HẢI", "Vũng Tàu - Côn Đảo"])
def test_birthplace_written_as_sheets_write_it(place: str) -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    field = assess(_with(cells, "birthplace", Reading(place, CONF))).fields["birthplace"]
    assert field.status is AUTO


@pytest.mark.parametrize(
    ("written", "status"), [("tb", REVIEW), ("Tb", REVIEW), ("TB", AUTO), ("trung bình", REVIEW)]
)
def test_ranking_in_letters_no_sheet_prints(written: str, status: FieldStatus) -> None:
    # The same ranking by the rule, but a lower-case initial is a misread letter.
    cells = texts(1995, Level.THPT, ["6", "5,5", "5", "6", "5", "6"])
    assert cells["ranking"] == "Trung bình"
    cells["ranking"] = written
    field = assess(readings(cells)).fields["ranking"]
    assert field.status is status
    if status is REVIEW:
        assert field.reason == "xếp loại viết hoa không đúng"


def test_confident_digit_with_a_strong_runner_up_is_repaired_from_the_engine() -> None:
    # A typewriter's 7 read as 1 at 0.99, the engine's runner-up being 7 at 0.8.
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("1", 0.99, (Alternative("7", 0.8),))
    field = assess(cells).fields["scores.literature"]
    assert field.value == "7" and field.ocr_value == "1"
    assert field.status is AUTO


def test_confident_digit_with_a_weak_runner_up_is_not_touched() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    cells["scores.literature"] = Reading("1", 0.99, (Alternative("7", 0.1),))
    field = assess(cells).fields["scores.literature"]
    assert field.value == "1" and field.status is REVIEW


def test_repair_is_ambiguous_when_a_confident_cell_could_balance_the_row_too() -> None:
    # history 7,5 misread 5,5 at 0.92 (7,5 a weak alternative); math 8 read right but with
    # 10 as a strong runner-up.  Only math counts as doubtful, yet history's own alternative
    # balances the row as well: changing math would be a guess, and a wrong one.
    cells = readings(texts(1995, Level.THPT, ["7", "8", "6", "8", "6", "7,5"]))
    cells["scores.history"] = Reading("5,5", 0.92, (Alternative("7,5", 0.08),))
    cells["scores.math"] = Reading("8", 0.99, (Alternative("10", 0.3),))
    row = assess(cells)
    assert row.fields["scores.math"].value == "8"
    assert row.fields["scores.history"].value == "5.5"
    assert statuses(row)["scores.math"] is REVIEW and statuses(row)["total"] is REVIEW


def test_sex_confirmed_by_a_well_read_name_is_trusted_at_lower_confidence() -> None:
    cells = readings(
        texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name="Lê Văn Huy", sex="Nam")
    )
    confirmed = assess(_with(cells, "sex", Reading("Nam", 0.85))).fields["sex"]
    assert confirmed.status is AUTO
    doubtful_name = _with(cells, "full_name", Reading("Lê Văn Huỵ", CONF))
    only_checked = assess(_with(doubtful_name, "sex", Reading("Nam", 0.85))).fields["sex"]
    assert only_checked.status is REVIEW and only_checked.reason == "độ tin cậy thấp"


def test_sex_the_name_contradicts_is_never_trusted() -> None:
    cells = readings(
        texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"], name="Lê Văn Huy", sex="Nam")
    )
    field = assess(_with(cells, "sex", Reading("Nữ", 0.99))).fields["sex"]
    assert field.status is REVIEW


def test_birthplace_with_words_in_mixed_capitals() -> None:
    cells = readings(texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"]))
    field = assess(_with(cells, "birthplace", Reading("Đất ĐỎ", CONF))).fields["birthplace"]
    assert field.status is REVIEW and field.reason == "nơi sinh viết hoa không đều: Đất ĐỎ"


def test_unread_year_the_subject_columns_decide_the_rule() -> None:
    # PTTH with biology is the 1981-1992 rule, whatever the year: the sum is checked with it.
    cells = readings(texts(1988, Level.PTTH, ["7", "6,5", "5", "8", "6", "7"]))
    row = assess(cells, None, Level.PTTH)
    assert statuses(row)["total"] is AUTO and statuses(row)["scores.math"] is AUTO
    assert row.fields["birth_date"].reason == "không rõ năm thi"


def test_total_misread_is_repaired_from_its_engine_alternative_when_the_scores_are_sound() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    right = cells["total"]
    wrong = "1" + right[1:]  # the leading digit misread, the engine's runner-up being right
    row = assess(readings(cells, total=Reading(wrong, 0.97, (Alternative(right, 0.8),))))
    total = row.fields["total"]
    assert total.value == display_number(Decimal(right.replace(",", "."))).replace(",", ".")
    assert total.ocr_value is not None and total.status is AUTO
    assert total.reason is not None and total.reason.startswith("đã sửa tổng theo các điểm")


def test_total_is_not_repaired_when_a_score_is_doubtful() -> None:
    cells = texts(1995, Level.THPT, ["7", "6,5", "5", "8", "6", "7"])
    right = cells["total"]
    special = readings(cells, total=Reading("1" + right[1:], 0.97, (Alternative(right, 0.8),)))
    special["scores.math"] = Reading("6,5", 0.7)
    row = assess(special)
    assert row.fields["total"].value == row.fields["total"].ocr_value  # not changed
    assert row.fields["total"].status is REVIEW


@pytest.mark.parametrize("written", ["—TB", "TB -", "-TB"])
def test_ranking_with_a_stray_mark_at_its_edge(written: str) -> None:
    # The rule's ranking, but the value kept would be the dash a speck or a rule was read as.
    cells = texts(1995, Level.THPT, ["6", "5,5", "5", "6", "5", "6"])
    cells["ranking"] = written
    field = assess(readings(cells)).fields["ranking"]
    assert field.status is REVIEW
    assert field.reason == "xếp loại có dấu lạ ở đầu hay cuối"


def test_a_total_that_a_hidden_bonus_could_explain_otherwise_is_doubted() -> None:
    """No bonus column and none written in the total: the sheet may have added the bonus
    into the total unseen, so a total equal to the sum whose runner-up is the sum plus one
    of the rule's bonus values (43 read 42) is not confirmed; with a bonus column it is."""
    cells = texts(1988, Level.BTVH, ["9", "8", "8", "8", "9"])
    assert cells["total"] == "42"
    misread = Reading("42", 0.99, (Alternative("43", 0.67),))
    with_column = assess(readings(cells, total=misread), 1988, Level.BTVH)
    assert with_column.fields["total"].status is AUTO
    del cells["bonus"]
    hidden = assess(readings(cells, total=misread), 1988, Level.BTVH)
    assert hidden.fields["total"].status is REVIEW
    assert (hidden.fields["total"].reason or "").startswith("có cách đọc khác: 43")
    assert all(hidden.fields[name].status is AUTO for name in score_fields(hidden))
    plain = assess(readings(cells), 1988, Level.BTVH)  # no runner-up: nothing to doubt
    assert plain.fields["total"].status is AUTO


@pytest.mark.parametrize(
    ("written", "status"),
    [("Trung binh", REVIEW), ("TRUNG BINH", REVIEW), ("Trung bình", AUTO), ("T.B", AUTO)],
)
def test_ranking_written_as_a_word_keeps_the_words_marks(written: str, status: FieldStatus) -> None:
    # "Trung binh" names the rule's "Trung bình" folded, but the value kept is what was read:
    # a typewriter without Vietnamese letters had its marks added by pen, and a reading
    # without them missed the pen (DOMAIN.md §1).
    cells = texts(1995, Level.THPT, ["6", "5,5", "5", "6", "5", "6"])
    cells["ranking"] = written
    field = assess(readings(cells)).fields["ranking"]
    assert field.status is status
    if status is REVIEW:
        assert field.reason == "xếp loại sai dấu"
