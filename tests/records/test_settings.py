"""Every setting is documented, and DATABASE_URL switches the database."""

from __future__ import annotations

from pathlib import Path

from records.settings import SETTINGS, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    undocumented = [s.env for s in SETTINGS if f"`{s.env}`" not in text]
    assert undocumented == []


def test_every_setting_has_help() -> None:
    assert all(len(s.help) > 20 for s in SETTINGS)


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings({"BANGDIEM_DATA_DIR": str(tmp_path)})
    assert settings.is_sqlite
    assert settings.database_url.endswith(f"{tmp_path}/bangdiem.sqlite3")


def test_database_url_switches_to_postgresql_with_psycopg() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://u:p@127.0.0.1/db"})
    assert not settings.is_sqlite
    assert settings.database_url == "postgresql+psycopg://u:p@127.0.0.1/db"
