"""The lookup benchmark's staff database: a million VERIFIED rows with realistic names.

People are drawn from the name statistics of the national exam lists (``records/data/names``,
2016–2017, the lists the collision figures of DOMAIN.md §3 come from): sex first, then a given
name by its count among that sex, a middle part that agrees with the sex (no "Thị" for men, no
"Văn" for women), a surname by its count; about 1 % of names have no middle part, as in the
lists.  Every sheet (40 rows) has an exam year, a level of that year and a council; its people
were born at the level's age that year (PTCS/THCS ~15, PTTH/THPT ~18, BTVH adults), which spans
1955–1990, and ~3 % of sheets wrote only the birth year.  Scores, total, ranking and result
follow the exam rule of the sheet's year and level (``records.exam_rules``).

Only the fields ``publishing.publish`` reads are written (full name, birth date, the scores,
total, ranking, result: 11 fields a row, not 13), with the shape ingest writes (batch → scan
file → page → sheet → table row → row field) and ``table_row.verified_at`` set.  Loading
bypasses the ORM (executemany on SQLite, COPY on PostgreSQL, ``benchmarks.review_data``), and
the row_field indexes are built after the load, as a bulk load does.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from benchmarks.review_data import _Writer
from ocr.parsing import canonical_number
from records.db import engine_for
from records.exam_rules import ExamRules, levels_in, rules_for
from records.reference_data import NamePeriod, brvt_units, name_statistics, short_place_name
from records.settings import Settings
from records.vocabulary import SCORE_PREFIX

ROWS_PER_PAGE = 40
PAGES_PER_FILE = 20
FILES_PER_BATCH = 25
YEAR_ONLY_SHARE = 0.03
BTVH_SHARE = 0.08  # complementary-education (adult) sheets  # sheets that wrote only the birth year
NO_MIDDLE_SHARE = 0.0105  # 2-token names in the 2016–2017 lists (12,032 of 1,146,868)
AGE = {"PTCS": 15, "THCS": 15, "PTTH": 18, "THPT": 18}
FIRST_BIRTH, LAST_BIRTH = 1955, 1990


@dataclass(frozen=True)
class Person:
    row_id: int
    full_name: str
    birth_date: str  # as the sheet wrote it: "YYYY-MM-DD" or "YYYY"
    born: str  # "YYYY-MM-DD": what the person knows (and types) even when the sheet has a year


@dataclass
class Loaded:
    people: list[Person]
    rows: int
    fields: int
    sheets: int
    seconds: float
    distinct_names: int
    names_shared: int  # distinct names carried by two people or more
    name_birth_shared: int  # distinct name + birth date pairs carried by two or more


# -- names -------------------------------------------------------------------------------------


def _title(name: str) -> str:
    return " ".join(word[:1] + word[1:].lower() for word in name.split())


def _wordlike(part: str) -> bool:
    """Letters (and the apostrophe of minority names, "H' Ánh"), not the lists' "-" for none."""
    return all(word.replace("'", "").isalpha() for word in part.split())


