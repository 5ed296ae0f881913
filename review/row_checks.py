"""The checks a reviewer sees turn red or green as they type, and the values they imply.

These work on a row's *current values* (canonical text, as stored), not on OCR readings: the
same rules OCR used to decide what to trust (``records.exam_rules``), re-applied to what a
person has decided.  A blocking check that fails keeps the row from approval unless an
approver overrides it with a written reason.  When exactly one value satisfies a failing
check (the total from the scores, a single unknown score from the total, the result and
ranking from the rule), it is offered as a suggestion on that field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ocr.parsing import ABSENT, canonical_number, display_number, match_ranking
from records.exam_rules import ExamRules, ExamRulesError, rules_for
from records.vocabulary import SCORE_PREFIX, ExamResult, Sex

MIN_AGE, MAX_AGE = 9, 70  # age at the exam a sheet can plausibly show (adult education too)


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool | None  # None: cannot be checked yet (a value is missing)
    message: str  # Vietnamese, for the reviewer
    fields: tuple[str, ...]  # the fields behind it, to jump to
    blocking: bool = True


@dataclass
class RowCheckReport:
    checks: list[Check] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)  # field name -> canonical value

    @property
    def passed(self) -> bool:
        """No blocking check failed or is left undecided."""
        return all(c.ok for c in self.checks if c.blocking)

    def failing(self) -> list[Check]:
        return [c for c in self.checks if c.blocking and not c.ok]


def _number(value: str | None) -> Decimal | None:
    if value is None or value == "" or value == ABSENT:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _score_checks(
    rule: ExamRules, values: Mapping[str, str | None], report: RowCheckReport
) -> bool:
    """Range and step of each examined subject; True when every score is known."""
    complete = True
    for subject in rule.subjects:
        name = SCORE_PREFIX + subject
        raw = values.get(name)
        if raw == ABSENT:
            continue
        number = _number(raw)
        if number is None:
            complete = False
            report.checks.append(Check(f"score:{name}", None, "Thiếu điểm môn", (name,)))
        elif not rule.on_step(number):
            complete = False
            report.checks.append(
                Check(
                    f"score:{name}",
                    False,
                    f"Điểm {display_number(number)} ngoài thang hoặc sai bước điểm",
                    (name,),
                )
            )
    return complete


def _scores(rule: ExamRules, values: Mapping[str, str | None]) -> dict[str, Decimal | None]:
    return {s: _number(values.get(SCORE_PREFIX + s)) for s in rule.subjects}


def _total_check(
    rule: ExamRules, values: Mapping[str, str | None], complete: bool, report: RowCheckReport
) -> None:
    names = (*(SCORE_PREFIX + s for s in rule.subjects), "bonus", "total")
    total = _number(values.get("total"))
    bonus = _number(values.get("bonus")) or Decimal(0)
    scores = _scores(rule, values)
    if complete:
        expected = rule.total(scores, bonus)
        ok = total == expected
        if not ok:
            report.suggestions["total"] = canonical_number(expected)
        message = (
            "Tổng điểm khớp"
            if ok
            else (f"Tổng không khớp: cộng các môn được {display_number(expected)}")
        )
        report.checks.append(Check("total", ok, message, names))
        return
    report.checks.append(Check("total", None, "Chưa kiểm tra được tổng (thiếu điểm)", names))
    missing = [s for s, v in scores.items() if v is None and values.get(SCORE_PREFIX + s) != ABSENT]
    if total is not None and len(missing) == 1:
        subject = missing[0]
        rest = rule.total({**scores, subject: Decimal(0)}, bonus)
        implied = (total - rest) / rule.coefficient(subject)
        if rule.on_step(implied):
            report.suggestions[SCORE_PREFIX + subject] = canonical_number(implied)


def _result_checks(
    rule: ExamRules, values: Mapping[str, str | None], complete: bool, report: RowCheckReport
) -> None:
    scores = _scores(rule, values)
    absent = any(values.get(SCORE_PREFIX + s) == ABSENT for s in rule.subjects)
    if not complete and not absent:
        report.checks.append(Check("result", None, "Chưa kiểm tra được kết quả", ("result",)))
        return
    bonus = _number(values.get("bonus")) or Decimal(0)
    passes = rule.passes(scores, bonus)
    expected = (ExamResult.PASSED if passes else ExamResult.FAILED).value
    ok = values.get("result") == expected
    if not ok:
        report.suggestions["result"] = expected
    word = "Đỗ" if passes else "Hỏng"
    report.checks.append(
        Check(
            "result",
            ok,
            "Kết quả khớp quy chế" if ok else f"Theo quy chế phải là «{word}»",
            ("result",),
        )
    )
    if "ranking" not in values:
        return
    expected_rank = rule.ranking(scores, bonus)
    written = values.get("ranking")
    matched = match_ranking(written, [r.word for r in rule.rankings]) if written else None
    ok = matched == expected_rank
    if not ok:
        report.suggestions["ranking"] = expected_rank or ""
    report.checks.append(
        Check(
            "ranking",
            ok,
            "Xếp loại khớp quy chế"
            if ok
            else f"Theo quy chế xếp loại là «{expected_rank or 'không xếp loại'}»",
            ("ranking",),
        )
    )


def _birth_year(value: str | None) -> int | None:
    """The year of a stored birth date ("1972-03-12" or "1972"), None when not a valid one."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).year if len(value) == 10 else int(value)
    except ValueError:
        return None


