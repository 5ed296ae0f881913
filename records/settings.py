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
        "BANGDIEM_PUBLIC_DATABASE_URL",
        "",
        "SQLAlchemy URL of the public read model that `bangdiem publish` writes and the lookup "
        "service reads (and nothing else). Empty: a SQLite file public.sqlite3 in "
        "BANGDIEM_DATA_DIR. On PostgreSQL, point it at a schema of its own "
        "(?options=-csearch_path%3Dlookup) and serve lookups with a role granted by "
        "`bangdiem publish --grant-role`.",
    ),
    Setting(
        "BANGDIEM_TESSDATA",
        "",
        "Folder holding Tesseract's traineddata files (vie, eng, osd). Empty: the system default.",
    ),
    Setting(
        "BANGDIEM_MAX_FILE_BYTES",
        "2147483648",
        "A scan file larger than this many bytes (default 2 GiB) is refused before it is read.",
    ),
    Setting(
        "BANGDIEM_DB_RETRY_SECONDS",
        "30",
        "How long ingest keeps retrying (5 attempts, doubling waits) to store a page when the "
        "database connection is lost, before the batch stops with exit code 5.",
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
        "BANGDIEM_PUBLIC_FIELDS",
        "exam_year,level,council,school,result,ranking,total,scores",
        "What the public lookup shows of a record besides name and birth date (which it needs "
        "to find it): any of exam_year, level, council, school, result, ranking, total, scores. "
        "Fields left out are not even copied into the public read model.",
    ),
    Setting(
        "BANGDIEM_LOOKUP_MAX_RESULTS",
        "3",
        "Most records one public search returns. More matches than this answer exactly like "
        "no match, so a vague query learns nothing.",
    ),
    Setting(
        "BANGDIEM_LOOKUP_CLIENT_RATE",
        "20/60",
        "Public requests allowed per client network (IPv4 /24, IPv6 /48): COUNT/SECONDS.",
    ),
    Setting(
        "BANGDIEM_LOOKUP_GLOBAL_RATE",
        "200/1",
        "Public requests allowed from everyone together: COUNT/SECONDS.",
    ),
    Setting(
        "BANGDIEM_CAPTCHA_VERIFIER",
        "",
        "CAPTCHA hook: a Python callable `module:function(token, client_address) -> bool` that "
        "checks the token a client sends (form field captcha_token or header X-Captcha-Token). "
        "Empty: no CAPTCHA.",
    ),
    Setting(
        "BANGDIEM_CAPTCHA_WIDGET_FILE",
        "",
        "HTML fragment put inside the portal's search form when the CAPTCHA is on: the "
        "provider's widget, which must fill a field named captcha_token (its script's origin "
        "must also be allowed by the Content-Security-Policy the deployment sends).",
    ),
    Setting(
        "BANGDIEM_LOG_RETENTION_DAYS",
        "365",
        "Days the public processing log (searches, verifications) is kept before deletion.",
    ),
    Setting(
        "BANGDIEM_SHARE_RETENTION_DAYS",
        "365",
        "Days a verification code and the list of its uses are kept once the code has expired "
        "or been revoked; then both are deleted.",
    ),
    Setting(
        "BANGDIEM_SHARE_DAYS",
        "30",
        "Days a verification code a holder makes for an employer stays valid when the holder "
        "does not choose (the holder may choose 1 to 90).",
    ),
    Setting(
        "BANGDIEM_PUBLIC_BASE_URL",
        "http://127.0.0.1:8701",
        "Address the public reaches the lookup service at; the verification links, QR codes and "
        "letters name it.",
    ),
    Setting(
        "BANGDIEM_SIGNING_KEY_FILE",
        "",
        "PEM file of the Ed25519 private key that signs verification letters (`bangdiem keys "
        "generate --out PATH`; keep it out of the repository, mode 0600). Empty: a key is made "
        "once in BANGDIEM_DATA_DIR/signing-key.pem (fine for a demo, not for production).",
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
    public_database_url: str
    tessdata: str
    max_pages_per_file: int
    max_page_pixels: int
    review_sample_rate: float
    record_keeper: str
    four_eyes_fields: frozenset[str]
    public_fields: frozenset[str]
    lookup_max_results: int
    lookup_client_rate: tuple[int, float]
    lookup_global_rate: tuple[int, float]
    captcha_verifier: str
    captcha_widget_file: str
    log_retention_days: int
    host: str
    review_port: int
    lookup_port: int
    share_days: int = 30
    share_retention_days: int = 365
    public_base_url: str = "http://127.0.0.1:8701"
    signing_key_file: str = ""
    max_file_bytes: int = 2 * 1024**3
    db_retry_seconds: float = 30.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _value(env: Mapping[str, str], name: str) -> str:
    setting = _BY_ENV[name]
    return env.get(name, "") or setting.default


def _database_url(value: str, default_file: Path) -> str:
    if not value:
        return f"sqlite:///{default_file.as_posix()}"
    if value.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        return "postgresql+psycopg://" + value.removeprefix("postgresql://")
    return value


PUBLIC_FIELD_CHOICES = frozenset(
    {"exam_year", "level", "council", "school", "result", "ranking", "total", "scores"}
)


def _public_fields(value: str) -> frozenset[str]:
    chosen = frozenset(name.strip() for name in value.split(",") if name.strip())
    unknown = chosen - PUBLIC_FIELD_CHOICES
    if unknown:
        raise ValueError(f"BANGDIEM_PUBLIC_FIELDS: unknown fields {sorted(unknown)}")
    return chosen


def _rate(value: str) -> tuple[int, float]:
    count, _, seconds = value.partition("/")
    return int(count), float(seconds or 1)


def _four_eyes(env: Mapping[str, str]) -> str:
    # Unlike the other settings, an empty value here means "none" (checking turned off), so
    # the default applies only when the variable is not set at all.
    name = "BANGDIEM_FOUR_EYES_FIELDS"
    return env[name] if name in env else _BY_ENV[name].default


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``env`` (the process environment by default)."""
    source = os.environ if env is None else env
    data_dir = Path(_value(source, "BANGDIEM_DATA_DIR")).expanduser()
    database_url = _database_url(_value(source, "DATABASE_URL"), data_dir / "bangdiem.sqlite3")
    public_database_url = _database_url(
        _value(source, "BANGDIEM_PUBLIC_DATABASE_URL"), data_dir / "public.sqlite3"
    )
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        public_database_url=public_database_url,
        tessdata=_value(source, "BANGDIEM_TESSDATA"),
        max_pages_per_file=int(_value(source, "BANGDIEM_MAX_PAGES_PER_FILE")),
        max_page_pixels=int(_value(source, "BANGDIEM_MAX_PAGE_PIXELS")),
        review_sample_rate=float(_value(source, "BANGDIEM_REVIEW_SAMPLE_RATE")),
        record_keeper=_value(source, "BANGDIEM_RECORD_KEEPER"),
        four_eyes_fields=frozenset(
            name.strip() for name in _four_eyes(source).split(",") if name.strip()
        ),
        public_fields=_public_fields(_value(source, "BANGDIEM_PUBLIC_FIELDS")),
        lookup_max_results=int(_value(source, "BANGDIEM_LOOKUP_MAX_RESULTS")),
        lookup_client_rate=_rate(_value(source, "BANGDIEM_LOOKUP_CLIENT_RATE")),
        lookup_global_rate=_rate(_value(source, "BANGDIEM_LOOKUP_GLOBAL_RATE")),
        captcha_verifier=_value(source, "BANGDIEM_CAPTCHA_VERIFIER"),
        captcha_widget_file=_value(source, "BANGDIEM_CAPTCHA_WIDGET_FILE"),
        log_retention_days=int(_value(source, "BANGDIEM_LOG_RETENTION_DAYS")),
        host=_value(source, "BANGDIEM_HOST"),
        review_port=int(_value(source, "BANGDIEM_REVIEW_PORT")),
        lookup_port=int(_value(source, "BANGDIEM_LOOKUP_PORT")),
        share_days=int(_value(source, "BANGDIEM_SHARE_DAYS")),
        share_retention_days=int(_value(source, "BANGDIEM_SHARE_RETENTION_DAYS")),
        public_base_url=_value(source, "BANGDIEM_PUBLIC_BASE_URL").rstrip("/"),
        signing_key_file=_value(source, "BANGDIEM_SIGNING_KEY_FILE"),
        max_file_bytes=int(_value(source, "BANGDIEM_MAX_FILE_BYTES")),
        db_retry_seconds=float(_value(source, "BANGDIEM_DB_RETRY_SECONDS")),
    )
