"""``bangdiem publish`` and ``bangdiem log export``: the public read model from the staff side."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from lookup_api import processing_log
from publishing.publish import publish
from records.db import migrate
from records.public_db import ensure_schema, grant_lookup_role, public_engine
from records.settings import load_settings

log_app = typer.Typer(help="Nhật ký xử lý của dịch vụ tra cứu công khai.", no_args_is_help=True)


def publish_command(
    grant_role: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL: cấp cho vai trò này quyền đọc hồ sơ công bố và ghi nhật ký, mã "
            "chia sẻ (dùng cho dịch vụ tra cứu), trong lược đồ --schema."
        ),
    ] = None,
    schema: Annotated[str, typer.Option(help="Lược đồ PostgreSQL của dữ liệu công bố.")] = "lookup",
) -> None:
    """Công bố các hồ sơ đã duyệt sang kho tra cứu công khai (chỉ phần thay đổi)."""
    settings = load_settings()
    migrate(settings)
    summary = publish(settings)
    typer.echo(
        f"Đã công bố: {summary.published} mới, {summary.updated} cập nhật, "
        f"{summary.withdrawn} rút lại, {summary.unchanged} không đổi "
        f"({summary.seconds:.1f} giây)."
    )
    for reason, count in summary.skipped.items():
        typer.echo(f"  Không công bố {count} hồ sơ: {reason}", err=True)
    if grant_role:
        engine = public_engine(settings)
        if engine.dialect.name != "postgresql":
            typer.echo("--grant-role chỉ dùng với PostgreSQL.", err=True)
            raise typer.Exit(2)
        grant_lookup_role(engine, grant_role, schema)
        typer.echo(f"Đã cấp quyền cho vai trò {grant_role} trên lược đồ {schema}.")


@log_app.command("export")
def export_log(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Tệp CSV (mặc định: màn hình).")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Chỉ các mục từ thời điểm này (ISO, UTC).")
    ] = None,
) -> None:
    """Xuất nhật ký xử lý (tra cứu, xác minh) ra CSV."""
    settings = load_settings()
    engine = public_engine(settings)
    ensure_schema(engine)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with engine.connect() as connection:
        rows = processing_log.entries(connection, since)
        if out is None:
            count = processing_log.write_csv(rows, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = processing_log.write_csv(rows, handle)
    typer.echo(f"Đã xuất {count} mục nhật ký.", err=True)
