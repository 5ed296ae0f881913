"""Backup and restore: a round trip gives back every row, every image, on both databases."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session
from typer.testing import CliRunner

from bangdiem.cli import app
from publishing.publish import publish
from records.backup import BackupError, Store, backup, restore
from records.db import engine_for
from records.public_db import public_engine
from records.settings import Settings
from review import approval
from tests.conftest import POSTGRES_URL
from tests.review.conftest import add_review_page, password_hash, staff  # noqa: F401

TABLES = (
    "batch",
    "scan_file",
    "page",
    "sheet",
    "table_row",
    "row_field",
    "audit_entry",
    "staff_user",
    "publication",
)


def _snapshot(settings: Settings) -> dict[str, object]:
    staff_engine = engine_for(settings.database_url)
    with staff_engine.connect() as connection:
        counts = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        values = connection.execute(
            text("SELECT name, value, ocr_value, status FROM row_field ORDER BY id")
        ).all()
        audit = connection.execute(
            text("SELECT actor, action, entity_id FROM audit_entry ORDER BY id")
        ).all()
    with public_engine(settings).connect() as connection:
        public = connection.execute(
            text("SELECT public_id, full_name, birth_date FROM public_record ORDER BY public_id")
        ).all()
    images = {
        p.relative_to(settings.data_dir).as_posix(): p.read_bytes()
        for p in (settings.data_dir / "pages").rglob("*.png")
    }
    return {"counts": counts, "values": values, "audit": audit, "public": public, "images": images}


def _wipe(settings: Settings) -> None:
    """The disaster: the databases and the data folder are gone."""
    for url in (settings.database_url, settings.public_database_url):
        engine_for(url).dispose()
    if settings.is_sqlite:
        for name in ("bangdiem.sqlite3", "public.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (settings.data_dir / f"{name}{suffix}").unlink(missing_ok=True)
    else:
        schema = Store("staff", settings.database_url).schema()
        admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        (settings.data_dir / "public.sqlite3").unlink(missing_ok=True)
    for folder in ("pages", "scans"):
        for path in sorted((settings.data_dir / folder).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()


def test_round_trip_restores_everything(
    settings: Settings,
    session: Session,
    staff: dict[str, object],  # noqa: F811
    tmp_path: Path,
) -> None:
    page = add_review_page(session, settings)
    approval.approve_passing_rows(session, page.page.id or 0, staff["lan"], frozenset())  # type: ignore[arg-type]
    publish(settings)
    before = _snapshot(settings)
    archive = tmp_path / "sao-luu.tar"
    manifest = backup(settings, archive)
    assert "files/pages/test/0001.png" in manifest["members"]  # type: ignore[operator]
    session.close()
    _wipe(settings)
    assert not inspect(engine_for(settings.database_url)).get_table_names() or settings.is_sqlite
    restore(settings, archive)
    assert _snapshot(settings) == before


def test_restore_refuses_to_overwrite_data_and_corrupt_archives(
    settings: Settings,
    session: Session,
    staff: dict[str, object],  # noqa: F811
    tmp_path: Path,
) -> None:
    add_review_page(session, settings)
    archive = tmp_path / "sao-luu.tar"
    backup(settings, archive)
    with pytest.raises(BackupError, match="đang có dữ liệu"):
        restore(settings, archive)
    broken = tmp_path / "hong.tar"
    with tarfile.open(archive) as source, tarfile.open(broken, "w") as target:
        for info in source.getmembers():
            data = source.extractfile(info)
            content = data.read() if data else b""
            if info.name.endswith(".png"):
                content = content[:-1] + bytes([content[-1] ^ 1])
            import io

            target.addfile(info, io.BytesIO(content))
    with pytest.raises(BackupError, match="bị hỏng"):
        restore(settings, broken, force=True)
    (tmp_path / "rac.tar").write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="Không đọc được"):
        restore(settings, tmp_path / "rac.tar")


def test_cli_round_trip(settings: Settings, session: Session, tmp_path: Path) -> None:
    env = {"BANGDIEM_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    runner = CliRunner()
    archive = tmp_path / "a.tar"
    done = runner.invoke(app, ["backup", "--out", str(archive)], env=env)
    assert done.exit_code == 0 and "Đã sao lưu" in done.output
    again = runner.invoke(app, ["restore", str(archive), "--force"], env=env)
    assert again.exit_code == 0 and "Đã khôi phục" in again.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "khong-co.tar")], env=env)
    assert missing.exit_code == 1 and "Không đọc được" in missing.output
