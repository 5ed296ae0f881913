"""Root of the ``bangdiem`` command line.  Every message a person reads is Vietnamese."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bangdiem.serving import serve as serve_apps
from ingest.cli import ingest
from lookup_api.cli import keys_app, verify_command
from publishing.cli import log_app, publish_command
from records.db import migrate, session_scope
from records.export_format import write_csv, write_jsonl, write_xlsx
from records.export_rows import iter_export_rows
from records.settings import SETTINGS, load_settings
from review.cli import users_app
from scans.cli import app as scans_app

app = typer.Typer(
    name="bangdiem",
    help="Số hoá bảng điểm tốt nghiệp 1975–2005: quét, nhận dạng, duyệt và tra cứu.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Cơ sở dữ liệu: tạo và nâng cấp lược đồ.", no_args_is_help=True)
review_app = typer.Typer(help="Ứng dụng duyệt cho cán bộ.", no_args_is_help=True)
lookup_app = typer.Typer(help="Dịch vụ tra cứu công khai.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(review_app, name="review")
app.add_typer(lookup_app, name="lookup")
app.add_typer(users_app, name="users")
app.add_typer(log_app, name="log")
app.command("publish")(publish_command)
app.add_typer(keys_app, name="keys")
app.command("verify")(verify_command)
app.add_typer(scans_app, name="scans", help="Ảnh quét mẫu: sinh bộ bảng điểm giả lập có đáp án.")
app.command("ingest", help="Nạp lô ảnh quét: tệp → trang → nhận dạng → cơ sở dữ liệu.")(ingest)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Tạo hoặc nâng cấp lược đồ cơ sở dữ liệu lên bản mới nhất."""
    settings = load_settings()
    migrate(settings)
    typer.echo(f"Đã cập nhật lược đồ: {settings.database_url.split('@')[-1]}")


@app.command("settings")
def show_settings() -> None:
    """Liệt kê các thiết lập (biến môi trường), giá trị mặc định và ý nghĩa."""
    for setting in SETTINGS:
        typer.echo(f"{setting.env} (mặc định: {setting.default or '—'})\n    {setting.help}")


@app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl, csv hoặc xlsx.")] = (
        ExportFormat.jsonl
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Tệp kết quả (mặc định: màn hình).")
    ] = None,
    batch: Annotated[str | None, typer.Option("--batch", "-b", help="Chỉ xuất lô này.")] = None,
) -> None:
    """Xuất các dòng bảng điểm: mỗi dòng một đối tượng JSON (hoặc CSV, Excel)."""
    settings = load_settings()
    migrate(settings)
    with session_scope(settings) as session:
        rows = iter_export_rows(session, batch)
        if fmt is ExportFormat.xlsx:
            if out is None:
                typer.echo("Xuất Excel cần --out TỆP.xlsx", err=True)
                raise typer.Exit(2)
            count = write_xlsx(rows, out)
        elif out is None:
            writer = write_jsonl if fmt is ExportFormat.jsonl else write_csv
            count = writer(rows, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                writer = write_jsonl if fmt is ExportFormat.jsonl else write_csv
                count = writer(rows, handle)
    typer.echo(f"Đã xuất {count} dòng.", err=True)


@app.command("table")
def table(
    image: Annotated[Path, typer.Argument(help="Ảnh một trang có bảng kẻ (PNG, JPEG, TIFF).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp CSV kết quả.")],
    digits: Annotated[
        bool, typer.Option(help="Bảng chỉ có số: chỉ nhận chữ số, dấu chấm, phẩy.")
    ] = False,
    confidence: Annotated[bool, typer.Option(help="Ghi thêm độ tin cậy sau mỗi ô.")] = False,
) -> None:
    """Đọc bảng của một trang bất kỳ thành lưới CSV (sổ sách khác của kho lưu trữ)."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from ocr.grid import NoTableError, read_grid, write_grid_csv

    try:
        with Image.open(image) as opened:
            gray = np.asarray(opened.convert("L"))
    except (OSError, UnidentifiedImageError) as error:
        typer.echo(f"Không đọc được ảnh {image}: {error}", err=True)
        raise typer.Exit(3) from error
    try:
        grid = read_grid(gray, whitelist="0123456789.,·-" if digits else None)
    except NoTableError as error:
        typer.echo(error.message_vi, err=True)
        raise typer.Exit(3) from error
    write_grid_csv(grid, out, confidence=confidence)
    typer.echo(f"Đã ghi {len(grid)} dòng × {len(grid[0]) if grid else 0} cột vào {out}.")


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp sao lưu (.tar) sẽ ghi.")],
) -> None:
    """Sao lưu cơ sở dữ liệu (cán bộ và công khai), ảnh quét gốc và ảnh trang vào một tệp."""
    from records.backup import BackupError, backup

    settings = load_settings()
    try:
        manifest = backup(settings, out)
    except BackupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    members = manifest["members"]
    count = len(members) if isinstance(members, dict) else 0
    typer.echo(f"Đã sao lưu {count} mục vào {out}.")


@app.command("restore")
def restore_command(
    archive: Annotated[Path, typer.Argument(help="Tệp sao lưu do 'bangdiem backup' tạo.")],
    force: Annotated[bool, typer.Option(help="Ghi đè cơ sở dữ liệu đang có dữ liệu.")] = False,
) -> None:
    """Khôi phục từ một bản sao lưu (kiểm tra mã băm từng mục trước khi ghi)."""
    from records.backup import BackupError, restore

    settings = load_settings()
    try:
        manifest = restore(settings, archive, force=force)
    except BackupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    migrate(settings)  # a backup from an older release is brought up to this one's schema
    typer.echo(f"Đã khôi phục bản sao lưu lúc {manifest.get('created_at')}.")


@review_app.command("serve")
def review_serve() -> None:
    """Chạy ứng dụng duyệt (mặc định http://127.0.0.1:8700)."""
    serve_apps(load_settings(), review=True, lookup=False)


@lookup_app.command("serve")
def lookup_serve() -> None:
    """Chạy dịch vụ tra cứu công khai (mặc định http://127.0.0.1:8701)."""
    serve_apps(load_settings(), review=False, lookup=True)


@app.command("serve")
def serve_all() -> None:
    """Chạy cả ứng dụng duyệt và dịch vụ tra cứu (dùng cho bản trình diễn)."""
    settings = load_settings()
    typer.echo(
        f"Ứng dụng duyệt: http://{settings.host}:{settings.review_port}  –  "
        f"Tra cứu: http://{settings.host}:{settings.lookup_port} (API: /docs). Ctrl-C để dừng."
    )
    serve_apps(settings, review=True, lookup=True)


def main() -> None:
    app()
