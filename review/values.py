"""What a reviewer types, turned into the canonical value stored for the field.

The same parsers OCR uses (``ocr.parsing``) read a person's input, so "7,5", "7.5" and "V"
mean the same from a keyboard as from a scan, and pasted text in decomposed Unicode (NFD, as
some Vietnamese keyboards and PDFs produce) is stored in NFC.  Human input is never
"repaired": a lost comma is OCR's problem, not a reviewer's, so scores are parsed without the
lost-comma rule and anything unreadable is refused with a message.
"""

from __future__ import annotations

from ocr.parsing import (
    parse_bonus,
    parse_date,
    parse_result,
    parse_score,
    parse_sex,
    parse_total,
)
from records.vntext import nfc, normalize_spacing
from records.vocabulary import FIELDS_BY_NAME, ValueKind


class InvalidValueError(ValueError):
    """Input that is not a value of the field's kind; ``str()`` is the Vietnamese message."""


def canonical_input(name: str, text: str, exam_year: int | None = None) -> str | None:
    """The stored form of ``text`` typed for field ``name`` (None for an empty cell)."""
    cleaned = normalize_spacing(nfc(text)).strip()
    if not cleaned:
        return None
    spec = FIELDS_BY_NAME.get(name)
    kind = spec.kind if spec else ValueKind.TEXT
    if kind is ValueKind.TEXT:
        return cleaned
    if kind is ValueKind.NUMBER:
        parser = {"total": parse_total, "bonus": parse_bonus}.get(name, parse_score)
        number = parser(cleaned)
        if number.value is None or number.repaired:
            raise InvalidValueError(f"«{cleaned}» không phải là điểm (ví dụ: 7,5 hoặc V).")
        return number.value
    if kind is ValueKind.DATE:
        date = parse_date(cleaned, exam_year)
        if date.value is None or date.reason is not None:
            raise InvalidValueError(f"«{cleaned}» không phải là ngày sinh (ví dụ: 12/03/1970).")
        return date.value
    if kind is ValueKind.SEX:
        sex = parse_sex(cleaned)
        if sex.value is None:
            raise InvalidValueError(f"«{cleaned}» không phải là giới tính (Nam hoặc Nữ).")
        return sex.value
    result = parse_result(cleaned)
    if result.value is None:
        raise InvalidValueError(f"«{cleaned}» không phải là kết quả (Đỗ hoặc Hỏng).")
    return result.value
