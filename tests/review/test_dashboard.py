"""The batch dashboard shows what a batch holds, failures with their reasons, in Vietnamese."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from ingest.batch import register_paths
from records.settings import Settings
from review.app import create_app
from review.dashboard import batch_figures


def test_dashboard_counts_pages_and_failures(
    settings: Settings, session: Session, tmp_path: Path
) -> None:
    Image.new("L", (50, 50), 200).save(tmp_path / "ok.png")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 40)
    register_paths(session, "lô-1", [tmp_path], settings)
    [figures] = batch_figures(session)
    assert figures.name == "lô-1" and figures.files == 2
    assert figures.pages_by_status["pending"] == 1
    assert [name for name, _ in figures.failed_files] == ["bad.jpg"]
    page = TestClient(create_app(settings)).get("/")
    assert page.status_code == 200
    assert "Các lô quét" in page.text and "lô-1" in page.text and "Tệp lỗi bad.jpg" in page.text


def test_empty_dashboard_explains_what_to_do(settings: Settings) -> None:
    page = TestClient(create_app(settings)).get("/")
    assert "Chưa có lô nào" in page.text
