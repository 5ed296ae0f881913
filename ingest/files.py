"""Finding input files and recognising them by content, not by name.

A file named .png that is really a Word document must be refused with a clear reason, so the
format comes from the first bytes (magic numbers), and the extension is only a hint.

Hostile files: a file larger than the size limit is refused from its size alone, before a byte
is read; a polyglot (one file that is valid as two formats, such as a JPEG whose first kilobyte
also holds a PDF header, or a PDF that ends with a ZIP directory) is refused, since two programs
could read it two different ways.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import (
    EmptyFileError,
    PolyglotFileError,
    TooLargeError,
    UnsupportedFormatError,
)

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


_FORMAT_NAMES = {"pdf": "PDF", "tiff": "TIFF", "png": "PNG", "jpeg": "JPEG"}
_ZIP_END = b"PK\x05\x06"  # a ZIP archive's end-of-central-directory record
_ZIP_END_SIZE = 22
_ZIP_TAIL = _ZIP_END_SIZE + 0xFFFF  # the record plus the longest comment it may carry


def _second_format(fmt: str, head: bytes, tail: bytes) -> str | None:
    """The other format a file recognised as ``fmt`` is also valid as, if any."""
    if fmt != "pdf" and b"%PDF-" in head[:1024]:
        return "PDF"  # PDF readers accept the header anywhere in the first kilobyte
    # A ZIP reader looks for its directory at the end: a well-formed record whose comment
    # length reaches exactly to the end of the file (chance cannot produce one).
    position = tail.rfind(_ZIP_END)
    while position >= 0:
        if position + _ZIP_END_SIZE <= len(tail):
            comment = struct.unpack_from("<H", tail, position + 20)[0]
            if position + _ZIP_END_SIZE + comment == len(tail):
                return "ZIP"
        position = tail.rfind(_ZIP_END, 0, position)
    return None


def identify(path: Path, *, max_bytes: int | None = None) -> InputFile:
    """Hash and recognise one file; raise an IngestError when it cannot be a scan.

    A file over ``max_bytes`` is refused from its size, without reading it."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise TooLargeError(f"{path.name}: {size:,} byte (tối đa {max_bytes:,})".replace(",", "."))
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if not head:
                head = chunk[:1024]
            digest.update(chunk)
            size += len(chunk)
            tail = (tail + chunk)[-_ZIP_TAIL:]
            if max_bytes is not None and size > max_bytes:  # grew while being read
                raise TooLargeError(f"{path.name}: hơn {max_bytes:,} byte".replace(",", "."))
    if size == 0:
        raise EmptyFileError(path.name)
    fmt = sniff_format(head)
    if fmt is None:
        raise UnsupportedFormatError(path.name)
    other = _second_format(fmt, head, tail)
    if other is not None:
        raise PolyglotFileError(f"{path.name}: vừa là {_FORMAT_NAMES[fmt]} vừa là {other}")
    return InputFile(path=path, sha256=digest.hexdigest(), size_bytes=size, format=fmt)
