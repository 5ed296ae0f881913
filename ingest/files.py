"""Finding input files and recognising them by content, not by name.

A file named .png that is really a Word document must be refused with a clear reason, so the
format comes from the first bytes (magic numbers), and the extension is only a hint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import EmptyFileError, UnsupportedFormatError

SUPPORTED_EXTENSIONS = frozenset({".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)


@dataclass(frozen=True)
class InputFile:
    path: Path
    sha256: str
    size_bytes: int
    format: str  # pdf, tiff, png, jpeg


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield scan files under ``paths`` (files as given, folders searched recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
            )
        else:
            yield path


def sniff_format(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    # PDFs may carry junk before the header (the spec allows it within the first 1024 bytes).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def identify(path: Path) -> InputFile:
    """Hash and recognise one file; raise an IngestError when it cannot be a scan."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if not head:
                head = chunk[:1024]
            digest.update(chunk)
            size += len(chunk)
    if size == 0:
        raise EmptyFileError(path.name)
    fmt = sniff_format(head)
    if fmt is None:
        raise UnsupportedFormatError(path.name)
    return InputFile(path=path, sha256=digest.hexdigest(), size_bytes=size, format=fmt)
