"""Registering files: every page recorded, duplicates ignored, bad files refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, col, select

from ingest.batch import register_paths
from records.models import AuditEntry, Page, ScanFile
from records.settings import Settings
from records.vocabulary import ProcessingStatus


def _page(size: tuple[int, int] = (200, 120), shade: int = 230) -> Image.Image:
    return Image.new("L", size, shade)


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    _page().save(folder / "a.png")
    _page(shade=200).save(folder / "b.jpg", quality=80)
    frames = [_page(shade=s).convert("1") for s in (100, 150, 210)]
    frames[0].save(folder / "c.tif", save_all=True, append_images=frames[1:], compression="group4")
    pdf_pages = [_page(shade=s).convert("RGB") for s in (120, 180)]
    pdf_pages[0].save(folder / "d.pdf", save_all=True, append_images=pdf_pages[1:])
    return folder


def test_registers_every_page_of_every_format(
    session: Session, settings: Settings, scans: Path
) -> None:
    summary = register_paths(session, "lot-1", [scans], settings)
    assert summary.failed == []
    assert (summary.new_files, summary.new_pages) == (4, 1 + 1 + 3 + 2)
    files = {f.original_name: f for f in session.exec(select(ScanFile))}
    assert {name: f.format for name, f in files.items()} == {
        "a.png": "png",
        "b.jpg": "jpeg",
        "c.tif": "tiff",
        "d.pdf": "pdf",
    }
    assert files["c.tif"].page_count == 3
    pages = session.exec(select(Page).where(Page.scan_file_id == files["c.tif"].id)).all()
    assert sorted(p.page_number for p in pages) == [1, 2, 3]
    assert all(p.status is ProcessingStatus.PENDING for p in pages)
    stored = settings.data_dir / files["d.pdf"].stored_path
    assert stored.read_bytes() == (scans / "d.pdf").read_bytes()


def test_same_file_twice_is_a_no_op(
    session: Session, settings: Settings, scans: Path, tmp_path: Path
) -> None:
    register_paths(session, "lot-1", [scans], settings)
    copy = tmp_path / "renamed.png"
    copy.write_bytes((scans / "a.png").read_bytes())
    again = register_paths(session, "lot-2", [scans, copy], settings)
    assert (again.new_files, again.new_pages) == (0, 0)
    assert sorted(again.already_seen) == ["a.png", "b.jpg", "c.tif", "d.pdf", "renamed.png"]
    assert len(session.exec(select(ScanFile)).all()) == 4


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.png", b"", "Tệp rỗng"),
        ("letter.png", b"Kinh gui So Giao duc\n" * 20, "Không phải tệp ảnh quét"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "bị hỏng"),
    ],
)
def test_bad_files_are_refused_and_the_batch_goes_on(
    session: Session, settings: Settings, scans: Path, name: str, content: bytes, reason: str
) -> None:
    (scans / name).write_bytes(content)
    summary = register_paths(session, "lot-1", [scans], settings)
    assert summary.new_files >= 4
    assert [n for n, _ in summary.failed] == [name]
    assert reason in summary.failed[0][1]


def test_truncated_image_is_recorded_as_failed(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.png"
    _page((800, 600)).save(whole)
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(whole.read_bytes()[:300])
    summary = register_paths(session, "lot-1", [truncated], settings)
    assert [n for n, _ in summary.failed] == ["cut.png"]
    failed = session.exec(select(ScanFile)).one()
    assert failed.status is ProcessingStatus.FAILED and failed.error
    assert session.exec(select(Page)).all() == []
    audit = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "scan_file.register"))
    assert [entry.reason for entry in audit] == [failed.error]


def test_decompression_bomb_is_refused(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from dataclasses import replace

    bomb = tmp_path / "bomb.png"
    Image.new("1", (4000, 3000)).save(bomb)  # 12 Mpx of zeros compresses to almost nothing
    strict = replace(settings, max_page_pixels=1_000_000)
    summary = register_paths(session, "lot-1", [bomb], strict)
    assert summary.failed and "vượt giới hạn" in summary.failed[0][1]
