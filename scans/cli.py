"""Command line of the sample-scan generator (mounted by the lead as ``bangdiem scans``).

bangdiem scans generate --out scans/sample --pages 60 --seed 1
python -m scans.cli generate --out /tmp/mau --pages 4 --dpi 100
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scans.fonts import FontMissingError, check_all
from scans.generator import DEFAULT_DPI, generate_set

app = typer.Typer(
    help="Sinh bộ ảnh quét mẫu bảng điểm tốt nghiệp 1975–2005, kèm dữ liệu đúng (truth.jsonl).",
    no_args_is_help=True,
)


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi bộ ảnh mẫu.")] = Path(
        "scans/sample"
    ),
    pages: Annotated[int, typer.Option("--pages", min=1, help="Số trang cần sinh.")] = 60,
    seed: Annotated[
        int, typer.Option("--seed", help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng kết quả.")
    ] = 1,
    dpi: Annotated[
        int, typer.Option("--dpi", min=50, max=600, help="Độ phân giải (dpi).")
    ] = DEFAULT_DPI,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Số tiến trình (0 = theo số CPU).")
    ] = 0,
) -> None:
    """Sinh một bộ ảnh quét mẫu: PNG, JPEG, TIFF nhiều trang, PDF; truth.jsonl; manifest.json."""
    try:
        manifest = generate_set(
            out,
            pages,
            seed,
            dpi=dpi,
            workers=workers or None,
            progress=lambda done, total: typer.echo(f"  đã sinh {done}/{total} trang", err=True),
        )
    except FontMissingError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(
        f"Đã sinh {manifest.pages} trang trong {len(manifest.files)} tệp vào {out} "
        f"(hạt giống {seed}, {dpi} dpi): truth.jsonl, manifest.json."
    )


@app.command("fonts")
def fonts() -> None:
    """Kiểm tra phông chữ cho từng kiểu in/viết và độ phủ chữ tiếng Việt."""
    try:
        choices = check_all()
    except FontMissingError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    for role, choice in choices.items():
        cover = "đủ chữ tiếng Việt" if choice.covers_vietnamese else "chỉ chữ Latinh (dấu viết tay)"
        typer.echo(f"{role.value:17} {choice.path}  [{choice.package}]  {cover}")


if __name__ == "__main__":
    app()
