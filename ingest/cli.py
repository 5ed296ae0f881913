"""``bangdiem ingest``: point it at scans, get every table row into the database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from ingest.errors import BatchStoppedError, ExitCode
from ingest.executor import Executor
from ingest.pipeline import BatchSummary, run_batch
from records.db import migrate, session_scope
from records.settings import Settings, load_settings
from records.vocabulary import FieldStatus


def print_summary(batch: str, summary: BatchSummary) -> None:
    registered = summary.registered
    typer.echo(f"Lô «{batch}»: {registered.new_files} tệp mới ({registered.new_pages} trang).")
    for name in registered.already_seen:
        typer.echo(f"  Đã nạp từ trước, bỏ qua: {name}")
    minutes = summary.seconds / 60
    rate = (
        f", {summary.pages_read / minutes:.1f} trang/phút"
        if minutes > 0 and summary.pages_read
        else ""
    )
    typer.echo(
        f"Đã đọc {summary.pages_read} trang trong {summary.seconds:.0f} giây{rate}: "
        f"{summary.pages_done} có bảng, {len(summary.pages_skipped)} bỏ qua, "
        f"{len(summary.pages_failed)} lỗi."
    )
    auto = summary.fields[FieldStatus.AUTO]
    review = summary.fields[FieldStatus.NEEDS_REVIEW]
    total = auto + review
    share = f" ({review / total:.1%} cần duyệt)" if total else ""
    typer.echo(f"{summary.rows} dòng; {auto} trường tự động, {review} trường cần duyệt{share}.")
    for label, why in summary.pages_skipped:
        typer.echo(f"  Bỏ qua – {label}: {why}")
    for name, reason in registered.failed:
        typer.echo(f"  Lỗi tệp – {name}: {reason}", err=True)
    for label, reason in summary.pages_failed:
        typer.echo(f"  Lỗi trang – {label}: {reason}", err=True)


def ingest(
    batch: Annotated[str, typer.Option("--batch", "-b", help="Tên lô quét.")],
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Tệp hoặc thư mục ảnh quét (PDF, TIFF, PNG, JPEG). Bỏ trống: đọc tiếp các "
            "trang còn dở hoặc được đặt chạy lại của lô."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Số tiến trình đọc song song (0: mỗi lõi CPU một tiến trình).")
    ] = 0,
    progress: Annotated[bool, typer.Option(help="Hiện thanh tiến độ.")] = True,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Địa chỉ bộ điều phối Dask (tcp://MÁY:8786): đọc trang trên cụm máy thay vì "
            "tiến trình tại chỗ (--workers bị bỏ qua). Cơ sở dữ liệu vẫn ở máy chạy lệnh; thư mục "
            "dữ liệu và ảnh quét phải nằm trên ổ mà mọi máy trong cụm đọc được, cùng đường dẫn.",
        ),
    ] = None,
) -> None:
    """Nạp một lô ảnh quét. Chạy lại đúng lệnh này sau khi bị ngắt: tiếp tục phần còn dở."""
    settings = load_settings()
    paths = paths or []
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        typer.echo(f"Không tìm thấy: {', '.join(missing)}", err=True)
        raise typer.Exit(ExitCode.BAD_ARGS)
    if scheduler is None:
        _ingest(settings, batch, paths, workers=workers, progress=progress, executor=None)
        return
    # Imported here: a local batch does not pay for loading Dask.
    from ingest.dask_executor import DaskExecutor, SchedulerUnreachableError

    # Workers get absolute paths: the data folder as this machine resolves it.
    settings = replace(settings, data_dir=settings.data_dir.resolve())
    try:
        with DaskExecutor(scheduler) as executor:
            _ingest(settings, batch, paths, workers=workers, progress=progress, executor=executor)
    except SchedulerUnreachableError as error:
        typer.echo(error.reason(), err=True)
        raise typer.Exit(ExitCode.SCHEDULER) from error


def _ingest(
    settings: Settings,
    batch: str,
    paths: list[Path],
    *,
    workers: int,
    progress: bool,
    executor: Executor | None,
) -> None:
    try:
        migrate(settings)
        with session_scope(settings) as session:
            summary = run_batch(
                session,
                settings,
                batch,
                paths,
                workers=workers,
                progress=progress,
                executor=executor,
            )
    except BatchStoppedError as error:  # disk full, database gone: pages stored so far stay
        typer.echo(error.reason(), err=True)
        raise typer.Exit(error.exit_code) from error
    except OperationalError as error:
        # Pages committed so far are kept; running the same command again continues.
        typer.echo(f"Lỗi cơ sở dữ liệu, lô dừng lại: {error.orig}", err=True)
        raise typer.Exit(ExitCode.DATABASE) from error
    print_summary(batch, summary)
    if summary.registered.failed or summary.pages_failed:
        raise typer.Exit(ExitCode.INPUT_FILE)
