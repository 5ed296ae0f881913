"""Pages/min on a Dask cluster against the local worker pool, same pages, same run.

``python -m benchmarks.dask`` renders (once) a generated set, ingests it with ``--workers 2``
(the local ``ProcessExecutor``) and through a ``LocalCluster`` of 2 single-threaded worker
processes (the ``DaskExecutor``, as ``bangdiem ingest --scheduler`` uses it), checks that both
give the same rows, and prints pages/min, the ratio, the cost of a page in worker-seconds and
how many workers 5 million pages in a week would need at that cost.  Nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import LocalCluster

from benchmarks.synthetic import scan_files
from ingest.dask_executor import DaskExecutor
from ingest.pipeline import run_batch
from records.db import engine_for, migrate, session_scope
from records.export_rows import iter_export_rows
from records.settings import load_settings
from scans.generator import generate_set

WEEK_S = 7 * 24 * 3600
TARGET_PAGES = 5_000_000


def ingest(files: list[Path], workers: int, executor: DaskExecutor | None) -> tuple[float, Any]:
    """Seconds for the batch (registration included, as a person would time it), and rows."""
    with tempfile.TemporaryDirectory(prefix="bangdiem-dask-bench-") as data:
        settings = load_settings({"BANGDIEM_DATA_DIR": data})
        migrate(settings)
        started = time.monotonic()
        with session_scope(settings) as session:
            summary = run_batch(
                session,
                settings,
                "bench",
                files,
                workers=workers,
                progress=False,
                executor=executor,
            )
        seconds = time.monotonic() - started
        with session_scope(settings) as session:
            rows = list(iter_export_rows(session, "bench"))
        engine_for(settings.database_url).dispose()
    if summary.pages_failed:
        print(f"  trang lỗi: {summary.pages_failed}")
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask", description=__doc__)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("var/bench/dask12"))
    args = parser.parse_args()
    if not (args.out / "manifest.json").exists():
        print(f"Sinh {args.pages} trang mẫu vào {args.out} …", flush=True)
        generate_set(args.out, args.pages, args.seed)
    files = [path.resolve() for path in scan_files(args.out)]

    local_s, local_rows = ingest(files, args.workers, None)
    local_rate = args.pages / local_s * 60
    print(f"Tại chỗ, {args.workers} tiến trình: {local_s:.1f} s, {local_rate:.1f} trang/phút")

    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    try:
        with DaskExecutor(cluster.scheduler_address) as executor:
            executor.client.wait_for_workers(args.workers, timeout=120)
            dask_s, dask_rows = ingest(files, args.workers, executor)
    finally:
        cluster.close()
    dask_rate = args.pages / dask_s * 60
    print(f"Dask, {args.workers} worker: {dask_s:.1f} s, {dask_rate:.1f} trang/phút")
    print(
        f"Tỉ lệ Dask / tại chỗ: {dask_rate / local_rate:.2f}; "
        f"cùng các dòng: {dask_rows == local_rows} ({len(dask_rows)} dòng)"
    )
    per_page = dask_s * args.workers / args.pages  # worker-seconds per page
    needed = TARGET_PAGES * per_page / WEEK_S
    print(
        f"Một trang tốn {per_page:.1f} giây-worker; {TARGET_PAGES:,} trang trong một tuần cần "
        f"khoảng {needed:.0f} worker một luồng (lõi CPU) chạy liên tục"
    )


if __name__ == "__main__":
    main()
