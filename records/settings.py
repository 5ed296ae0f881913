"""Settings as a declarative list: every knob has a name, a default and help text.

Modelled on Datasette's settings list: the list is the single source of truth, the README
documents every entry (a test fails the build when one is missing), and values come only from
the environment so that no secret ever needs to live in the repository.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One configurable value, read from an environment variable."""

    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BANGDIEM_DATA_DIR",
        "var",
        "Folder for the SQLite database, stored page images and exports (relative to the "
        "working directory unless absolute).",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of the staff database. Empty: a SQLite file bangdiem.sqlite3 in "
        "BANGDIEM_DATA_DIR (WAL mode). postgresql://user:pass@host/db switches to PostgreSQL.",
    ),
    Setting(
        "BANGDIEM_TESSDATA",
        "",
        "Folder holding Tesseract's traineddata files (vie, eng, osd). Empty: the system default.",
    ),
    Setting(
        "BANGDIEM_MAX_PAGES_PER_FILE",
        "2000",
        "A scan file with more pages than this is refused (protects against hostile PDFs).",
    ),
    Setting(
        "BANGDIEM_MAX_PAGE_PIXELS",
        "250000000",
        "A page image with more pixels than this is refused as a decompression bomb "
        "(an A3 page at 600 dpi is about 70 million).",
    ),
    Setting(
        "BANGDIEM_REVIEW_SAMPLE_RATE",
        "0.02",
        "Share of fields the machine trusts that are still sent to a reviewer at random, so "
        "that the precision of automatic acceptance is measured in production (0 to 1).",
    ),
    Setting(
        "BANGDIEM_RECORD_KEEPER",
        "Sở Giáo dục và Đào tạo tỉnh Bà Rịa – Vũng Tàu",
        "Name of the body that keeps the records, shown on every public page (DOMAIN.md §2: "
        "the province merged into Thành phố Hồ Chí Minh in 2025, so this is configuration).",
    ),
    Setting(
        "BANGDIEM_FOUR_EYES_FIELDS",
        "full_name,birth_date,result",
        "Fields whose correction a second person must confirm before the row can be approved "
        "(comma-separated field names; empty turns four-eyes checking off).",
    ),
    Setting(
        "BANGDIEM_HOST",
        "127.0.0.1",
        "Address the web services listen on.",
    ),
    Setting(
        "BANGDIEM_REVIEW_PORT",
        "8700",
        "Port of the staff review app.",
    ),
    Setting(
        "BANGDIEM_LOOKUP_PORT",
        "8701",
        "Port of the public lookup service.",
    ),
)

_BY_ENV = {s.env: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    data_dir: Path
    database_url: str
    tessdata: str
    max_pages_per_file: int
    max_page_pixels: int
    review_sample_rate: float
    record_keeper: str
    four_eyes_fields: frozenset[str]
    host: str
    review_port: int
    lookup_port: int

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _value(env: Mapping[str, str], name: str) -> str:
    setting = _BY_ENV[name]
    return env.get(name, "") or setting.default


def _four_eyes(env: Mapping[str, str]) -> str:
    # Unlike the other settings, an empty value here means "none" (checking turned off), so
    # the default applies only when the variable is not set at all.
    name = "BANGDIEM_FOUR_EYES_FIELDS"
    return env[name] if name in env else _BY_ENV[name].default


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``env`` (the process environment by default)."""
    source = os.environ if env is None else env
    data_dir = Path(_value(source, "BANGDIEM_DATA_DIR")).expanduser()
    database_url = _value(source, "DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{(data_dir / 'bangdiem.sqlite3').as_posix()}"
    elif database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        tessdata=_value(source, "BANGDIEM_TESSDATA"),
        max_pages_per_file=int(_value(source, "BANGDIEM_MAX_PAGES_PER_FILE")),
        max_page_pixels=int(_value(source, "BANGDIEM_MAX_PAGE_PIXELS")),
        review_sample_rate=float(_value(source, "BANGDIEM_REVIEW_SAMPLE_RATE")),
        record_keeper=_value(source, "BANGDIEM_RECORD_KEEPER"),
        four_eyes_fields=frozenset(
            name.strip() for name in _four_eyes(source).split(",") if name.strip()
        ),
        host=_value(source, "BANGDIEM_HOST"),
        review_port=int(_value(source, "BANGDIEM_REVIEW_PORT")),
        lookup_port=int(_value(source, "BANGDIEM_LOOKUP_PORT")),
    )