class NameSampler:
    """Full names drawn by the counts of each part (see the module's docstring)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        stats = name_statistics(NamePeriod.ALL_2016_2017)
        self.surnames = list(stats.surnames)
        self.surname_weights = list(stats.surnames.values())
        given = list(stats.given.items())
        self.given = [name for name, _ in given]
        # the count split by the share of each sex among the rows whose sex is known
        self.given_weights = {
            female: [
                c.count * (s if female else 1 - s)
                for _, c in given
                for s in [c.female_share if c.female_share is not None else 0.5]
            ]
            for female in (True, False)
        }
        middles = list(stats.middles.items())
        self.middles = {
            True: [m for m, _ in middles if "VĂN" not in m.split() and _wordlike(m)],
            False: [m for m, _ in middles if "THỊ" not in m.split() and _wordlike(m)],
        }
        self.middle_weights = {
            female: [float(stats.middles[m]) for m in self.middles[female]]
            for female in (True, False)
        }

    def draw(self, count: int) -> list[str]:
        rng = self.rng
        sexes = [rng.random() < 0.5 for _ in range(count)]
        women = sum(sexes)
        pools: dict[bool, Iterator[tuple[str, str, str]]] = {}
        for female, size in ((True, women), (False, count - women)):
            givens = rng.choices(self.given, self.given_weights[female], k=size)
            middle_parts = rng.choices(self.middles[female], self.middle_weights[female], k=size)
            surnames = rng.choices(self.surnames, self.surname_weights, k=size)
            pools[female] = iter(zip(surnames, middle_parts, givens, strict=True))
        names = []
        for female in sexes:
            surname, middle, given_name = next(pools[female])
            if rng.random() < NO_MIDDLE_SHARE:
                names.append(_title(f"{surname} {given_name}"))
            else:
                names.append(_title(f"{surname} {middle} {given_name}"))
        return names


# -- sheets and scores -------------------------------------------------------------------------


def _councils() -> list[str]:
    names = {short_place_name(u.name) for u in brvt_units() if u.level == 2}
    return sorted(names) or ["Bà Rịa"]


def _score_pool(rng: random.Random, rule: ExamRules, size: int) -> list[dict[str, str]]:
    """Field values that satisfy ``rule`` (a few candidates fail, as on real sheets)."""
    step = rule.score_step
    top = int(rule.max_score / step)
    pool: list[dict[str, str]] = []
    for _ in range(size):
        scores: dict[str, Decimal | None] = {
            s: step * rng.randint(int(top * 0.3), int(top * 0.95)) for s in rule.subjects
        }
        values = {SCORE_PREFIX + s: canonical_number(v or Decimal(0)) for s, v in scores.items()}
        values["total"] = canonical_number(rule.total(scores))
        ranking = rule.ranking(scores)
        if ranking:
            values["ranking"] = ranking
        values["result"] = "passed" if rule.passes(scores) else "failed"
        pool.append(values)
    return pool


@dataclass(frozen=True)
class SheetPlan:
    exam_year: int
    level: str
    council: str
    year_only: bool

    def birth_years(self) -> tuple[int, int]:
        if self.level == "BTVH":  # adults: 19 to 35
            low, high = self.exam_year - 35, self.exam_year - 19
        else:
            age = AGE[self.level]
            low, high = self.exam_year - age - 2, self.exam_year - age
        return max(FIRST_BIRTH, low), min(LAST_BIRTH, high)


def _sheet_plans(rng: random.Random, count: int) -> list[SheetPlan]:
    councils = _councils()
    plans: list[SheetPlan] = []
    while len(plans) < count:
        year = rng.randint(1975, 2005)
        levels = [str(lv) for lv in levels_in(year) if lv != "BTVH"]
        level = "BTVH" if rng.random() < BTVH_SHARE else rng.choice(levels)
        plan = SheetPlan(year, level, rng.choice(councils), rng.random() < YEAR_ONLY_SHARE)
        low, high = plan.birth_years()
        if low <= high:
            plans.append(plan)
    return plans


# -- loading -----------------------------------------------------------------------------------

ROW_COLUMNS = ("id", "page_id", "sheet_id", "row_number", "verified_at", "version")
FIELD_COLUMNS = ("id", "row_id", "name", "value", "status", "sampled", "version")


def _bulk(
    writer: _Writer, raw: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """COPY on PostgreSQL; on SQLite one executemany on the driver's cursor (values are
    already in SQLite's storage format: no per-value conversion)."""
    if writer.postgres:
        writer.insert(table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    raw.cursor().executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
        rows,
    )


def _deferred_indexes(connection: Connection, postgres: bool, table: str) -> list[str]:
    """Drop ``table``'s secondary indexes; the statements that build them again."""
    found: list[tuple[str, str]]
    if postgres:
        rows = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
                "AND schemaname = current_schema() AND indexdef LIKE 'CREATE INDEX%'"
            ),
            {"t": table},
        ).all()
        found = [(str(name), str(sql)) for name, sql in rows]
    else:
        rows = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
            {"t": table},
        ).all()
        found = [(str(name), str(sql)) for name, sql in rows if sql]  # not constraints' own
    for name, _ in found:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    rebuild = [sql for _, sql in found]
    if postgres:  # foreign keys too: one validation pass after the load, not a trigger a row
        constraints = connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
            ),
            {"t": table},
        ).all()
        for name, definition in constraints:
            connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return rebuild


