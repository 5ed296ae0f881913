"""The words of the domain: levels, subjects, statuses and the fields of a table row.

These are the codes of the export contract (README "Export format"); every stage speaks them.
Vietnamese terms are kept beside the English codes because staff and sheets use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """Exam level as printed in the sheet title (the era's code)."""

    PTCS = "PTCS"  # phổ thông cơ sở: lower secondary, before 1993
    PTTH = "PTTH"  # phổ thông trung học: upper secondary, before 1993
    THCS = "THCS"  # trung học cơ sở: lower secondary, from 1993
    THPT = "THPT"  # trung học phổ thông: upper secondary, from 1993
    BTVH = "BTVH"  # bổ túc văn hóa: adult continuing education


class Sex(StrEnum):
    MALE = "Nam"
    FEMALE = "Nữ"


class ExamResult(StrEnum):
    PASSED = "passed"  # Đỗ / Đậu / TN
    FAILED = "failed"  # Hỏng / Rớt / Trượt / Không TN


class FieldStatus(StrEnum):
    """How far a field's value can be trusted."""

    AUTO = "auto"  # accepted by the machine; every check passed
    NEEDS_REVIEW = "needs_review"  # a person must look at it
    CORRECTED = "corrected"  # a person changed the value
    VERIFIED = "verified"  # a person confirmed the value
    ILLEGIBLE = "illegible"  # a person looked and could not read it: only an approver resolves


class ProcessingStatus(StrEnum):
    """Life cycle of a scan file or a page in a batch."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # e.g. a blank page: recorded, nothing to read


class Role(StrEnum):
    OPERATOR = "operator"  # runs and re-runs batches
    REVIEWER = "reviewer"  # corrects fields
    APPROVER = "approver"  # approves records, resolves disputes
    ADMIN = "admin"  # manages users


class ValueKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"  # ISO date, or "YYYY" when only the year is written
    SEX = "sex"
    RESULT = "result"


@dataclass(frozen=True)
class Subject:
    code: str
    name_vi: str


# Subject codes of the export contract, with the Vietnamese name a sheet prints.
SUBJECTS: tuple[Subject, ...] = (
    Subject("literature", "Văn"),
    Subject("math", "Toán"),
    Subject("physics", "Vật lý"),
    Subject("chemistry", "Hóa học"),
    Subject("biology", "Sinh vật"),
    Subject("history", "Lịch sử"),
    Subject("geography", "Địa lý"),
    Subject("foreign_language", "Ngoại ngữ"),
    Subject("civics", "Chính trị"),
)
SUBJECT_CODES: tuple[str, ...] = tuple(s.code for s in SUBJECTS)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a table row: its export key, value kind and Vietnamese label."""

    name: str  # stored name; subject scores are "scores.<code>"
    kind: ValueKind
    label_vi: str


SCORE_PREFIX = "scores."

ROW_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("candidate_number", ValueKind.TEXT, "Số báo danh"),  # số báo danh (SBD)
    FieldSpec("full_name", ValueKind.TEXT, "Họ và tên"),
    FieldSpec("birth_date", ValueKind.DATE, "Ngày sinh"),
    FieldSpec("birthplace", ValueKind.TEXT, "Nơi sinh"),
    FieldSpec("sex", ValueKind.SEX, "Giới tính"),
    *(FieldSpec(SCORE_PREFIX + s.code, ValueKind.NUMBER, s.name_vi) for s in SUBJECTS),
    FieldSpec("total", ValueKind.NUMBER, "Tổng điểm"),
    FieldSpec("bonus", ValueKind.NUMBER, "Điểm khuyến khích / ưu tiên"),
    FieldSpec("ranking", ValueKind.TEXT, "Xếp loại"),
    FieldSpec("result", ValueKind.RESULT, "Kết quả"),
)
FIELDS_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in ROW_FIELDS}

SHEET_KEYS: tuple[str, ...] = ("exam_year", "level", "council", "school")
