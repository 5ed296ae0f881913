"""The review benchmark's database: half a million fields of 1990 PTTH sheets, bulk-loaded.

The shape is the one ingest writes (batch → scan file → page → sheet → table row → row
field), filled with values that satisfy the 1990 PTTH rule (six subjects, literature and math
doubled, half-point step), so that every check passes once the fields needing review are
decided.  About a fifth of the fields need review; in most rows it is the total that was
misread, so the row checks offer the right total as a suggestion (the common case the
one-keystroke target is about).  The rest were accepted by the machine.

Loading bypasses the ORM: plain executemany on SQLite and COPY on PostgreSQL, with ids given
here (and the PostgreSQL sequences moved past them), so 500,000 fields load in seconds.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import numpy as np
import psycopg
from PIL import Image
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ocr.parsing import canonical_number, display_number
from records.db import engine_for
from records.exam_rules import rules_for
from records.settings import Settings
from records.vocabulary import SCORE_PREFIX
from review.row_checks import check_row

EXAM_YEAR, LEVEL = 1990, "PTTH"
SUBJECTS = ("literature", "math", "physics", "chemistry", "biology", "history")
FIELD_NAMES: tuple[str, ...] = (
    "candidate_number",
    "full_name",
    "birth_date",
    "sex",
    *(SCORE_PREFIX + s for s in SUBJECTS),
    "total",
    "ranking",
    "result",
)
# A4 at 300 dpi; rows and columns of the table drawn on it, in page pixels.
PAGE_W, PAGE_H = 2480, 3508
TOP, ROW_H, COL_W = 260, 80, 180
IMAGE_PATH = Path("pages") / "bench" / "page.png"  # relative to the data folder, shared

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi")
MIDDLE_F = ("Thị", "Ngọc", "Thị Kim", "Thị Thu")
MIDDLE_M = ("Văn", "Hữu", "Minh", "Đức")
GIVEN = ("Hoà", "Lan", "Hùng", "Dũng", "Mai", "Tuấn", "Hương", "Sơn", "Thảo", "Phúc", "Anh")

MISREAD_TOTAL_SHARE = 0.55  # rows whose total was misread (a suggestion exists)
NEEDS_REVIEW_SHARE = 0.20  # of all fields


@dataclass(frozen=True)
class Shape:
    batches: int = 20
    files_per_batch: int = 5
    pages_per_file: int = 10
    rows_per_page: int = 39

    @property
    def pages(self) -> int:
        return self.batches * self.files_per_batch * self.pages_per_file

    @property
    def rows(self) -> int:
        return self.pages * self.rows_per_page

    @property
    def fields(self) -> int:
        return self.rows * len(FIELD_NAMES)


@dataclass
class Loaded:
    batch_ids: list[int]
    rows: int
    fields: int
    needs_review: int
    misread_totals: int
    seconds: float


def _score_pool(rng: random.Random, size: int) -> list[dict[str, str | None]]:
    """Score, total, ranking and result values that satisfy the 1990 PTTH rule."""
    rule = rules_for(EXAM_YEAR, LEVEL)
    assert tuple(rule.subjects) == SUBJECTS, rule.subjects  # noqa: S101
    pool: list[dict[str, str | None]] = []
    while len(pool) < size:
        scores = {s: Decimal(rng.randint(6, 19)) / 2 for s in SUBJECTS}  # 3 to 9.5
        values: dict[str, str | None] = {
            SCORE_PREFIX + s: canonical_number(v) for s, v in scores.items()
        }
        values["total"] = canonical_number(rule.total(scores))
        values["ranking"] = rule.ranking(scores)
        values["result"] = "passed" if rule.passes(scores) else "failed"
        pool.append(values)
    return pool


def _identity(rng: random.Random, number: int) -> dict[str, str | None]:
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    born = date(1970, 1, 1) + timedelta(days=rng.randrange(5 * 365))
    return {
        "candidate_number": f"{number:05d}",
        "full_name": f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}",
        "birth_date": born.isoformat(),
        "sex": "Nữ" if female else "Nam",
    }


def _shown(name: str, value: str | None) -> str | None:
    """The raw OCR text of a value (as the sheet writes it)."""
    if value is None:
        return None
    if name.startswith(SCORE_PREFIX) or name == "total":
        return display_number(Decimal(value))
    return value


def write_page_image(data_dir: Path) -> Path:
    """The one page image every page points at: ruled like a score sheet, with ink in cells."""
    path = data_dir / IMAGE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.full((PAGE_H, PAGE_W), 250, np.uint8)
    rng = np.random.default_rng(1990)
    bottom = TOP + ROW_H * 40
    image[TOP:bottom:ROW_H, 40 : 40 + COL_W * len(FIELD_NAMES)] = 0
    image[TOP:bottom, 40 : 40 + COL_W * len(FIELD_NAMES) + 1 : COL_W] = 0
    for row in range(40):
        for col in range(len(FIELD_NAMES)):
            y, x = TOP + row * ROW_H + 25, 40 + col * COL_W + 20
            width = int(rng.integers(30, COL_W - 40))
            image[y : y + 30, x : x + width] = rng.integers(0, 120, (30, width), dtype=np.uint8)
    Image.fromarray(image).save(path, optimize=False)
    return path


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite (values given as plain text)."""

    def __init__(self, connection: Connection, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres

    def _value(self, value: Any) -> Any:
        if not self.postgres and isinstance(value, datetime):
            # SQLAlchemy's SQLite DateTime storage format.
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return value

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            raw = cast("psycopg.Connection[Any]", self.connection.connection.dbapi_connection)
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        for chunk in _chunks(rows, 20_000):
            self.connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                [tuple(self._value(v) for v in row) for row in chunk],
            )


