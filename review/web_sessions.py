"""Signed-in browsers, kept on the server.

The cookie carries a random token; the database keeps only its SHA-256, so a leaked database
does not let anyone sign in.  Each session has its own CSRF token, which every form and every
script request must send back.  Logging out deletes the row; disabling the user ends all of
that user's sessions at the next request, because the user's ``active`` flag is checked each
time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select

from records.models import StaffSession, StaffUser

COOKIE_NAME = "bangdiem_phien"
LIFETIME = timedelta(hours=10)  # one working day; a new login after that


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: StaffUser, now: datetime | None = None) -> str:
    """Open a session for ``user``; return the cookie's token."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.exec(delete(StaffSession).where(col(StaffSession.expires_at) < now))
    session.add(
        StaffSession(
            token_hash=_hash(token),
            user_id=user.id or 0,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    session.commit()
    return token


def resolve(session: Session, token: str | None, now: datetime | None = None) -> SignedIn | None:
    """The signed-in user behind a cookie token, or None (unknown, expired or disabled)."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    found = session.exec(
        select(StaffSession, StaffUser)
        .join(StaffUser, col(StaffSession.user_id) == col(StaffUser.id))
        .where(StaffSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    staff_session, user = found
    if staff_session.expires_at <= now or not user.active:
        return None
    return SignedIn(user=user, csrf_token=staff_session.csrf_token)


def end(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(StaffSession).where(col(StaffSession.token_hash) == _hash(token)))
        session.commit()


def csrf_matches(signed_in: SignedIn, sent: str | None) -> bool:
    return sent is not None and secrets.compare_digest(signed_in.csrf_token, sent)
