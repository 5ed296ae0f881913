"""``bangdiem ingest``: point it at scans, get every page registered (and, later, read)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingest.batch import register_paths
from ingest.errors import ExitCode
from records.db import migrate, session_scope
from records.settings import load_settings


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Tệp hoặc thư mục ảnh quét (PDF, TIFF, PNG, JPEG).")
    ],
    batch: Annotated[str, typer.Option("--batch", "-b", help="Tên lô quét.")],
    workers: Annotated[
        int, typer.Option(help="Số tiến trình xử lý song song (0: mọi lõi CPU).")
    ] = 0,
) -> None:
    """Nạp một lô ảnh quét vào cơ sở dữ liệu. Chạy lại cùng lệnh: tiếp tục phần còn dở."""
    del workers  # page-level parallelism arrives with the OCR stage
    settings = load_settings()
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        typer.echo(f"Không tìm thấy: {', '.join(missing)}", err=True)
        raise typer.Exit(ExitCode.BAD_ARGS)
    migrate(settings)
    with session_scope(settings) as session:
        summary = register_paths(session, batch, paths, settings)
    typer.echo(f"Lô «{batch}»: {summary.new_files} tệp mới, {summary.new_pages} trang.")
    for name in summary.already_seen:
        typer.echo(f"  Đã có từ trước, bỏ qua: {name}")
    for name, reason in summary.failed:
        typer.echo(f"  Lỗi – {name}: {reason}", err=True)
    if summary.failed:
        raise typer.Exit(ExitCode.INPUT_FILE)
