"""Verification codes: the holder lets an employer see their record, for a while, and watches.

DOMAIN.md §4, after China's CHSI: the holder, having found their record, makes a time-limited
code naming whom it is for; the employer enters it (or scans its QR code) and sees the record
and whether the code is still good; the holder sees every use (when, and who the verifier said
they were) and can revoke the code.  Nothing here is sequential or guessable:

- a code is 12 characters drawn at random from 30 that cannot be misread aloud or on paper
  (no 0/O, 1/I/L, U), about 59 bits, shown in groups of four: ``K7QM-3XRP-9TWD``;
- the holder's management key is 32 random bytes, shown once; only its SHA-256 is stored and
  it is compared in constant time.  A wrong key answers exactly like an unknown code.

Making a code needs the record's public id *and* the birth date again, so a public id seen
elsewhere is not enough.  Every use of a code — valid, expired or revoked — is kept for the
holder in ``share_use``; the caller writes the processing log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from lookup_api.search import QueryError, clean_birth, shown_fields
from records.public_db import public_record, share_code, share_use

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP = 4
MAX_DAYS = 90
MANAGE_TOKEN_BYTES = 32
_SEPARATORS = re.compile(r"[\s\-._]+")


class Status(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


STATUS_WORDS = {
    Status.VALID: "Còn hiệu lực",
    Status.EXPIRED: "Đã hết hạn",
    Status.REVOKED: "Đã bị thu hồi",
    Status.WITHDRAWN: "Hồ sơ không còn được công bố",
}


class ShareError(ValueError):
    """A request about shares that is refused; ``str()`` is the Vietnamese message."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """``K7QM3XRP9TWD`` -> ``K7QM-3XRP-9TWD`` (for reading aloud)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(text: str) -> str | None:
    """The stored form of a code as typed (any case, with or without separators), or None
    when it cannot be a code at all."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def manage_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SharedRecord:
    """What an employer sees of a record: exactly what the public read model holds."""

    full_name: str
    birth_date: str
    exam_year: int | None
    level: str | None
    council: str | None
    school: str | None
    result: str | None
    ranking: str | None
    total: str | None
    scores: dict[str, str] | None

    @classmethod
    def of(cls, row: Any) -> SharedRecord:
        return cls(**shown_fields(row))

    def as_dict(self) -> dict[str, Any]:
        """The fields that have a value (hidden fields are absent, not null)."""
        values = {
            "full_name": self.full_name,
            "birth_date": self.birth_date,
            "exam_year": self.exam_year,
            "level": self.level,
            "council": self.council,
            "school": self.school,
            "result": self.result,
            "ranking": self.ranking,
            "total": self.total,
            "scores": self.scores,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Share:
    code: str
    public_id: str
    for_whom: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Share:
        return cls(
            code=row.code,
            public_id=row.public_id,
            for_whom=row.for_whom,
            created_at=aware(row.created_at),
            expires_at=aware(row.expires_at),
            revoked_at=aware(row.revoked_at) if row.revoked_at is not None else None,
        )

    @property
    def display_code(self) -> str:
        return grouped(self.code)


@dataclass(frozen=True)
class CreatedShare:
    share: Share
    manage_token: str  # shown once to the holder, never stored


@dataclass(frozen=True)
class Verification:
    share: Share
    status: Status
    record: SharedRecord | None  # only when the status is valid

    @property
    def status_text(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class Use:
    at: datetime
    verifier: str


def _birth_matches(given: str, stored: str) -> bool:
    """As the search does: a full date finds a record with only the year, and a year finds
    a record with a full date of that year."""
    return given == stored or (given[:4] == stored[:4] and (len(given) == 4 or len(stored) == 4))


def _record_row(connection: Connection, public_id: str) -> Any:
    return connection.execute(
        select(public_record).where(public_record.c.public_id == public_id)
    ).first()


def create(
    connection: Connection,
    public_id: str,
    birth: str,
    for_whom: str,
    days: int,
    now: datetime | None = None,
) -> CreatedShare:
    """A new code for the record ``public_id``, provided the birth date matches it."""
    now = now or datetime.now(UTC)
    for_whom = " ".join((for_whom or "").split())
    if not 2 <= len(for_whom) <= 200:
        raise ShareError("Hãy ghi rõ mã này dành cho ai (cơ quan, người xác minh).")
    if not 1 <= days <= MAX_DAYS:
        raise ShareError(f"Thời hạn của mã phải từ 1 đến {MAX_DAYS} ngày.")
    try:
        birth = clean_birth(birth)
    except QueryError as error:
        raise ShareError(str(error)) from error
    row = _record_row(connection, public_id) if len(public_id) <= 32 else None
    if row is None or not _birth_matches(birth, row.birth_date):
        raise LookupError("Không tìm thấy hồ sơ với thông tin này.")
    token = secrets.token_urlsafe(MANAGE_TOKEN_BYTES)
    values = {
        "public_id": row.public_id,
        "for_whom": for_whom,
        "manage_hash": manage_hash(token),
        "created_at": now,
        "expires_at": now + timedelta(days=days),
        "revoked_at": None,
    }
    code = new_code()
    while connection.execute(select(share_code.c.code).where(share_code.c.code == code)).first():
        code = new_code()  # 30**12 codes: never in practice, but never a silent overwrite
    connection.execute(insert(share_code).values(code=code, **values))
    share = Share(code, row.public_id, for_whom, now, now + timedelta(days=days), None)
    return CreatedShare(share, token)


def find(connection: Connection, code_text: str) -> tuple[Share, str] | None:
    """The share a code names and its stored management hash, or None."""
    code = normalize_code(code_text)
    if code is None:
        return None
    row = connection.execute(select(share_code).where(share_code.c.code == code)).first()
    return (Share.of(row), row.manage_hash) if row is not None else None


def status_of(connection: Connection, share: Share, now: datetime) -> tuple[Status, Any]:
    """The code's status and, while the record is published, its public row."""
    row = _record_row(connection, share.public_id)
    if share.revoked_at is not None:
        return Status.REVOKED, row
    if now >= share.expires_at:
        return Status.EXPIRED, row
    if row is None:
        return Status.WITHDRAWN, None
    return Status.VALID, row


