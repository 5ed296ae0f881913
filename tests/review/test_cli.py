"""``bangdiem users``: add, list, disable, enable, passwd — with clear Vietnamese errors."""

from __future__ import annotations

from sqlmodel import Session, select
from typer.testing import CliRunner

from bangdiem.cli import app
from records.models import StaffUser
from records.settings import Settings
from review import accounts
from tests.review.conftest import PASSWORD

runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {"BANGDIEM_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}


def test_user_life_cycle(settings: Settings, session: Session) -> None:
    env = _env(settings)
    added = runner.invoke(
        app,
        ["users", "add", "ha", "--role", "reviewer", "--name", "Trần Thu Hà", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
    )
    assert added.exit_code == 0 and "Đã thêm: ha" in added.output
    listed = runner.invoke(app, ["users", "list"], env=env)
    assert "ha\tngười duyệt\thoạt động\tTrần Thu Hà" in listed.output
    assert runner.invoke(app, ["users", "disable", "ha"], env=env).exit_code == 0
    session.expire_all()
    assert session.exec(select(StaffUser)).one().active is False
    assert runner.invoke(app, ["users", "enable", "ha"], env=env).exit_code == 0
    changed = runner.invoke(
        app, ["users", "passwd", "ha", "--password-stdin"], input="mat-khau-moi-hon\n", env=env
    )
    assert changed.exit_code == 0
    session.expire_all()
    assert accounts.authenticate(session, "ha", "mat-khau-moi-hon").username == "ha"


def test_errors_are_clear(settings: Settings) -> None:
    env = _env(settings)
    short = runner.invoke(
        app, ["users", "add", "ha", "--role", "admin", "--password-stdin"], input="ngan\n", env=env
    )
    assert short.exit_code == 2 and "ít nhất 10" in short.output
    missing = runner.invoke(app, ["users", "disable", "khong-co"], env=env)
    assert missing.exit_code == 2 and "Không có người dùng" in missing.output
    role = runner.invoke(
        app,
        ["users", "add", "x", "--role", "sep", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
    )
    assert role.exit_code == 2
