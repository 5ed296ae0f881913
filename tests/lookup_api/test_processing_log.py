"""The log of public processing (DOMAIN.md §4): every search leaves one entry with its kind, the
client's network, a keyed hash of the query and the number of records answered — never the name
or the birth date; entries older than the retention are deleted; ``bangdiem log export``
writes the log as CSV for the controller.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlmodel import Session
from typer.testing import CliRunner

from bangdiem.cli import app as cli
from lookup_api import processing_log
from lookup_api.app import create_app
from publishing.publish import publish
from records.public_db import processing_log as log_table
from records.public_db import public_engine
from records.settings import Settings, load_settings
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

# The read model is a SQLite file whatever the staff database (publishing from PostgreSQL is
# tested in tests/publishing), so the lookup side runs once.
pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)

NAME, BIRTH = "Nguyễn Thị Hoà", "1972-03-12"
CLIENT = ("203.0.113.5", 50000)
# Anything that would give the person away, in every form the queries below use.
REVEALING = ("Hoà", "Hòa", "hoa", "Hoa", "HOA", "Nguy", "nguy", "1972-03", "12/03", "03-12")
runner = CliRunner()


def _entries(settings: Settings) -> list[dict[str, object]]:
    with public_engine(settings).connect() as connection:
        rows = connection.execute(select(log_table).order_by(log_table.c.id))
        return [dict(row._mapping) for row in rows]


def _env(settings: Settings) -> dict[str, str]:
    return {
        "BANGDIEM_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "BANGDIEM_PUBLIC_DATABASE_URL": settings.public_database_url,
    }


def _searched(settings: Settings) -> TestClient:
    """A client that searched four times: found, same query again, same person by the portal
    with the date typed the Vietnamese way, and nobody."""
    publish(settings)
    client = TestClient(create_app(settings), client=CLIENT)
    for _ in range(2):
        assert (
            len(
                client.post("/api/v1/search", json={"full_name": NAME, "birth": BIRTH}).json()[
                    "records"
                ]
            )
            == 2
        )
    page = client.post("/", data={"full_name": NAME, "birth": "12/03/1972"})
    assert "Đỗ tốt nghiệp" in page.text
    nobody = client.post(
        "/api/v1/search", json={"full_name": "Nguyen Thi Hoa", "birth": "1972-03-13"}
    )
    assert nobody.json()["records"] == []
    return client


def test_every_search_leaves_one_entry_without_the_query(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    _searched(settings)
    entries = _entries(settings)
    assert [e["kind"] for e in entries] == ["search"] * 4
    assert {e["client_prefix"] for e in entries} == {"203.0.113.0/24"}
    assert [e["result_count"] for e in entries] == [2, 2, 2, 0]
    hashes = [str(e["query_hash"]) for e in entries]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    # The same query hashes the same (repeated probing shows), whichever form it came through;
    # another query hashes differently.
    assert hashes[0] == hashes[1] == hashes[2] != hashes[3]
    # Keyed: not a plain hash anyone could recompute from a list of names and dates.
    for parts in (("search", NAME, BIRTH, None, None), (NAME, BIRTH), (f"{NAME}{BIRTH}",)):
        plain = "\x1f".join(str(p) for p in parts).encode()
        assert hashlib.sha256(plain).hexdigest() not in hashes
    for entry in entries:
        assert not any(word in str(value) for value in entry.values() for word in REVEALING)


def test_the_hash_key_belongs_to_one_read_model(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two deployments hash the same query differently: a leaked log cannot be matched
    against another's, nor against a dictionary built without the key."""
    _searched(settings)
    other = replace(settings, public_database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    client = TestClient(create_app(other), client=CLIENT)
    client.post("/api/v1/search", json={"full_name": NAME, "birth": BIRTH})
    assert _entries(other)[0]["query_hash"] != _entries(settings)[0]["query_hash"]


def test_old_entries_are_deleted_after_the_retention(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    kept_days = 30
    short = replace(settings, log_retention_days=kept_days)
    engine = public_engine(short)
    app = create_app(short)  # creates the read model's tables
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for days in (400, kept_days + 1, kept_days - 1, 1):
            connection.execute(
                insert(log_table).values(
                    at=now - timedelta(days=days),
                    kind="search",
                    client_prefix="198.51.100.0/24",
                    query_hash="0" * 64,
                    result_count=days,
                )
            )
    # The service purges on its first search (and then once an hour).
    client = TestClient(app, client=CLIENT)
    client.post("/api/v1/search", json={"full_name": NAME, "birth": BIRTH})
    assert [e["result_count"] for e in _entries(short)] == [kept_days - 1, 1, 0]
    with engine.begin() as connection:
        assert processing_log.purge(connection, 1, now=now + timedelta(days=3)) == 3
    assert [e["client_prefix"] for e in _entries(short)] == []


def test_bangdiem_log_export_writes_the_log_as_csv(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert load_settings(_env(settings)).public_database_url == settings.public_database_url
    _searched(settings)
    out = tmp_path / "nhat-ky.csv"
    exported = runner.invoke(cli, ["log", "export", "--out", str(out)], env=_env(settings))
    assert exported.exit_code == 0, exported.output
    assert "Đã xuất 4 mục nhật ký." in exported.output
    text = out.read_text(encoding="utf-8")
    assert not any(word in text for word in REVEALING), text
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == processing_log.COLUMNS
    assert [r[1:3] for r in rows[1:]] == [["search", "203.0.113.0/24"]] * 4
    assert [r[4] for r in rows[1:]] == ["2", "2", "2", "0"]
    assert rows[1][3] == rows[2][3] == rows[3][3] != rows[4][3]
    for row in rows[1:]:  # UTC, to the second
        at = datetime.fromisoformat(row[0]).replace(tzinfo=UTC)
        assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)

    # To the screen, and only entries since a moment.
    later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    screen = runner.invoke(cli, ["log", "export", "--since", later], env=_env(settings))
    assert screen.exit_code == 0
    assert "Đã xuất 0 mục nhật ký." in screen.output
    assert screen.output.count("search") == 0
