"""Accounts: argon2 hashes, one message for wrong name and wrong password, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from records.models import AuditEntry
from records.vocabulary import Role
from review import accounts
from tests.review.conftest import PASSWORD


def test_password_is_stored_as_argon2_hash(session: Session) -> None:
    user = accounts.add_user(session, "ha", "Trần Thu Hà", Role.REVIEWER, PASSWORD, actor="t")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert accounts.authenticate(session, "ha", PASSWORD).id == user.id


def test_short_password_and_duplicate_name_are_refused(session: Session) -> None:
    with pytest.raises(accounts.AccountError, match="ít nhất 10"):
        accounts.add_user(session, "ha", "Hà", Role.REVIEWER, "ngan", actor="t")
    accounts.add_user(session, "ha", "Hà", Role.REVIEWER, PASSWORD, actor="t")
    with pytest.raises(accounts.AccountError, match="đã có"):
        accounts.add_user(session, "ha", "Hà 2", Role.ADMIN, PASSWORD, actor="t")


def test_unknown_name_and_wrong_password_get_the_same_message(session: Session) -> None:
    accounts.add_user(session, "ha", "Hà", Role.REVIEWER, PASSWORD, actor="t")
    messages = set()
    for name, password in (("khong-co", PASSWORD), ("ha", "sai-mat-khau-roi")):
        with pytest.raises(accounts.LoginRefusedError) as refused:
            accounts.authenticate(session, name, password)
        messages.add(str(refused.value))
    assert messages == {"Tên đăng nhập hoặc mật khẩu không đúng."}


def test_repeated_failures_lock_the_account_then_it_recovers(session: Session) -> None:
    accounts.add_user(session, "ha", "Hà", Role.REVIEWER, PASSWORD, actor="t")
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.LoginRefusedError):
            accounts.authenticate(session, "ha", "sai-mat-khau-roi", now)
    with pytest.raises(accounts.LoginRefusedError, match="tạm khoá"):
        accounts.authenticate(session, "ha", PASSWORD, now + timedelta(seconds=5))
    later = now + accounts.FIRST_LOCK + timedelta(seconds=1)
    assert accounts.authenticate(session, "ha", PASSWORD, later).failed_logins == 0
    failures = session.exec(select(AuditEntry).where(AuditEntry.action == "user.login_failed"))
    assert len(failures.all()) == accounts.FREE_FAILURES


def test_lock_grows_with_each_further_failure_up_to_the_cap() -> None:
    assert accounts.lock_duration(accounts.FREE_FAILURES - 1) is None
    assert accounts.lock_duration(accounts.FREE_FAILURES) == accounts.FIRST_LOCK
    assert accounts.lock_duration(accounts.FREE_FAILURES + 1) == 2 * accounts.FIRST_LOCK
    assert accounts.lock_duration(accounts.FREE_FAILURES + 100) == accounts.MAX_LOCK


def test_disabled_account_cannot_log_in_and_passwd_resets_lock(session: Session) -> None:
    accounts.add_user(session, "ha", "Hà", Role.REVIEWER, PASSWORD, actor="t")
    accounts.set_active(session, "ha", False, actor="admin")
    with pytest.raises(accounts.LoginRefusedError, match="vô hiệu"):
        accounts.authenticate(session, "ha", PASSWORD)
    accounts.set_active(session, "ha", True, actor="admin")
    accounts.set_password(session, "ha", "mat-khau-moi-hon", actor="admin")
    assert accounts.authenticate(session, "ha", "mat-khau-moi-hon").username == "ha"
    with pytest.raises(accounts.AccountError, match="Không có"):
        accounts.set_password(session, "ai-do", "mat-khau-moi-hon", actor="admin")
