"""The export contract: one JSON object per table row (README "Export format").

Other tools (benchmarks, the sample-scan generator's ground truth, the Sở's own scripts) depend
on this shape, so it is built in exactly one place.  Values travel as stored (canonical text)
and are typed here: scores, total and bonus become numbers when they are numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from records.vocabulary import (
    FIELDS_BY_NAME,
    ROW_FIELDS,
    SCORE_PREFIX,
    SHEET_KEYS,
    FieldStatus,
    ValueKind,
)


@dataclass(frozen=True)
class SheetHeader:
    """What the sheet header says about every row on it."""

    exam_year: int | None = None
    level: str | None = None
    council: str | None = None  # hội đồng thi
    school: str | None = None


@dataclass(frozen=True)
class FieldReading:
    """One field's value with how it was obtained."""

    value: str | None  # canonical text: "7.5", "1969-03-12", "1969", "Nữ", "passed"
    confidence: float | None = None
    status: FieldStatus | None = None
    reason: str | None = None


def typed_value(name: str, text: str | None) -> str | float | None:
    """Return the exported value: numbers for numeric fields, text otherwise.

    A score written as "V" (vắng, absent) stays text: it is not a number and must not be
    silently turned into 0.
    """
    if text is None or text == "":
        return None
    spec = FIELDS_BY_NAME.get(name)
    if spec is not None and spec.kind is ValueKind.NUMBER:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _field_object(name: str, reading: FieldReading) -> dict[str, Any]:
    obj: dict[str, Any] = {"value": typed_value(name, reading.value)}
    if reading.confidence is not None:
        obj["confidence"] = round(reading.confidence, 4)
    if reading.status is not None:
        obj["status"] = str(reading.status)
    if reading.reason:
        obj["reason"] = reading.reason
    return obj


def build_row(
    source: str,
    page: int,
    row: int,
    sheet: SheetHeader,
    fields: Mapping[str, FieldReading],
) -> dict[str, Any]:
    """Build one export object.  ``page`` and ``row`` are 1-based; field names as in ROW_FIELDS."""
    if page < 1 or row < 1:
        raise ValueError("page and row are 1-based")
    out_fields: dict[str, Any] = {}
    scores: dict[str, Any] = {}
    for spec in ROW_FIELDS:
        reading = fields.get(spec.name)
        if reading is None:
            continue
        if spec.name.startswith(SCORE_PREFIX):
            scores[spec.name.removeprefix(SCORE_PREFIX)] = _field_object(spec.name, reading)
        else:
            out_fields[spec.name] = _field_object(spec.name, reading)
    unknown = set(fields) - set(FIELDS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown field names: {sorted(unknown)}")
    if scores:
        out_fields["scores"] = scores
    return {
        "source": source,
        "page": page,
        "row": row,
        "sheet": {
            "exam_year": sheet.exam_year,
            "level": sheet.level,
            "council": sheet.council,
            "school": sheet.school,
        },
        "fields": out_fields,
    }


def flat_fields(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Undo the nesting of ``scores``: {"scores.math": {...}, "full_name": {...}}."""
    flat: dict[str, dict[str, Any]] = {}
    for key, value in obj["fields"].items():
        if key == "scores":
            for code, field in value.items():
                flat[SCORE_PREFIX + code] = field
        else:
            flat[key] = value
    return flat


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# Flat table layout shared by CSV and XLSX: position columns, sheet columns, then per field the
# value, confidence, status and reason.
_FIELD_PARTS = ("confidence", "status", "reason")


def table_columns() -> list[str]:
    columns = ["source", "page", "row", *SHEET_KEYS]
    for spec in ROW_FIELDS:
        columns.append(spec.name)
        columns.extend(f"{spec.name}.{part}" for part in _FIELD_PARTS)
    return columns


def table_header_vi() -> list[str]:
    """Column titles for staff spreadsheets, in Vietnamese."""
    titles = ["Tệp", "Trang", "Dòng", "Năm thi", "Cấp", "Hội đồng thi", "Trường"]
    for spec in ROW_FIELDS:
        titles.extend(
            [
                spec.label_vi,
                f"{spec.label_vi} – độ tin cậy",
                f"{spec.label_vi} – trạng thái",
                f"{spec.label_vi} – lý do",
            ]
        )
    return titles


def to_table_row(obj: Mapping[str, Any]) -> list[Any]:
    sheet = obj["sheet"]
    cells: list[Any] = [obj["source"], obj["page"], obj["row"], *(sheet[k] for k in SHEET_KEYS)]
    flat = flat_fields(obj)
    for spec in ROW_FIELDS:
        field = flat.get(spec.name, {})
        cells.append(field.get("value"))
        cells.extend(field.get(part) for part in _FIELD_PARTS)
    return cells


def write_csv(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(table_columns())
    count = 0
    for row in rows:
        writer.writerow(["" if c is None else c for c in to_table_row(row)])
        count += 1
    return count


def write_xlsx(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write a spreadsheet for staff: Vietnamese titles, then the column codes, then rows."""
    from openpyxl import Workbook  # imported here: only the xlsx export needs it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bảng điểm")
    sheet.freeze_panes = "D3"
    sheet.append(table_header_vi())
    sheet.append(table_columns())
    count = 0
    for row in rows:
        sheet.append(to_table_row(row))
        count += 1
    workbook.save(path)
    return count
