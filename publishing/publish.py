"""``bangdiem publish``: copy verified records into the public read model, incrementally.

Only rows an approver verified are published, with only the fields the deployment shows
(``BANGDIEM_PUBLIC_FIELDS``) plus name and birth date, and precomputed search keys.  Three
steps, each its own transaction, so that a crash anywhere leaves nothing half-published and the
next run finishes the job:

1. staff database: new rows get a random public id (``publication`` row, hash not yet set);
2. public database, ONE transaction: withdrawn records deleted, new and changed ones written.
   Readers see the old state until the commit and the new one after it, never a mix;
3. staff database: the published content hashes and withdrawals are recorded.

A crash between 2 and 3 only means the next run writes the same records again under the same
public ids (the write is a replace).  Re-publishing compares content hashes, so it sends only
what changed; a row that is no longer verified (reopened) is withdrawn.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlmodel import col

from records.db import get_engine
from records.driver_sql import copy_rows
from records.models import Publication, RowField, Sheet, TableRow
from records.public_db import ensure_schema, public_engine, public_record, search_columns
from records.settings import Settings
from records.vntext import nfc, normalize_spacing
from records.vocabulary import SCORE_PREFIX, SUBJECT_CODES

CHUNK = 5000
# The fields a public record can carry (what BANGDIEM_PUBLIC_FIELDS may show, and the keys).
PUBLISHED_FIELDS = (
    "full_name",
    "birth_date",
    "result",
    "ranking",
    "total",
    *(SCORE_PREFIX + code for code in SUBJECT_CODES),
)
PUBLIC_ID_BYTES = 12  # 96 random bits, 16 URL-safe characters: not guessable, not sequential


@dataclass
class PublishSummary:
    published: int = 0  # new in the public model
    updated: int = 0  # changed since the last publish
    withdrawn: int = 0  # no longer verified
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason (Vietnamese) -> rows
    seconds: float = 0.0


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _verified_values(connection: Connection) -> dict[int, dict[str, str | None]]:
    """Field values of every verified row, by row id (streamed: millions of fields)."""
    values: dict[int, dict[str, str | None]] = {}
    statement = (
        select(col(RowField.row_id), col(RowField.name), col(RowField.value))
        .join(TableRow, col(RowField.row_id) == col(TableRow.id))
        .where(col(TableRow.verified_at).is_not(None), col(RowField.name).in_(PUBLISHED_FIELDS))
    )
    for row_id, name, value in connection.execution_options(yield_per=20000).execute(statement):
        values.setdefault(row_id, {})[name] = value
    return values


def _headers(connection: Connection) -> dict[int, tuple[Any, ...]]:
    statement = (
        select(
            col(TableRow.id),
            col(Sheet.exam_year),
            col(Sheet.level),
            col(Sheet.council),
            col(Sheet.school),
        )
        .join(Sheet, col(TableRow.sheet_id) == col(Sheet.id), isouter=True)
        .where(col(TableRow.verified_at).is_not(None))
    )
    return {row[0] or 0: tuple(row[1:]) for row in connection.execute(statement)}


def public_content(
    values: dict[str, str | None], header: tuple[Any, ...], shown: frozenset[str]
) -> dict[str, Any] | str:
    """What the public model holds of one record, or why it cannot be published."""
    name = normalize_spacing(nfc(values.get("full_name") or ""))
    birth = values.get("birth_date") or ""
    if len(name.split()) < 2:
        return "thiếu họ tên"
    if len(birth) not in (4, 10) or not birth[:4].isdigit():
        return "thiếu ngày sinh"  # lookups need it: a name alone never finds anything
    exam_year, level, council, school = header
    content: dict[str, Any] = {"full_name": name, "birth_date": birth}
    optional = {
        "exam_year": exam_year,
        "level": level,
        "council": council,
        "school": school,
        "result": values.get("result"),
        "ranking": values.get("ranking"),
        "total": values.get("total"),
    }
    content.update({k: v for k, v in optional.items() if k in shown})
    if "scores" in shown:
        scores = {
            k.removeprefix(SCORE_PREFIX): v
            for k, v in values.items()
            if k.startswith(SCORE_PREFIX) and v is not None
        }
        content["scores"] = scores
    return content


def _hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _public_row(public_id: str, content: dict[str, Any], now: datetime) -> dict[str, Any]:
    name, birth = content["full_name"], content["birth_date"]
    scores = content.get("scores")
    return {
        "public_id": public_id,
        "full_name": name,
        **search_columns(name),
        "birth_date": birth,
        "birth_year": int(birth[:4]),
        "exam_year": content.get("exam_year"),
        "level": content.get("level"),
        "council": content.get("council"),
        "school": content.get("school"),
        "result": content.get("result"),
        "ranking": content.get("ranking"),
        "total": content.get("total"),
        "scores_json": json.dumps(scores, ensure_ascii=False) if scores is not None else None,
        "published_at": now,
    }


_PUBLISHED_NOW = Table(
    "published_now",
    MetaData(),
    Column("row_id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)


def _record_published(connection: Connection, hashes: list[tuple[int, str]], now: datetime) -> None:
    if not hashes:
        return
    _PUBLISHED_NOW.create(connection)
    for chunk in _chunks(hashes):
        copy_rows(connection, _PUBLISHED_NOW, [{"row_id": r, "digest": d} for r, d in chunk])
    publication = Publication.__table__  # type: ignore[attr-defined]
    connection.execute(
        update(publication)
        .where(publication.c.row_id == _PUBLISHED_NOW.c.row_id)
        .values(content_hash=_PUBLISHED_NOW.c.digest, published_at=now, withdrawn_at=None)
    )
    _PUBLISHED_NOW.drop(connection)


def publish(settings: Settings, now: datetime | None = None) -> PublishSummary:
    """Bring the public read model up to date with the verified records."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    summary = PublishSummary()
    staff = get_engine(settings)
    with staff.connect() as connection:
        values = _verified_values(connection)
        headers = _headers(connection)
        known = {
            row_id: (public_id, content_hash, withdrawn_at)
            for row_id, public_id, content_hash, withdrawn_at in connection.execute(
                select(
                    Publication.row_id,
                    Publication.public_id,
                    Publication.content_hash,  # type: ignore[call-overload]
                    Publication.withdrawn_at,
                )
            )
        }

    to_write: list[tuple[int, str, dict[str, Any], str]] = []  # row id, public id, content, hash
    new_ids: list[dict[str, Any]] = []
    for row_id, header in headers.items():
        content = public_content(values.get(row_id, {}), header, settings.public_fields)
        if isinstance(content, str):
            summary.skipped[content] = summary.skipped.get(content, 0) + 1
            continue
        digest = _hash(content)
        if row_id in known:
            public_id, old_hash, withdrawn_at = known[row_id]
            if old_hash == digest and withdrawn_at is None:
                summary.unchanged += 1
                continue
            if old_hash is None or withdrawn_at is not None:
                summary.published += 1
            else:
                summary.updated += 1
        else:
            public_id = secrets.token_urlsafe(PUBLIC_ID_BYTES)
            new_ids.append({"row_id": row_id, "public_id": public_id})
            summary.published += 1
        to_write.append((row_id, public_id, content, digest))
    to_write.sort(key=lambda item: item[1])  # random keys inserted in order: a B-tree append
    withdrawn = [
        (row_id, public_id)
        for row_id, (public_id, _, withdrawn_at) in known.items()
        if withdrawn_at is None and row_id not in headers
    ]
    summary.withdrawn = len(withdrawn)

    # 1. Public ids first, so a crash later never publishes a record the staff side can't name.
    with staff.begin() as connection:
        for chunk in _chunks(new_ids):
            connection.execute(insert(Publication), chunk)

    # 2. The public model, in one transaction.
    public = public_engine(settings)
    ensure_schema(public)
    with public.begin() as connection:
        # Only rows with a public id from before may have a public record to replace (a crash
        # after this step leaves one without its hash); new rows have none.
        replaced = [pid for rid, pid, _, _ in to_write if rid in known]
        gone = [public_id for _, public_id in withdrawn] + replaced
        for chunk in _chunks(gone):
            connection.execute(delete(public_record).where(public_record.c.public_id.in_(chunk)))
        for chunk in _chunks(to_write):
            rows = [_public_row(pid, content, now) for _, pid, content, _ in chunk]
            copy_rows(connection, public_record, rows)

    # 3. What is now public, recorded on the staff side: the hashes go into a temporary table
    # and one UPDATE ... FROM applies them (a million single-row UPDATEs took most of a
    # first publish).
    with staff.begin() as connection:
        _record_published(connection, [(row_id, digest) for row_id, _, _, digest in to_write], now)
        published = update(Publication).where(col(Publication.row_id) == bindparam("rid"))
        for chunk in _chunks(withdrawn):
            connection.execute(
                published.values(withdrawn_at=now, content_hash=None),
                [{"rid": row_id} for row_id, _ in chunk],
            )
    summary.seconds = time.monotonic() - started
    return summary


def withdraw(settings: Settings, row_ids: list[int], now: datetime | None = None) -> int:
    """Take these rows' records out of the public model at once (an approver reopened them);
    return how many were public.  ``publish`` would do the same on its next run; this does not
    wait for it, so a record found wrong stops being shown as soon as it is reopened."""
    now = now or datetime.now(UTC)
    staff = get_engine(settings)
    with staff.connect() as connection:
        found = [
            (row_id, public_id)
            for row_id, public_id in connection.execute(
                select(col(Publication.row_id), col(Publication.public_id)).where(
                    col(Publication.row_id).in_(row_ids), col(Publication.withdrawn_at).is_(None)
                )
            )
        ]
    if not found:
        return 0
    public = public_engine(settings)
    ensure_schema(public)
    with public.begin() as connection:
        connection.execute(
            delete(public_record).where(public_record.c.public_id.in_([p for _, p in found]))
        )
    with staff.begin() as connection:
        connection.execute(
            update(Publication)
            .where(col(Publication.row_id).in_([r for r, _ in found]))
            .values(withdrawn_at=now, content_hash=None)
        )
    return len(found)
