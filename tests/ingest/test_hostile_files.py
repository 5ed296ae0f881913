"""Hostile files are refused with a clear reason, within limits of size, pages, time and memory,
and the rest of the batch goes on.

- a decompression bomb (a PNG declaring 50,000 × 50,000 pixels): refused from its header;
- a PDF of 10,000 (blank) pages: refused from pdfinfo's count, no page rendered;
- TIFFs with a broken IFD chain: an offset past the end is a corrupt file (it used to escape as
  a TypeError and stop the batch), a chain looping back on itself ends at the loop, and a chain
  of 10,000 IFDs (whose PageNumber tag claims 50,000 pages) is walked only up to the limit;
- polyglots (a JPEG whose first kilobyte is also a PDF header, a PDF ending with a ZIP
  directory): refused, since two programs would read them two ways;
- a file over BANGDIEM_MAX_FILE_BYTES (a sparse 2 GiB + 1 byte file): refused from its size.

Each builder writes the file cheaply (no big buffer in memory).  The whole set is registered in
a subprocess whose peak memory (VmHWM, and pdfinfo's as a child) must stay under 200 MB.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from ingest.batch import register_paths
from ingest.errors import TooLargeError
from ingest.page_images import load_page
from records.models import ScanFile
from records.settings import Settings

MEMORY_LIMIT_KB = 200 * 1024


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def write_bomb_png(path: Path, side: int = 50_000) -> None:
    """A PNG declaring side × side gray pixels; its first rows of zeros compress to almost
    nothing (a whole 2.5-gigapixel page of them would be about 2.4 MB)."""
    squeeze = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte + pixels
    data = b"".join(squeeze.compress(row) for _ in range(64)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def write_many_page_pdf(path: Path, pages: int = 10_000) -> None:
    """A valid PDF of ``pages`` blank pages, written object by object (about 700 kB)."""
    first_page = 3
    kids = " ".join(f"{first_page + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode(),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    objects.extend([page] * pages)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets))
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(out.getvalue())


_IFD_ENTRIES = 10
_IFD_SIZE = 2 + _IFD_ENTRIES * 12 + 4


def _ifd(next_offset: int, claimed_pages: int) -> bytes:
    """One 1×1 8-bit gray image, its pixel at offset 8, with a PageNumber tag (297)."""
    entries = [
        (256, 4, 1, 1),  # width
        (257, 4, 1, 1),  # height
        (258, 3, 1, 8),  # bits per sample
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 1),  # black is zero
        (273, 4, 1, 8),  # strip offset
        (277, 3, 1, 1),  # samples per pixel
        (278, 4, 1, 1),  # rows per strip
        (279, 4, 1, 1),  # strip byte count
        (297, 3, 2, 0 | (claimed_pages << 16)),  # PageNumber: page 0 of claimed_pages
    ]
    packed = b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return struct.pack("<H", len(entries)) + packed + struct.pack("<I", next_offset)


def write_tiff_chain(path: Path, ifds: int, last_next: Callable[[int], int]) -> None:
    """A little-endian TIFF with ``ifds`` IFDs in a chain; the last one's next-IFD offset is
    ``last_next(file_size)`` (0 ends the chain; anything else breaks or loops it)."""
    start = 10  # header (8) + the pixel and a pad byte
    size = start + ifds * _IFD_SIZE
    parts = [b"II*\x00", struct.pack("<I", start), b"\x80\x00"]
    for index in range(ifds):
        here = start + index * _IFD_SIZE
        following = here + _IFD_SIZE if index < ifds - 1 else last_next(size)
        parts.append(_ifd(following, claimed_pages=50_000))
    path.write_bytes(b"".join(parts))


def write_jpeg_pdf_polyglot(path: Path) -> None:
    """A real JPEG whose comment, inside the first kilobyte, is a PDF header and body."""
    image = io.BytesIO()
    Image.new("L", (64, 64), 200).save(image, format="JPEG")
    jpeg = image.getvalue()
    comment = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    path.write_bytes(jpeg[:2] + segment + jpeg[2:])  # right after SOI


def write_pdf_zip_polyglot(path: Path) -> None:
    """A valid one-page PDF with a ZIP archive appended: both readers accept it."""
    document = io.BytesIO()
    Image.new("RGB", (200, 120), (230, 230, 230)).save(document, format="PDF")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.txt", "không phải bảng điểm")
    path.write_bytes(document.getvalue() + archive.getvalue())


def write_sparse_over_limit(path: Path, size: int = 2 * 1024**3 + 1) -> None:
    """A file of ``size`` bytes that takes no disk: a PDF header, then a hole."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(size)


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    "bomb.png": (write_bomb_png, "vượt giới hạn"),
    "10000-trang.pdf": (write_many_page_pdf, "10000 trang (tối đa 2000)"),
    "ifd-past-end.tif": (
        lambda p: write_tiff_chain(p, 1, lambda size: size + 10**6),
        "bị hỏng",
    ),
    "ifd-10000.tif": (
        lambda p: write_tiff_chain(p, 10_000, lambda _: 0),
        "hơn 2000 trang (tối đa 2000)",
    ),
    "jpeg-pdf.jpg": (write_jpeg_pdf_polyglot, "vừa là JPEG vừa là PDF"),
    "pdf-zip.pdf": (write_pdf_zip_polyglot, "vừa là PDF vừa là ZIP"),
    "2gib.pdf": (write_sparse_over_limit, "2.147.483.649 byte (tối đa 2.147.483.648)"),
}


