"""The one command: every stage is there, messages are Vietnamese, export writes the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from bangdiem.cli import app

runner = CliRunner()


def test_help_lists_the_stages() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for stage in ("ingest", "export", "scans", "review", "lookup", "table", "db", "settings"):
        assert stage in result.output
    assert "bảng điểm" in result.output


def test_settings_are_listed_with_help() -> None:
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0 and "DATABASE_URL" in result.output


def test_ingest_of_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["ingest", str(tmp_path / "khong-co"), "--batch", "b"],
        env={"BANGDIEM_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2 and "Không tìm thấy" in result.output


def test_ingest_without_its_database_stops_with_exit_code_5(tmp_path: Path) -> None:
    Image.new("L", (50, 50), 200).save(tmp_path / "a.png")
    result = runner.invoke(
        app,
        ["ingest", str(tmp_path), "--batch", "b", "--no-progress"],
        env={"BANGDIEM_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u:p@127.0.0.1:1/x"},
    )
    assert result.exit_code == 5 and "Lỗi cơ sở dữ liệu" in result.output


def test_export_of_an_empty_database_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app,
        ["export", "--format", "jsonl", "--out", str(out)],
        env={"BANGDIEM_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0 and out.read_text() == ""


def test_table_refuses_a_page_without_a_table(tmp_path: Path) -> None:
    blank = tmp_path / "trang.png"
    Image.new("L", (1654, 2339), 230).save(blank)
    result = runner.invoke(app, ["table", str(blank), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 3 and "Không tìm thấy bảng" in result.output


@pytest.mark.slow
def test_scans_generate_writes_truth_in_the_export_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["scans", "generate", "--out", str(tmp_path), "--pages", "1", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    first = json.loads((tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"source", "page", "row", "sheet", "fields"}
