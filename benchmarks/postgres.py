"""The PostgreSQL server a benchmark uses, and its own schemas there (dropped afterwards)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.serving import ROOT
from records.db import migrate
from records.settings import load_settings


def server_url() -> tuple[str, str]:
    """(URL, where it came from), or ("", why not)."""
    url = os.environ.get("BANGDIEM_BENCH_POSTGRES_URL", "")
    if url:
        return url, "BANGDIEM_BENCH_POSTGRES_URL"
    script = ROOT / "tools" / "postgres-test-server.sh"
    try:
        found = subprocess.run(  # noqa: S603
            [str(script)], capture_output=True, text=True, timeout=120, check=True
        )
    except (OSError, subprocess.SubprocessError) as error:
        return "", f"tools/postgres-test-server.sh failed: {error}"
    url = found.stdout.strip().splitlines()[-1] if found.stdout.strip() else ""
    if not url.startswith("postgresql"):
        return "", "tools/postgres-test-server.sh printed no URL"
    return url, "tools/postgres-test-server.sh"


def psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def with_schema(url: str, schema: str) -> str:
    """``url`` with its search_path set to ``schema`` (the way tests and settings name one)."""
    base = psycopg(url)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def reset_schemas(url: str, schemas: Iterable[str], *, create: bool) -> None:
    """Drop ``schemas`` (and everything in them); create them empty again when ``create``."""
    admin = create_engine(psycopg(url))
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            if create:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


UNLIMITED_RATE = "100000000/1"  # rate limits out of the way of a load test


def fresh_databases(
    kind: str, data_dir: Path, postgres_url: str, schemas: tuple[str, str]
) -> dict[str, str]:
    """An empty data folder and, on PostgreSQL, empty staff and public schemas (``schemas``),
    migrated; the environment naming them (the lookup's rate limits lifted)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {
        "BANGDIEM_DATA_DIR": str(data_dir),
        "BANGDIEM_LOOKUP_CLIENT_RATE": UNLIMITED_RATE,
        "BANGDIEM_LOOKUP_GLOBAL_RATE": UNLIMITED_RATE,
    }
    if kind == "postgresql":
        reset_schemas(postgres_url, schemas, create=True)
        env["DATABASE_URL"] = with_schema(postgres_url, schemas[0])
        env["BANGDIEM_PUBLIC_DATABASE_URL"] = with_schema(postgres_url, schemas[1])
    migrate(load_settings(env))
    return env
