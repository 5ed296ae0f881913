"""Rows in the database come out in the export contract: JSONL, CSV and XLSX agree."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session

from records.export_format import (
    read_jsonl,
    table_columns,
    write_csv,
    write_jsonl,
    write_xlsx,
)
from records.export_rows import iter_export_rows
from records.models import RowField, Sheet, TableRow
from records.vocabulary import FieldStatus
from tests.factories import add_page


def _add_sheet(session: Session) -> None:
    page = add_page(session, file_name="1987_ba_ria.pdf", page_number=2)
    sheet = Sheet(
        page_id=page.id or 0,
        exam_year=1987,
        level="PTTH",
        council="Hội đồng thi Bà Rịa",
        school="Trường PTTH Bà Rịa",
    )
    session.add(sheet)
    session.flush()
    values = {
        "candidate_number": ("0123", FieldStatus.AUTO),
        "full_name": ("Nguyễn Thị Thu Hà", FieldStatus.AUTO),
        "birth_date": ("1969-03-12", FieldStatus.NEEDS_REVIEW),
        "sex": ("Nữ", FieldStatus.AUTO),
        "scores.math": ("7.5", FieldStatus.AUTO),
        "scores.literature": ("V", FieldStatus.NEEDS_REVIEW),
        "result": ("passed", FieldStatus.VERIFIED),
    }
    for number in (2, 1):  # inserted out of order on purpose
        row = TableRow(page_id=page.id or 0, sheet_id=sheet.id, row_number=number)
        session.add(row)
        session.flush()
        for name, (value, status) in values.items():
            session.add(
                RowField(
                    row_id=row.id or 0,
                    name=name,
                    value=value,
                    status=status,
                    confidence=0.9,
                    reason="độ tin cậy thấp" if status is FieldStatus.NEEDS_REVIEW else None,
                )
            )
    session.commit()


def test_jsonl_follows_the_contract(session: Session) -> None:
    _add_sheet(session)
    rows = list(iter_export_rows(session, "lot-1"))
    assert [(r["source"], r["page"], r["row"]) for r in rows] == [
        ("1987_ba_ria.pdf", 2, 1),
        ("1987_ba_ria.pdf", 2, 2),
    ]
    first = rows[0]
    assert first["sheet"] == {
        "exam_year": 1987,
        "level": "PTTH",
        "council": "Hội đồng thi Bà Rịa",
        "school": "Trường PTTH Bà Rịa",
    }
    fields = first["fields"]
    assert fields["scores"]["math"] == {"value": 7.5, "confidence": 0.9, "status": "auto"}
    assert fields["scores"]["literature"]["value"] == "V"  # absent stays text, never 0
    assert fields["birth_date"]["reason"] == "độ tin cậy thấp"
    assert fields["sex"]["value"] == "Nữ" and fields["result"]["value"] == "passed"
    buffer = io.StringIO()
    write_jsonl(rows, buffer)
    assert json.loads(buffer.getvalue().splitlines()[0]) == first
    assert list(iter_export_rows(session, "another batch")) == []


def test_csv_and_xlsx_carry_the_same_cells(session: Session, tmp_path: Path) -> None:
    _add_sheet(session)
    rows = list(iter_export_rows(session))
    text = io.StringIO()
    assert write_csv(rows, text) == 2
    parsed = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert parsed[0]["full_name"] == "Nguyễn Thị Thu Hà"
    assert parsed[0]["scores.math"] == "7.5" and parsed[0]["scores.math.status"] == "auto"
    workbook_path = tmp_path / "out.xlsx"
    assert write_xlsx(rows, workbook_path) == 2
    sheet = load_workbook(workbook_path, read_only=True).active
    assert sheet is not None
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0][:3] == ["Tệp", "Trang", "Dòng"]
    assert list(cells[1]) == table_columns()
    data = cells[2] + [None] * (len(table_columns()) - len(cells[2]))  # empty tail cells unwritten
    by_column = dict(zip(table_columns(), data, strict=True))
    assert by_column["full_name"] == "Nguyễn Thị Thu Hà" and by_column["scores.math"] == 7.5


def test_read_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    obj = {"source": "a", "page": 1, "row": 1, "sheet": {}, "fields": {}}
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl([obj, obj], handle)
    assert list(read_jsonl(path)) == [obj, obj]
