"""Registering scan files in a batch: the first, database-side step of ingest.

Each file is committed in its own transaction together with all its pending pages, so a run
killed at any moment leaves either the whole file registered or nothing of it, and running the
same command again continues with the files not yet seen.  The original file is copied into the
data folder under its hash: the review screen crops the original, and nothing is ever lost.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from ingest.errors import IngestError
from ingest.files import InputFile, discover, identify
from ingest.pages import count_pages
from records.audit import record
from records.models import Batch, Page, ScanFile
from records.settings import Settings
from records.vocabulary import ProcessingStatus

ACTOR = "system:ingest"


@dataclass
class RegisterSummary:
    """What one ingest run did, for the closing message."""

    new_files: int = 0
    new_pages: int = 0
    already_seen: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def get_or_create_batch(session: Session, name: str, actor: str = ACTOR) -> Batch:
    batch = session.exec(select(Batch).where(Batch.name == name)).first()
    if batch is None:
        batch = Batch(name=name, created_by=actor)
        session.add(batch)
        session.flush()
        record(
            session,
            actor=actor,
            action="batch.create",
            entity="batch",
            entity_id=batch.id,
            new_value=name,
        )
    return batch


def _stored_relpath(scan: InputFile) -> Path:
    return Path("scans") / scan.sha256[:2] / f"{scan.sha256}.{scan.format}"


def _store_original(scan: InputFile, data_dir: Path) -> Path:
    relpath = _stored_relpath(scan)
    target = data_dir / relpath
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(scan.path, partial)
        partial.replace(target)  # atomic: a half-copied file never carries the final name
    return relpath


def register_file(
    session: Session, batch: Batch, path: Path, settings: Settings, summary: RegisterSummary
) -> None:
    """Register one file and its pages (or its failure) and commit."""
    try:
        scan = identify(path, max_bytes=settings.max_file_bytes)
    except IngestError as error:
        summary.failed.append((path.name, error.reason()))
        return
    except OSError as error:
        summary.failed.append((path.name, f"Không đọc được tệp: {error.strerror}"))
        return
    if session.exec(select(ScanFile).where(ScanFile.sha256 == scan.sha256)).first() is not None:
        summary.already_seen.append(path.name)
        return
    scan_file = ScanFile(
        batch_id=batch.id or 0,
        sha256=scan.sha256,
        original_name=path.name,
        stored_path=str(_store_original(scan, settings.data_dir)),
        format=scan.format,
        size_bytes=scan.size_bytes,
    )
    try:
        pages = count_pages(
            scan, max_pages=settings.max_pages_per_file, max_pixels=settings.max_page_pixels
        )
    except IngestError as error:
        scan_file.status = ProcessingStatus.FAILED
        scan_file.error = error.reason()
        summary.failed.append((path.name, error.reason()))
        pages = 0
    scan_file.page_count = pages or None
    session.add(scan_file)
    session.flush()
    for number in range(1, pages + 1):
        session.add(Page(scan_file_id=scan_file.id or 0, page_number=number))
    record(
        session,
        actor=ACTOR,
        action="scan_file.register",
        entity="scan_file",
        entity_id=scan_file.id,
        new_value=f"{path.name} ({pages} trang)",
        reason=scan_file.error,
    )
    session.commit()
    summary.new_files += 1
    summary.new_pages += pages


def register_paths(
    session: Session, batch_name: str, paths: Iterable[Path], settings: Settings
) -> RegisterSummary:
    """Register every scan file under ``paths`` in the batch ``batch_name``."""
    summary = RegisterSummary()
    batch = get_or_create_batch(session, batch_name)
    session.commit()
    for path in discover(paths):
        register_file(session, batch, path, settings, summary)
    return summary