ROW_COLUMNS = (
    "id",
    "page_id",
    "sheet_id",
    "row_number",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "version",
)
FIELD_COLUMNS = (
    "id",
    "row_id",
    "name",
    "raw_text",
    "ocr_value",
    "value",
    "confidence",
    "status",
    "reason",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "sampled",
    "version",
)


def load(settings: Settings, shape: Shape, seed: int = 1990) -> Loaded:
    """Fill the (freshly migrated, empty) database of ``settings``."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311
    pool = _score_pool(rng, 400)
    postgres = not settings.is_sqlite
    now = datetime.now(UTC)
    other_share = (len(FIELD_NAMES) * NEEDS_REVIEW_SHARE - MISREAD_TOTAL_SHARE) / (
        len(FIELD_NAMES) - 1
    )
    needs_review = misread = 0
    checked = 0
    engine = engine_for(settings.database_url)
    batch_ids = list(range(1, shape.batches + 1))
    with engine.begin() as connection:
        writer = _Writer(connection, postgres)
        writer.insert(
            "batch",
            ("id", "name", "created_at", "created_by"),
            [(b, f"bench-{b:03d}", now, "bench") for b in batch_ids],
        )
        files = [
            (b, (b - 1) * shape.files_per_batch + f)
            for b in batch_ids
            for f in range(1, shape.files_per_batch + 1)
        ]
        writer.insert(
            "scan_file",
            (
                "id",
                "batch_id",
                "sha256",
                "original_name",
                "stored_path",
                "format",
                "size_bytes",
                "page_count",
                "status",
                "created_at",
            ),
            [
                (
                    f,
                    b,
                    f"{f:064x}",
                    f"quet-{f:04d}.pdf",
                    f"files/{f:04d}.pdf",
                    "pdf",
                    1_000_000,
                    shape.pages_per_file,
                    "done",
                    now,
                )
                for b, f in files
            ],
        )
        pages = [
            (f, (f - 1) * shape.pages_per_file + n)
            for _, f in files
            for n in range(1, shape.pages_per_file + 1)
        ]
        writer.insert(
            "page",
            ("id", "scan_file_id", "page_number", "width", "height", "image_path", "status"),
            [
                (p, f, (p - 1) % shape.pages_per_file + 1, PAGE_W, PAGE_H, str(IMAGE_PATH), "done")
                for f, p in pages
            ],
        )
        writer.insert(
            "sheet",
            ("id", "page_id", "exam_year", "level", "council"),
            [(p, p, EXAM_YEAR, LEVEL, "Bà Rịa") for _, p in pages],
        )
        row_id = field_id = 0
        for batch in batch_ids:
            table_rows: list[tuple[Any, ...]] = []
            fields: list[tuple[Any, ...]] = []
            for _, page_id in pages[
                (batch - 1) * shape.files_per_batch * shape.pages_per_file : batch
                * shape.files_per_batch
                * shape.pages_per_file
            ]:
                for number in range(1, shape.rows_per_page + 1):
                    row_id += 1
                    y = TOP + ROW_H * number
                    table_rows.append(
                        (
                            row_id,
                            page_id,
                            page_id,
                            number,
                            40,
                            y,
                            COL_W * len(FIELD_NAMES),
                            ROW_H,
                            1,
                        )
                    )
                    values = {**_identity(rng, row_id), **rng.choice(pool)}
                    if checked < 500:  # the generator's own check: every row passes as written
                        report = check_row(values, exam_year=EXAM_YEAR, level=LEVEL)
                        assert report.passed, report.failing()  # noqa: S101
                        checked += 1
                    misread_total = rng.random() < MISREAD_TOTAL_SHARE
                    for column, name in enumerate(FIELD_NAMES):
                        field_id += 1
                        value = values[name]
                        status, reason, confidence = "auto", None, 0.97
                        if name == "total" and misread_total:
                            wrong = Decimal(value or "0") + 6
                            value = canonical_number(wrong if wrong <= 80 else wrong - 12)
                            status, reason, confidence = "needs_review", "tổng không khớp", 0.71
                            misread += 1
                        elif name != "total" and rng.random() < other_share:
                            status, reason, confidence = "needs_review", "độ tin cậy thấp", 0.62
                        needs_review += status == "needs_review"
                        fields.append(
                            (
                                field_id,
                                row_id,
                                name,
                                _shown(name, value),
                                value,
                                value,
                                confidence,
                                status,
                                reason,
                                40 + column * COL_W,
                                y,
                                COL_W,
                                ROW_H,
                                False,
                                1,
                            )
                        )
            writer.insert("table_row", ROW_COLUMNS, table_rows)
            writer.insert("row_field", FIELD_COLUMNS, fields)
        if postgres:
            for table in ("batch", "scan_file", "page", "sheet", "table_row", "row_field"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if postgres:
        # What autovacuum does within a minute of a bulk load: planner statistics.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return Loaded(
        batch_ids=batch_ids,
        rows=row_id,
        fields=field_id,
        needs_review=needs_review,
        misread_totals=misread,
        seconds=time.perf_counter() - started,
    )
