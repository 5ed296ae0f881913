"""Staff accounts: argon2 password hashes, login with throttling, and user management.

Used by the web app (login) and by ``bangdiem users`` (add, disable, passwd).  Every change to
an account is written to the audit trail.  Throttling is per account and survives restarts
(it lives in the database): after ``FREE_FAILURES`` wrong passwords in a row the account is
locked for a time that doubles with each further failure, up to ``MAX_LOCK``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from records.audit import record
from records.models import StaffUser
from records.vocabulary import Role

FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so that a wrong name costs as long as a
# wrong password and response time does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("bangdiem: no such user")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; ``str()`` is Vietnamese."""


class LoginRefusedError(AccountError):
    """Wrong name or password, a disabled account, or a locked one."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def lock_duration(failed_logins: int) -> timedelta | None:
    """How long an account stays locked after this many failures in a row (None: not yet)."""
    extra = failed_logins - FREE_FAILURES
    if extra < 0:
        return None
    lock: timedelta = min(MAX_LOCK, FIRST_LOCK * (2 ** min(extra, 16)))
    return lock


def _user(session: Session, username: str) -> StaffUser | None:
    return session.exec(select(StaffUser).where(StaffUser.username == username)).first()


def authenticate(
    session: Session, username: str, password: str, now: datetime | None = None
) -> StaffUser:
    """The active user with these credentials; LoginRefusedError otherwise (the same message for a
    wrong name and a wrong password).  Commits the failure count."""
    now = now or datetime.now(UTC)
    user = _user(session, username.strip())
    if user is None:
        _verify(_DUMMY_HASH, password)
        raise LoginRefusedError("Tên đăng nhập hoặc mật khẩu không đúng.")
    if user.locked_until is not None and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise LoginRefusedError(
            f"Tài khoản tạm khoá vì nhập sai nhiều lần. Thử lại sau {wait} giây."
        )
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        lock = lock_duration(user.failed_logins)
        if lock is not None:
            user.locked_until = now + lock
        session.add(user)
        record(
            session,
            actor=user.username,
            action="user.login_failed",
            entity="staff_user",
            entity_id=user.id,
            new_value=str(user.failed_logins),
        )
        session.commit()
        raise LoginRefusedError("Tên đăng nhập hoặc mật khẩu không đúng.")
    if not user.active:
        raise LoginRefusedError("Tài khoản đã bị vô hiệu hoá.")
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
    record(
        session, actor=user.username, action="user.login", entity="staff_user", entity_id=user.id
    )
    session.commit()
    return user


def add_user(
    session: Session, username: str, full_name: str, role: Role, password: str, *, actor: str
) -> StaffUser:
    username = username.strip()
    if not username or _user(session, username) is not None:
        raise AccountError(f"Tên đăng nhập «{username}» trống hoặc đã có.")
    user = StaffUser(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.add",
        entity="staff_user",
        entity_id=user.id,
        new_value=f"{username} ({role.value})",
    )
    session.commit()
    return user


def _existing(session: Session, username: str) -> StaffUser:
    user = _user(session, username)
    if user is None:
        raise AccountError(f"Không có người dùng «{username}».")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> StaffUser:
    """Disable (or re-enable) an account; a disabled account's sessions stop working at once."""
    user = _existing(session, username)
    user.active = active
    session.add(user)
    record(
        session,
        actor=actor,
        action="user.enable" if active else "user.disable",
        entity="staff_user",
        entity_id=user.id,
        new_value=username,
    )
    session.commit()
    return user


def set_password(session: Session, username: str, password: str, *, actor: str) -> StaffUser:
    user = _existing(session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    record(
        session,
        actor=actor,
        action="user.passwd",
        entity="staff_user",
        entity_id=user.id,
        new_value=username,
    )
    session.commit()
    return user
