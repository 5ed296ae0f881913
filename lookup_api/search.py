"""Finding a published record from a person's own details: full name and birth date.

Never by name alone (DOMAIN.md §3: name + birth date still collides, name alone collides far
more).  Candidates come from the folded key; the ranking keeps exact spellings first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from records.models import PublishedRecord
from records.vntext import MatchLevel, folded_key, match_level


@dataclass(frozen=True)
class LookupQuery:
    full_name: str
    birth: str  # ISO date "YYYY-MM-DD" or a year "YYYY"
    exam_year: int | None = None


def _birth_matches(record_birth: str | None, wanted: str) -> bool:
    if record_birth is None:
        return False
    if len(wanted) == 4:  # a year matches a full date of that year, and a year-only record
        return record_birth[:4] == wanted
    # A full date matches the same date, or a record whose sheet had only the year.
    return record_birth == wanted or record_birth == wanted[:4]


def find_records(
    session: Session, query: LookupQuery, limit: int = 10
) -> list[tuple[PublishedRecord, MatchLevel]]:
    """Published records matching the query, strongest name match first."""
    statement = select(PublishedRecord).where(
        PublishedRecord.name_key == folded_key(query.full_name)
    )
    if query.exam_year is not None:
        statement = statement.where(PublishedRecord.exam_year == query.exam_year)
    statement = statement.where(col(PublishedRecord.birth_date).startswith(query.birth[:4]))
    found = [
        (record, match_level(query.full_name, record.full_name))
        for record in session.exec(statement.limit(200))
        if _birth_matches(record.birth_date, query.birth)
    ]
    found.sort(key=lambda pair: (-pair[1], pair[0].exam_year or 0, pair[0].id or 0))
    return found[:limit]