def _identity_checks(
    values: Mapping[str, str | None], exam_year: int | None, report: RowCheckReport
) -> None:
    name = (values.get("full_name") or "").strip()
    report.checks.append(
        Check(
            "full_name",
            len(name.split()) >= 2,
            "Có họ và tên" if len(name.split()) >= 2 else "Họ tên phải có ít nhất hai tiếng",
            ("full_name",),
        )
    )
    if "birth_date" in values:
        year = _birth_year(values.get("birth_date"))
        if year is None:
            report.checks.append(
                Check("birth_date", False, "Ngày sinh không hợp lệ", ("birth_date",))
            )
        elif exam_year is not None and not MIN_AGE <= exam_year - year <= MAX_AGE:
            report.checks.append(
                Check(
                    "birth_date",
                    False,
                    f"Tuổi khi thi ({exam_year - year}) không hợp lý",
                    ("birth_date",),
                )
            )
        else:
            report.checks.append(Check("birth_date", True, "Ngày sinh hợp lệ", ("birth_date",)))
    if "sex" in values:
        words = name.lower().split()
        middle_thi = len(words) >= 3 and "thị" in words[1:-1]
        ok = not (middle_thi and values.get("sex") == Sex.MALE.value)
        if not ok:
            report.suggestions.setdefault("sex", Sex.FEMALE.value)
        # A warning only: a few men's names carry "Thị", and sheets are not always right.
        report.checks.append(
            Check(
                "sex",
                ok,
                "Giới tính hợp với tên đệm" if ok else "Tên đệm «Thị» mà ghi Nam",
                ("sex", "full_name"),
                blocking=False,
            )
        )


def check_row(
    values: Mapping[str, str | None], *, exam_year: int | None, level: str | None
) -> RowCheckReport:
    """Every check on a row's values (only the fields the sheet has are checked)."""
    report = RowCheckReport()
    _identity_checks(values, exam_year, report)
    try:
        rule = rules_for(exam_year, level) if exam_year and level else None
    except (ExamRulesError, ValueError):
        rule = None
    if rule is None:
        report.checks.append(
            Check("rule", None, "Không rõ năm thi hoặc cấp học: không kiểm tra được điểm", ())
        )
        return report
    complete = _score_checks(rule, values, report)
    if "total" in values:
        _total_check(rule, values, complete, report)
    if "result" in values:
        _result_checks(rule, values, complete, report)
    return report