def load(settings: Settings, records: int, seed: int = 1975) -> Loaded:
    """Fill the (freshly migrated, empty) staff database of ``settings`` with ``records``
    verified rows."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311
    postgres = not settings.is_sqlite
    now = datetime.now(UTC)
    sheets = -(-records // ROWS_PER_PAGE)
    files = -(-sheets // PAGES_PER_FILE)
    batches = -(-files // FILES_PER_BATCH)
    plans = _sheet_plans(rng, sheets)
    names = NameSampler(rng).draw(records)
    pools: dict[tuple[int, str], list[dict[str, str]]] = {}
    people: list[Person] = []
    engine = engine_for(settings.database_url)
    field_id = 0
    with engine.begin() as connection:
        writer = _Writer(connection, postgres)
        stamp: Any = now if postgres else writer._value(now)
        raw = connection.connection.dbapi_connection
        if not postgres:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        rebuild = _deferred_indexes(connection, postgres, "row_field")
        rebuild += _deferred_indexes(connection, postgres, "table_row")
        writer.insert(
            "batch",
            ("id", "name", "created_at", "created_by"),
            [(b, f"tra-cuu-{b:03d}", now, "bench") for b in range(1, batches + 1)],
        )
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
                    (f - 1) // FILES_PER_BATCH + 1,
                    f"{f:064x}",
                    f"quet-{f:05d}.pdf",
                    f"files/{f:05d}.pdf",
                    "pdf",
                    1_000_000,
                    PAGES_PER_FILE,
                    "done",
                    now,
                )
                for f in range(1, files + 1)
            ],
        )
        writer.insert(
            "page",
            ("id", "scan_file_id", "page_number", "status"),
            [
                (p, (p - 1) // PAGES_PER_FILE + 1, (p - 1) % PAGES_PER_FILE + 1, "done")
                for p in range(1, sheets + 1)
            ],
        )
        writer.insert(
            "sheet",
            ("id", "page_id", "exam_year", "level", "council", "school"),
            [
                (p, p, plan.exam_year, plan.level, plan.council, f"Trường {plan.council}")
                for p, plan in enumerate(plans, start=1)
            ],
        )
        chunk_rows: list[tuple[Any, ...]] = []
        chunk_fields: list[tuple[Any, ...]] = []
        for index, name in enumerate(names):
            row_id = index + 1
            page = index // ROWS_PER_PAGE + 1
            plan = plans[page - 1]
            low, high = plan.birth_years()
            year = rng.randint(low, high)
            born = (date(year, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
            birth = str(year) if plan.year_only else born
            people.append(Person(row_id, name, birth, born))
            key = (plan.exam_year, plan.level)
            if key not in pools:
                pools[key] = _score_pool(rng, rules_for(*key), 60)
            values = {"full_name": name, "birth_date": birth, **rng.choice(pools[key])}
            chunk_rows.append((row_id, page, page, index % ROWS_PER_PAGE + 1, stamp, 1))
            for field_name, value in values.items():
                field_id += 1
                chunk_fields.append((field_id, row_id, field_name, value, "verified", False, 1))
            if len(chunk_rows) >= 50_000:
                _bulk(writer, raw, "table_row", ROW_COLUMNS, chunk_rows)
                _bulk(writer, raw, "row_field", FIELD_COLUMNS, chunk_fields)
                chunk_rows, chunk_fields = [], []
        _bulk(writer, raw, "table_row", ROW_COLUMNS, chunk_rows)
        _bulk(writer, raw, "row_field", FIELD_COLUMNS, chunk_fields)
        for statement in rebuild:
            connection.exec_driver_sql(statement)
        if postgres:
            for table in ("batch", "scan_file", "page", "sheet", "table_row", "row_field"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    folded = Counter(p.full_name for p in people)
    pairs = Counter((p.full_name, p.birth_date) for p in people)
    return Loaded(
        people=people,
        rows=len(people),
        fields=field_id,
        sheets=sheets,
        seconds=time.perf_counter() - started,
        distinct_names=len(folded),
        names_shared=sum(1 for c in folded.values() if c > 1),
        name_birth_shared=sum(1 for c in pairs.values() if c > 1),
    )


# -- slips -------------------------------------------------------------------------------------

# NFD marks: shape (circumflex, breve, horn) and tone (grave, acute, tilde, hook, dot)
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"
SHAPES = {CIRCUMFLEX, BREVE, HORN}
HOOK, TILDE = "\u0309", "\u0303"
TONES = {"\u0300", "\u0301", TILDE, HOOK, "\u0323"}
TELEX_SHAPE = {("a", CIRCUMFLEX): "a", ("e", CIRCUMFLEX): "e", ("o", CIRCUMFLEX): "o"}
TELEX_SHAPE.update({("a", BREVE): "w", ("o", HORN): "w", ("u", HORN): "w"})
TELEX_TONE = {"\u0300": "f", "\u0301": "s", TILDE: "x", HOOK: "r", "\u0323": "j"}
# the other shapes a vowel is mistaken for (ă/â/a, ê/e, ô/ơ/o, ư/u)
SHAPE_SWAPS: dict[str, list[str]] = {
    "a": ["", BREVE, CIRCUMFLEX],
    "e": ["", CIRCUMFLEX],
    "o": ["", CIRCUMFLEX, HORN],
    "u": ["", HORN],
}
SLIP_KINDS = (
    "shape ă/â/a ê/e ô/ơ/o ư/u",
    "đ/d",
    "i/y",
    "hỏi/ngã",
    "dropped letter",
    "swapped letters",
    "Telex leftover",
)


def _letters(word: str) -> list[tuple[str, str, str]]:
    """(base letter, shape mark, tone mark) per letter of an NFC word."""
    out = []
    for char in word:
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        shape = next((m for m in marks if m in SHAPES), "")
        tone = next((m for m in marks if m in TONES), "")
        out.append((base, shape, tone))
    return out


def _compose(letters: list[tuple[str, str, str]]) -> str:
    return unicodedata.normalize("NFC", "".join(b + s + t for b, s, t in letters))


def slip(name: str, kind: str, rng: random.Random) -> str | None:
    """``name`` with one slip of ``kind`` in one word, or None when it has no place for one."""
    words = name.split()
    order = list(range(len(words)))
    rng.shuffle(order)
    for w in order:
        letters = _letters(words[w])
        spots: list[int] = []
        lower = [(b.lower(), s, t) for b, s, t in letters]
        if kind.startswith("shape"):
            spots = [i for i, (b, _, _) in enumerate(lower) if b in SHAPE_SWAPS]
        elif kind == "đ/d":
            spots = [i for i, (b, _, _) in enumerate(lower) if b in "dđ"]
        elif kind == "i/y":
            spots = [i for i, (b, _, _) in enumerate(lower) if b in "iy"]
        elif kind == "hỏi/ngã":
            spots = [i for i, (_, _, t) in enumerate(lower) if t in (HOOK, TILDE)]
        elif kind == "dropped letter":
            spots = list(range(len(letters))) if len(letters) > 2 else []
        elif kind == "swapped letters":
            spots = [i for i in range(len(lower) - 1) if lower[i][0] != lower[i + 1][0]]
        elif kind == "Telex leftover":
            spots = [
                i for i, (b, s, t) in enumerate(lower) if (b, s) in TELEX_SHAPE or t or b == "đ"
            ]
        if not spots:
            continue
        i = rng.choice(spots)
        base, shape, tone = letters[i]
        low = base.lower()
        new = list(letters)
        if kind.startswith("shape"):
            others = [s for s in SHAPE_SWAPS[low] if s != shape]
            new[i] = (base, rng.choice(others), tone)
        elif kind == "đ/d":
            swapped = {"d": "đ", "đ": "d", "D": "Đ", "Đ": "D"}[base]
            new[i] = (swapped, shape, tone)
        elif kind == "i/y":
            swapped = {"i": "y", "y": "i", "I": "Y", "Y": "I"}[base]
            new[i] = (swapped, shape, tone)
        elif kind == "hỏi/ngã":
            new[i] = (base, shape, TILDE if tone == HOOK else HOOK)
        elif kind == "dropped letter":
            del new[i]
        elif kind == "swapped letters":
            new[i], new[i + 1] = new[i + 1], new[i]
            if i == 0:  # keep the capital where a word starts
                new[0] = (new[0][0].upper(), new[0][1], new[0][2])
                new[1] = (new[1][0].lower(), new[1][1], new[1][2])
        elif kind == "Telex leftover":
            if low == "đ":  # "Ddức" for "Đức"
                new[i] = ("D" if base == "Đ" else "d", shape, tone)
                new.insert(i + 1, ("d", "", ""))
            elif (low, shape) in TELEX_SHAPE and (not tone or rng.random() < 0.5):
                # the mark key stayed a letter: "Laam" for "Lâm", "Nguyẽen" for "Nguyễn"
                new[i] = (base, "", tone)
                new.insert(i + 1, (TELEX_SHAPE[(low, shape)], "", ""))
            else:
                # the tone key stayed a letter at the end of the word: "Hoangf" for "Hoàng"
                new[i] = (base, shape, "")
                new.append((TELEX_TONE[tone], "", ""))
        word = _compose(new)
        if word != words[w]:
            return " ".join([*words[:w], word, *words[w + 1 :]])
    return None


def unaccented(name: str) -> str:
    """What a phone keyboard without Vietnamese gives: no marks, đ → d."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)
    )
    return stripped.replace("đ", "d").replace("Đ", "D")
