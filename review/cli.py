"""``bangdiem users``: manage staff accounts from the command line (the first admin, too)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlmodel import col, select

from records.db import migrate, session_scope
from records.models import StaffUser
from records.settings import load_settings
from records.vocabulary import Role
from review import accounts
from review.templating import ROLE_LABELS

users_app = typer.Typer(
    help="Tài khoản cán bộ: thêm, vô hiệu hoá, đổi mật khẩu.", no_args_is_help=True
)
ACTOR = "system:cli"

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn (cho kịch bản)."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    return value


def _run(action: str, username: str, change) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings()
    migrate(settings)
    try:
        with session_scope(settings) as session:
            change(session)
    except accounts.AccountError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    typer.echo(f"Đã {action}: {username}")


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[Role, typer.Option(help="operator, reviewer, approver hoặc admin.")],
    full_name: Annotated[str, typer.Option("--name", help="Họ tên.")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """Thêm một tài khoản."""
    password = _password(password_stdin)
    _run(
        "thêm",
        username,
        lambda s: accounts.add_user(s, username, full_name, role, password, actor=ACTOR),
    )


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]) -> None:
    """Vô hiệu hoá một tài khoản (các phiên đang mở hết hiệu lực ngay)."""
    _run("vô hiệu hoá", username, lambda s: accounts.set_active(s, username, False, actor=ACTOR))


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]) -> None:
    """Kích hoạt lại một tài khoản."""
    _run("kích hoạt lại", username, lambda s: accounts.set_active(s, username, True, actor=ACTOR))


@users_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Đặt mật khẩu mới (và mở khoá tài khoản bị khoá vì nhập sai)."""
    password = _password(password_stdin)
    _run(
        "đổi mật khẩu",
        username,
        lambda s: accounts.set_password(s, username, password, actor=ACTOR),
    )


@users_app.command("list")
def list_users() -> None:
    """Liệt kê các tài khoản."""
    settings = load_settings()
    migrate(settings)
    with session_scope(settings) as session:
        for user in session.exec(select(StaffUser).order_by(col(StaffUser.username))):
            state = "hoạt động" if user.active else "vô hiệu"
            typer.echo(f"{user.username}\t{ROLE_LABELS[user.role]}\t{state}\t{user.full_name}")
