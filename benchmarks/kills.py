"""Repeated ``kill -9`` of the ingest process: nothing lost, nothing duplicated.

``python -m benchmarks.kills --kills 20`` ingests a generated set once without interruption,
then again into a fresh data folder while killing the ``bangdiem ingest`` process (and its
worker processes) with SIGKILL at random moments, running the same command again after each
kill, until the batch is done.  It prints how many kills landed, how many pages had been stored
at each, and compares every exported row (count and field values) with the uninterrupted run.
The test ``tests/ingest/test_kills.py`` runs the same loop with fewer kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = "lot"
STARTUP_S = 5.0  # a run's start (imports, migration, worker processes) before it reads a page


def start_ingest(folder: Path, data: Path, workers: int) -> subprocess.Popen[bytes]:
    """``bangdiem ingest FOLDER --batch lot`` into ``data``, in a session of its own (so that
    the kill reaches its worker processes too)."""
    env = {**os.environ, "BANGDIEM_DATA_DIR": str(data), "DATABASE_URL": ""}
    command = [sys.executable, "-m", "bangdiem", "ingest", str(folder), "--batch", BATCH]
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
        [*command, "--workers", str(workers), "--no-progress"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def export_rows(data: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "BANGDIEM_DATA_DIR": str(data), "DATABASE_URL": ""}
    out = subprocess.run(  # noqa: S603 - this interpreter, our own arguments
        [sys.executable, "-m", "bangdiem", "export", "--format", "jsonl", "--batch", BATCH],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=300,
    )
    return [json.loads(line) for line in out.stdout.decode().splitlines() if line]


def _count(data: Path, query: str) -> int:
    database = data / "bangdiem.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return int(connection.execute(query).fetchone()[0])
    except sqlite3.OperationalError:  # no tables yet (killed before or during migration)
        return 0


def pages_done(data: Path) -> int:
    return _count(data, "SELECT count(*) FROM page WHERE status IN ('done', 'skipped')")


def stored_rows(data: Path) -> int:
    return _count(data, "SELECT count(*) FROM table_row")


@dataclass
class KillRun:
    kills: int = 0
    runs: int = 0
    seconds: float = 0.0
    pages_at_kill: list[int] = field(default_factory=list)  # pages stored when each kill landed
    delays: list[float] = field(default_factory=list)


def kill_and_resume(
    folder: Path,
    data: Path,
    *,
    kills: int,
    pages: int,
    whole_seconds: float,
    rng: random.Random,
    workers: int = 1,
    limit_s: float = 1800.0,
) -> KillRun:
    """Run the batch, killing it ``kills`` times at random moments, then to the end.

    Each kill lands at a random moment within the work still to do (a start-up allowance plus
    the uninterrupted run's time scaled by the share of pages not yet stored), so that kills
    spread over the batch; a run that ends before its kill finishes the batch.
    Bounded: at most ``kills`` kills, ``kills + 3`` runs and ``limit_s`` seconds."""
    report = KillRun()
    started = time.monotonic()
    deadline = started + limit_s
    for _ in range(kills + 3):
        remaining = 1.0 - pages_done(data) / max(pages, 1)
        # Within the work left plus a start-up allowance, but never past 90% of the whole
        # run's time: on a quick machine a moment after the end meant no kill at all.
        delay = rng.uniform(0.2, min(whole_seconds * remaining + STARTUP_S, 0.9 * whole_seconds))
        process = start_ingest(folder, data, workers)
        report.runs += 1
        if report.kills < kills:
            try:
                code = process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the ingest process and its workers
                process.wait(timeout=30)
                if process.stderr:
                    process.stderr.close()
                report.kills += 1
                report.delays.append(delay)
                report.pages_at_kill.append(pages_done(data))
                continue
        else:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        detail = process.stderr.read().decode() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        if code != 0:
            raise RuntimeError(f"ingest exited {code}: {detail[-2000:]}")
        if pages_done(data) >= pages:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"batch not done after {limit_s:.0f} s")
    report.seconds = time.monotonic() - started
    return report


def whole_run(folder: Path, data: Path, workers: int) -> float:
    """The uninterrupted run; its seconds."""
    started = time.monotonic()
    process = start_ingest(folder, data, workers)
    _, errors = process.communicate(timeout=1800)
    if process.returncode != 0:
        raise RuntimeError(f"ingest exited {process.returncode}: {errors.decode()[-2000:]}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kills", description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    args = parser.parse_args()
    from benchmarks.synthetic import sample_set

    folder = sample_set(args.root, args.pages, args.seed).resolve()
    work = (args.root / f"kills-{os.getpid()}").resolve()
    whole, killed = work / "whole", work / "killed"
    seconds = whole_run(folder, whole, args.workers)
    expected = export_rows(whole)
    pages = pages_done(whole)
    print(f"Chạy liền: {pages} trang, {len(expected)} dòng, {seconds:.1f} s")
    report = kill_and_resume(
        folder,
        killed,
        kills=args.kills,
        pages=pages,
        whole_seconds=seconds,
        rng=random.Random(args.seed),  # noqa: S311 - kill moments, not secrets
        workers=args.workers,
    )
    rows = export_rows(killed)
    lost = len([r for r in expected if r not in rows])
    extra = len(rows) - len(expected)
    print(
        f"Bị kill -9 {report.kills} lần trong {report.runs} lần chạy ({report.seconds:.1f} s); "
        f"số trang đã lưu lúc mỗi lần kill: {report.pages_at_kill}"
    )
    print(
        f"Dòng: {len(rows)} (chạy liền {len(expected)}), trong CSDL {stored_rows(killed)}; "
        f"mất {lost}, thừa {extra}; giá trị trùng khớp hoàn toàn: {rows == expected}"
    )
    if rows != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
