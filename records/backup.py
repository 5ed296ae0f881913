"""``bangdiem backup`` / ``bangdiem restore``: the databases and the stored images, in one file.

A backup is a tar archive holding:

- ``database/staff.*`` and ``database/public.*``: the staff database and the public read model
  (share codes and the processing log live there and cannot be rebuilt). SQLite files are
  copied with SQLite's online backup API (a consistent snapshot while the apps run);
  PostgreSQL is dumped with ``pg_dump --format=custom`` (the schema named by the URL's
  search_path when it has one);
- ``files/scans/`` and ``files/pages/``: the original scans and the page images reviewers see;
- ``manifest.json``: when, from what, and the SHA-256 of every member, checked before restore.

Secrets are not in it (the signing key, passwords in URLs): they come from the environment.
Restore refuses to overwrite a database that holds data unless told to (``--force``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from records.db import engine_for
from records.settings import Settings

FILE_FOLDERS = ("scans", "pages")
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; ``str()`` is the Vietnamese message."""


@dataclass(frozen=True)
class Store:
    """One database of the backup: its role (staff/public) and URL."""

    role: str
    url: str

    @property
    def parsed(self) -> URL:
        return make_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.parsed.get_backend_name() == "sqlite"

    @property
    def member(self) -> str:
        return f"database/{self.role}.{'sqlite3' if self.is_sqlite else 'pgdump'}"

    def schema(self) -> str | None:
        """The schema named by ``options=-csearch_path=NAME`` in a PostgreSQL URL."""
        options = self.parsed.query.get("options")
        value = options if isinstance(options, str) else (options[0] if options else "")
        for part in value.split():
            if part.startswith("-csearch_path="):
                return part.split("=", 1)[1].split(",")[0]
        return None

    def libpq(self) -> tuple[list[str], dict[str, str]]:
        """Connection arguments for pg_dump/pg_restore, and the environment carrying the
        password (never on a command line, where other users could read it)."""
        url = self.parsed
        args = [
            "--host",
            url.host or "127.0.0.1",
            "--port",
            str(url.port or 5432),
            "--username",
            url.username or "postgres",
            "--dbname",
            url.database or "",
        ]
        env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
        return args, env


def stores(settings: Settings) -> list[Store]:
    return [Store("staff", settings.database_url), Store("public", settings.public_database_url)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump(store: Store, target: Path) -> None:
    if store.is_sqlite:
        source_path = store.parsed.database or ""
        if not Path(source_path).exists():
            sqlite3.connect(target).close()  # nothing yet: an empty database
            return
        with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    args, env = store.libpq()
    schema = store.schema()
    command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args]
    if schema:
        command += ["--schema", schema]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_dump thất bại: {done.stderr.strip()[:500]}")


def _files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    for folder in FILE_FOLDERS:
        root = data_dir / folder
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    yield path, f"files/{path.relative_to(data_dir).as_posix()}"


def backup(settings: Settings, out: Path) -> dict[str, object]:
    """Write the backup archive ``out``; return its manifest."""
    members: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(out, "w") as archive:
        for store in stores(settings):
            dumped = Path(scratch) / store.member.replace("/", "_")
            _dump(store, dumped)
            members[store.member] = _sha256(dumped)
            archive.add(dumped, store.member)
        for path, name in _files(settings.data_dir):
            members[name] = _sha256(path)
            archive.add(path, name)
        manifest: dict[str, object] = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "databases": {
                s.role: ("sqlite" if s.is_sqlite else "postgresql") for s in stores(settings)
            },
            "members": members,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return manifest


def _has_data(store: Store) -> bool:
    engine = engine_for(store.url)
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        for table in ("table_row", "public_record", "batch"):
            if (
                table in tables
                and connection.execute(
                    text(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 - a fixed table name
                ).first()
            ):
                return True
    return False


def _safe_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    found = {}
    for info in archive.getmembers():
        name = info.name
        if name.startswith("/") or ".." in Path(name).parts or not (info.isfile()):
            raise BackupError(f"Tệp sao lưu có mục không hợp lệ: {name}")
        found[name] = info
    return found


def restore(settings: Settings, archive_path: Path, *, force: bool = False) -> dict[str, object]:
    """Restore databases and files from ``archive_path``; return the manifest."""
    try:
        archive = tarfile.open(archive_path, "r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Không đọc được tệp sao lưu: {error}") from error
    with archive, tempfile.TemporaryDirectory() as scratch:
        members = _safe_members(archive)
        if "manifest.json" not in members:
            raise BackupError("Tệp không phải bản sao lưu của bangdiem (thiếu manifest.json).")
        extracted = archive.extractfile(members["manifest.json"])
        manifest = json.loads(extracted.read() if extracted else b"{}")
        expected: dict[str, str] = manifest.get("members", {})
        archive.extractall(scratch, filter="data")
        for name, digest in expected.items():
            path = Path(scratch) / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"Bản sao lưu bị hỏng: {name} không khớp mã băm.")
        targets = stores(settings)
        for store in targets:
            if not force and _has_data(store):
                raise BackupError(
                    f"Cơ sở dữ liệu {store.role} đang có dữ liệu; dùng --force để ghi đè."
                )
        for store in targets:
            source = Path(scratch) / store.member
            if not source.is_file():
                raise BackupError(
                    f"Bản sao lưu không có cơ sở dữ liệu {store.role} dạng "
                    f"{'SQLite' if store.is_sqlite else 'PostgreSQL'}."
                )
            _load(store, source)
        for name in expected:
            if name.startswith("files/"):
                target = settings.data_dir / name.removeprefix("files/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(scratch) / name, target)
    return dict(manifest)


def _load(store: Store, source: Path) -> None:
    engine_for(store.url).dispose()  # no pooled connection may keep the old file open
    if store.is_sqlite:
        target = Path(store.parsed.database or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(source) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
        return
    args, env = store.libpq()
    command = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *args,
        str(source),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_restore thất bại: {done.stderr.strip()[:500]}")
