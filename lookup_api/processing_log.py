"""The log of public processing: every search and verification, kept for a set time.

DOMAIN.md §4: the controller keeps a log of processing and a person may learn who verified
their record.  Each entry has the time, the client's network prefix, the kind, how many
records answered, and a keyed hash of the query — never the name or birth date themselves.
The key is random, made once per read model, so the hashes cannot be reversed by hashing
every name and date of birth (which an unkeyed hash would allow), yet the same query always
hashes the same way (repeated probing shows in the log).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TextIO

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from records.public_db import processing_log, public_state

KEY_NAME = "log_hash_key"
COLUMNS = ("thời điểm (UTC)", "loại", "mạng của người hỏi", "băm truy vấn", "số kết quả")


def _read_key(connection: Connection) -> str | None:
    found: str | None = connection.execute(
        select(public_state.c.value).where(public_state.c.key == KEY_NAME)
    ).scalar()
    return found


def log_key(engine: Engine) -> bytes:
    """The read model's hash key, made on first use.  Called once per service process: two
    processes starting together may both try to make it, and the second then reads the
    first's (the key is the table's primary key)."""
    with engine.connect() as connection:
        found = _read_key(connection)
    if found is None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert(public_state).values(key=KEY_NAME, value=secrets.token_hex(32))
                )
        except IntegrityError:
            pass  # made by another process meanwhile
        with engine.connect() as connection:
            found = _read_key(connection)
    if found is None:
        raise RuntimeError("the processing log's hash key could not be made")
    return bytes.fromhex(found)


def query_hash(key: bytes, *parts: object) -> str:
    message = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def record(
    connection: Connection,
    key: bytes,
    kind: str,
    prefix: str,
    query: tuple[object, ...],
    count: int,
    now: datetime | None = None,
) -> None:
    connection.execute(
        insert(processing_log).values(
            at=now or datetime.now(UTC),
            kind=kind,
            client_prefix=prefix,
            query_hash=query_hash(key, kind, *query),
            result_count=count,
        )
    )


def purge(connection: Connection, retention_days: int, now: datetime | None = None) -> int:
    """Delete entries older than the retention; return how many."""
    limit = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    result = connection.execute(delete(processing_log).where(processing_log.c.at < limit))
    return result.rowcount or 0


def entries(connection: Connection, since: datetime | None = None) -> Iterator[tuple[object, ...]]:
    statement = select(
        processing_log.c.at,
        processing_log.c.kind,
        processing_log.c.client_prefix,
        processing_log.c.query_hash,
        processing_log.c.result_count,
    ).order_by(processing_log.c.id)
    if since is not None:
        statement = statement.where(processing_log.c.at >= since)
    for row in connection.execute(statement):
        yield tuple(row)


def write_csv(rows: Iterator[tuple[object, ...]], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for at, *rest in rows:
        stamp = at.isoformat(timespec="seconds") if isinstance(at, datetime) else str(at)
        writer.writerow([stamp, *rest])
        count += 1
    return count
