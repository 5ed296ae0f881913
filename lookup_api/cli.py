"""``bangdiem keys`` (the letter-signing key) and ``bangdiem verify`` (check a letter offline)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from lookup_api.letters import LetterError, check
from lookup_api.signing import (
    SigningKeyError,
    key_path,
    local_public_key,
    read_private_key,
    read_public_key,
    write_new_key,
)
from records.settings import load_settings

keys_app = typer.Typer(help="Khóa ký thư xác minh (Ed25519).", no_args_is_help=True)


@keys_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp khóa bí mật PEM sẽ tạo (0600).")],
) -> None:
    """Tạo khóa ký mới (không ghi đè tệp có sẵn) và in khóa công khai."""
    try:
        key = write_new_key(out)
    except FileExistsError:
        typer.echo(f"Tệp {out} đã có; không ghi đè khóa đang dùng.", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Đã tạo khóa ký {out} (quyền 0600), mã khóa {key.key_id}.")
    typer.echo("Đặt BANGDIEM_SIGNING_KEY_FILE trỏ tới tệp này. Khóa công khai:")
    typer.echo(key.public_pem.rstrip())


@keys_app.command("public")
def show_public() -> None:
    """In khóa công khai của khóa ký đang cấu hình (để gửi cho bên kiểm tra thư)."""
    path = key_path(load_settings())
    try:
        key = read_private_key(path)
    except SigningKeyError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Mã khóa {key.key_id} ({path}):")
    typer.echo(key.public_pem.rstrip())


def verify_command(
    file: Annotated[Path, typer.Argument(help="Tệp PDF thư xác minh.")],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            "-k",
            help="Khóa công khai PEM của đơn vị cấp thư (mặc định: khóa ký đang cấu hình ở "
            "máy này). Lấy tại /api/v1/public-key của dịch vụ tra cứu.",
        ),
    ] = None,
) -> None:
    """Kiểm tra chữ ký của thư xác minh, không cần mạng."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # our own message says what is wrong
    try:
        key = read_public_key(public_key) if public_key else local_public_key(load_settings())
    except SigningKeyError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    try:
        data = file.read_bytes()
    except OSError as error:
        typer.echo(f"Không đọc được tệp {file}: {error.strerror}", err=True)
        raise typer.Exit(2) from None
    try:
        letter = check(data, key)
    except LetterError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(error.exit_code) from None
    typer.echo(f"Chữ ký hợp lệ (Ed25519, mã khóa {letter.key_id}).")
    for line in letter.summary():
        typer.echo(f"  {line}")
    typer.echo(
        "Chữ ký chỉ chứng minh nội dung thư không bị sửa. Tình trạng hiện tại của mã (còn hiệu "
        "lực, đã thu hồi…) xem tại địa chỉ xác minh ở trên."
    )