def _good_page(folder: Path) -> None:
    Image.new("L", (300, 200), 230).save(folder / "binh-thuong.png")


def _register(session: Session, settings: Settings, folder: Path) -> dict[str, str]:
    started = time.monotonic()
    summary = register_paths(session, "lot", [folder], settings)
    assert time.monotonic() - started < 30
    assert summary.new_pages >= 1  # the good page beside the hostile one: the batch went on
    return dict(summary.failed)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_with_its_reason(
    name: str, session: Session, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write, reason = HOSTILE[name]
    write(folder / name)
    _good_page(folder)
    failed = _register(session, settings, folder)
    assert set(failed) == {name}
    assert reason in failed[name], failed[name]
    files = {f.original_name: f for f in session.exec(select(ScanFile))}
    assert files["binh-thuong.png"].page_count == 1
    if name in files:  # refused after it was identified: the reason is kept on the file
        assert files[name].status == "failed" and reason in (files[name].error or "")


def test_a_looping_ifd_chain_ends_at_the_loop(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_tiff_chain(folder / "self.tif", 1, lambda _: 10)  # the IFD names itself as next
    write_tiff_chain(folder / "two.tif", 2, lambda _: 10)  # the second points to the first
    _good_page(folder)
    assert _register(session, settings, folder) == {}
    pages = {f.original_name: f.page_count for f in session.exec(select(ScanFile))}
    assert pages == {"self.tif": 1, "two.tif": 2, "binh-thuong.png": 1}


def test_the_size_limit_is_a_setting(session: Session, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("L", (600, 400), 90).save(folder / "lon.png")
    _good_page(folder)
    limit = (folder / "binh-thuong.png").stat().st_size
    small = replace(settings, max_file_bytes=limit)
    failed = _register(session, small, folder)
    assert set(failed) == {"lon.png"} and "vượt giới hạn" in failed["lon.png"]


def test_a_bomb_page_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    """Should a bomb reach the reader (say, swapped in after registration), it is refused
    from its header there too."""
    write_bomb_png(tmp_path / "bomb.png")
    with pytest.raises(TooLargeError):
        load_page(tmp_path / "bomb.png", "png", 1, max_pixels=250_000_000)


_MEASURE = """
import json, resource, sys
from pathlib import Path
from sqlmodel import Session
from ingest.batch import register_paths
from records.db import engine_for, migrate
from records.settings import load_settings

settings = load_settings({"BANGDIEM_DATA_DIR": sys.argv[2]})
migrate(settings)
with Session(engine_for(settings.database_url)) as session:
    summary = register_paths(session, "lot", [Path(sys.argv[1])], settings)
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0])
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"failed": dict(summary.failed), "pages": summary.new_pages,
                  "peak_kb": peak, "children_kb": children}))
"""


@pytest.mark.slow
def test_every_hostile_file_at_once_stays_within_memory(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (write, _) in HOSTILE.items():
        write(folder / name)
    _good_page(folder)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(folder), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["pages"] == 1
    assert sorted(report["failed"]) == sorted(HOSTILE)
    for name, (_, reason) in HOSTILE.items():
        assert reason in report["failed"][name]
    assert report["peak_kb"] < MEMORY_LIMIT_KB, report
    assert report["children_kb"] < MEMORY_LIMIT_KB, report  # pdfinfo on 10,000 pages
    assert seconds < 60