def verify(
    connection: Connection,
    code_text: str,
    verifier: str,
    prefix: str,
    now: datetime | None = None,
) -> Verification | None:
    """What the code shows an employer (None: no such code); the use is kept for the holder."""
    now = now or datetime.now(UTC)
    verifier = " ".join((verifier or "").split())
    if not 2 <= len(verifier) <= 200:
        raise ShareError("Hãy ghi tên cơ quan hoặc người xác minh (2 đến 200 ký tự).")
    found = find(connection, code_text)
    if found is None:
        return None
    share = found[0]
    status, row = status_of(connection, share, now)
    connection.execute(
        insert(share_use).values(code=share.code, at=now, verifier=verifier, client_prefix=prefix)
    )
    record = SharedRecord.of(row) if status is Status.VALID else None
    return Verification(share, status, record)


def authorized(connection: Connection, code_text: str, token: str | None) -> Share | None:
    """The share, when ``token`` is its management key; None otherwise (unknown or wrong key
    look the same)."""
    found = find(connection, code_text)
    expected = found[1] if found else manage_hash("")
    matches = hmac.compare_digest(manage_hash(token or ""), expected)
    return found[0] if found and matches and token else None


def uses(connection: Connection, share: Share) -> list[Use]:
    statement = (
        select(share_use.c.at, share_use.c.verifier)
        .where(share_use.c.code == share.code)
        .order_by(share_use.c.at.desc(), share_use.c.id.desc())
    )
    return [Use(aware(at), verifier) for at, verifier in connection.execute(statement)]


def revoke(connection: Connection, share: Share, now: datetime | None = None) -> Share:
    """Revoke the code (a second revocation keeps the first time)."""
    if share.revoked_at is not None:
        return share
    now = now or datetime.now(UTC)
    connection.execute(
        update(share_code)
        .where(share_code.c.code == share.code, share_code.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    row = connection.execute(select(share_code).where(share_code.c.code == share.code)).one()
    return Share.of(row)


def purge(connection: Connection, retention_days: int, now: datetime | None = None) -> int:
    """Delete codes expired or revoked more than ``retention_days`` ago, with their uses;
    return how many codes.  (The holder's list of who verified is kept that long after the
    code stops working, then nothing of it remains.)"""
    limit = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    ended = or_(
        share_code.c.expires_at < limit,
        and_(share_code.c.revoked_at.is_not(None), share_code.c.revoked_at < limit),
    )
    codes = select(share_code.c.code).where(ended)
    connection.execute(delete(share_use).where(share_use.c.code.in_(codes)))
    return connection.execute(delete(share_code).where(ended)).rowcount or 0
