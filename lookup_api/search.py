"""Finding a published record from a person's own details: full name and birth date.

Never by name alone (DOMAIN.md §3: name + birth date still collides, name alone far more).
The birth date (or year) selects the candidates through an index; the name then ranks them:
exact spelling > same spelling with tone marks placed either way > same letters without
accents > one slip (one letter added, lost or changed, on the accent-free key, via rapidfuzz).
Only the best level found is returned, and only when it names at most ``cap`` records: "too
many" answers exactly like "not found", so a vague query learns nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from rapidfuzz.distance import OSA, Levenshtein
from sqlalchemy import Connection, Dialect, and_, bindparam, func, or_, select

from records.driver_sql import fetch_all
from records.public_db import public_record
from records.vntext import folded_key, nfc, normalize_apostrophes, normalize_spacing, search_keys

MAX_SLIPS = 1
# Letters only, two words or more; an apostrophe may join or end a word (H' Ánh, K'Thúy).
_WORD = r"[^\W\d_]+(?:'[^\W\d_]*)*"
_NAME_RE = re.compile(rf"^{_WORD}(?: {_WORD})+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_VN_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


class Match(enum.IntEnum):
    FUZZY = 1
    FOLDED = 2
    TONE = 3
    EXACT = 4


class QueryError(ValueError):
    """A query the service refuses to run; ``str()`` is the Vietnamese message."""


@dataclass(frozen=True)
class Query:
    full_name: str
    birth: str  # "YYYY-MM-DD" or "YYYY"
    exam_year: int | None = None
    council: str | None = None


def clean_name(text: str) -> str:
    """The name as typed, checked: whole words of letters, at least two (no wildcards, no
    fragments: a partial name would let anyone sweep a birth date's records)."""
    name = normalize_apostrophes(normalize_spacing(nfc(text)))
    if len(name) > 120 or not _NAME_RE.match(name):
        raise QueryError("Hãy nhập đầy đủ họ và tên (chỉ gồm chữ, ít nhất hai tiếng).")
    return name


def clean_birth(text: str) -> str:
    """ "YYYY-MM-DD", "DD/MM/YYYY" or "YYYY" -> "YYYY-MM-DD" or "YYYY"."""
    value = text.strip()
    if _YEAR.match(value):
        return value
    match = _ISO_DATE.match(value)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (vn := _VN_DATE.match(value)):
        parts = (vn.group(3), vn.group(2), vn.group(1))
    if parts is not None:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        except ValueError:
            pass
    raise QueryError("Ngày sinh phải có dạng NN/TT/NNNN (hoặc NNNN-TT-NN), hoặc chỉ năm sinh NNNN.")


def _level(query_keys: tuple[str, str, str], row: Any) -> Match | None:
    exact, tone, folded = query_keys
    if row.exact_key == exact:
        return Match.EXACT
    if row.tone_key == tone:
        return Match.TONE
    if row.folded_key == folded:
        return Match.FOLDED
    # OSA: two neighbouring letters swapped ("Dươgn") is one slip, as people type it.
    if OSA.distance(row.folded_key, folded, score_cutoff=MAX_SLIPS) <= MAX_SLIPS:
        return Match.FUZZY
    return None


class Candidate(NamedTuple):
    """What a search reads of a record: the keys it ranks by and the fields an answer may
    show (never published_at or the precomputed year)."""

    public_id: str
    full_name: str
    exact_key: str
    tone_key: str
    folded_key: str
    birth_date: str
    exam_year: int | None
    level: str | None
    council: str | None
    school: str | None
    result: str | None
    ranking: str | None
    total: str | None
    scores_json: str | None


_COLUMNS = [public_record.c[name] for name in Candidate._fields]
_TABLE = public_record.c
# A full date finds the records born that day and those whose sheet gave only the year.  Of
# those, only the ones that can be one slip away are read: a slip changes one word, so either
# every word but the last agrees (a range of the name index) or the last word, the given name,
# does (the given-name index); and a slip changes the length by one at most.  Reading every
# record born that day, or scanning a year's year-only sheets for the given name, cost more
# than everything else a search does.
_ONE_SLIP_LONG = func.length(_TABLE.folded_key).between(bindparam("shortest"), bindparam("longest"))
BY_DATE = select(*_COLUMNS).where(
    or_(
        and_(
            _TABLE.birth_date.in_([bindparam("birth"), bindparam("year")]),
            _TABLE.folded_key >= bindparam("head"),
            _TABLE.folded_key < bindparam("head_end"),
        ),
        and_(
            _TABLE.birth_date.in_([bindparam("birth"), bindparam("year")]),
            _TABLE.given_key == bindparam("given"),
        ),
    ),
    _ONE_SLIP_LONG,
)
# A year alone is broad: no fuzzy matching, the accent-free key must agree.
BY_YEAR = select(*_COLUMNS).where(
    _TABLE.birth_year == bindparam("birth_year"), _TABLE.folded_key == bindparam("folded")
)


def _candidates(dbapi_connection: Any, dialect: Dialect, query: Query, folded: str) -> list[Any]:
    """The records a query can match, read on the driver (``lookup_api.driver``: this
    runs on every request of the public service)."""
    if len(query.birth) == 10:
        words = folded.split()
        head = " ".join(words[:-1]) + " "
        statement = BY_DATE
        params: dict[str, Any] = {
            "birth": query.birth,
            "year": query.birth[:4],
            "head": head,
            "head_end": head + "\x7f",
            "given": words[-1],
            "shortest": len(folded) - MAX_SLIPS,
            "longest": len(folded) + MAX_SLIPS,
        }
    else:
        statement = BY_YEAR
        params = {"birth_year": int(query.birth), "folded": folded}
    rows = fetch_all(dbapi_connection, dialect, statement, params)
    return [Candidate._make(row) for row in rows]


def find_with_driver(
    dbapi_connection: Any, dialect: Dialect, query: Query, cap: int
) -> list[tuple[Any, Match]]:
    """The records at the best match level, or [] when none or more than ``cap``."""
    name = clean_name(query.full_name)
    keys = search_keys(name)
    best: list[tuple[Any, Match]] = []
    for row in _candidates(dbapi_connection, dialect, query, keys[2]):
        if query.exam_year is not None and row.exam_year != query.exam_year:
            continue
        level = _level(keys, row)
        if level is None:
            continue
        if query.council and folded_key(row.council or "") != folded_key(query.council):
            continue
        if not best or level > best[0][1]:
            best = [(row, level)]
        elif level == best[0][1]:
            best.append((row, level))
    if len(query.birth) == 10:
        # Records born that very day come before those whose sheet gave only the year.
        same_day = [pair for pair in best if pair[0].birth_date == query.birth]
        best = same_day or best
    if len(best) > cap:
        return []
    # Among equals, the spelling nearest the query's marks first (Mynh: Minh before Mạnh).
    best.sort(
        key=lambda pair: (
            Levenshtein.distance(pair[0].tone_key, keys[1]),
            pair[0].exam_year or 0,
            pair[0].public_id,
        )
    )
    return best


def find(connection: Connection, query: Query, cap: int) -> list[tuple[Any, Match]]:
    """``find_with_driver`` on a SQLAlchemy connection (tests, benchmarks, tools)."""
    return find_with_driver(connection.connection.dbapi_connection, connection.dialect, query, cap)


def scores_of(row: Any) -> dict[str, str] | None:
    if row.scores_json is None:
        return None
    scores: dict[str, str] = json.loads(row.scores_json)
    return scores


SHOWN_COLUMNS = (
    "full_name",
    "birth_date",
    "exam_year",
    "level",
    "council",
    "school",
    "result",
    "ranking",
    "total",
)


def shown_fields(row: Any) -> dict[str, Any]:
    """What a public answer shows of a read-model row (search results and verifications)."""
    return {**{name: getattr(row, name) for name in SHOWN_COLUMNS}, "scores": scores_of(row)}
