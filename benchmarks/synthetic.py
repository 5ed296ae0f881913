"""Benchmark (a): the batch on a generated set covering every style and degradation level.

Prints row recall, field accuracy per field, name exact-match, auto-accept precision, review
rate (overall, per style, per degradation), pages/min and peak memory per worker.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.evaluate import PageKey, Tally, compare
from ingest.pipeline import run_batch
from records.db import engine_for, migrate, session_scope
from records.export_format import read_jsonl
from records.export_rows import iter_export_rows
from records.settings import load_settings
from scans.generator import generate_set


@dataclass
class BatchRun:
    rows: list[dict[str, Any]]
    pages: int
    seconds: float
    peak_worker_mb: float


def sample_set(root: Path, pages: int, seed: int) -> Path:
    """The generated set for (pages, seed), rendered once and kept under ``root``."""
    folder = root / f"synthetic-{pages}p-seed{seed}"
    if not (folder / "manifest.json").exists():
        print(f"Sinh {pages} trang mẫu vào {folder} …", flush=True)
        generate_set(folder, pages, seed)
    return folder


def scan_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".tif", ".pdf"}
    )


class PeakMemory:
    """The highest peak resident memory (VmHWM) of any process descended from this one.

    Workers are started by a fork server, so they are not this process's children and
    ``getrusage`` cannot see them; /proc can.  Polled in a thread while the batch runs.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _descendants(os.getpid()):
                self.peak_kb = max(self.peak_kb, _vm_hwm_kb(pid))


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_ours(files: Iterable[Path], workers: int) -> BatchRun:
    with tempfile.TemporaryDirectory(prefix="bangdiem-bench-") as data:
        settings = load_settings({"BANGDIEM_DATA_DIR": data})
        migrate(settings)
        started = time.monotonic()
        with session_scope(settings) as session, PeakMemory() as memory:
            summary = run_batch(
                session, settings, "bench", list(files), workers=workers, progress=False
            )
        seconds = time.monotonic() - started
        with session_scope(settings) as session:
            rows = list(iter_export_rows(session, "bench"))
        engine_for(settings.database_url).dispose()
    peak_kb = memory.peak_kb
    if workers == 1:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return BatchRun(rows, summary.pages_read, seconds, peak_kb / 1024)


def page_groups(folder: Path) -> dict[str, dict[PageKey, str]]:
    """Per page of the set: its style, degradation level and ruling (from the manifest)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    groups: dict[str, dict[PageKey, str]] = {"style": {}, "degradation": {}, "ruling": {}}
    for item in manifest["files"]:
        for number, page in enumerate(item["pages"], start=1):
            for key, by in groups.items():
                by[(item["file"], number)] = str(page[key])
    return groups


def _share(value: float, judged: bool, digits: int = 1) -> str:
    return f"{value:.{digits}%}" if judged else "—"


def print_tallies(title: str, tallies: dict[str, Tally]) -> None:
    """One line per group; precision and review rate only where fields carry a status."""
    print(f"\n{title}")
    print(
        f"  {'nhóm':24} {'dòng':>6} {'thu hồi dòng':>13} {'đúng trường':>12} {'đúng tên':>9} "
        f"{'chính xác auto':>15} {'tỉ lệ duyệt':>12}"
    )
    for group, tally in sorted(tallies.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        print(
            f"  {group:24} {tally.truth_rows:6d} {tally.row_recall():13.1%} "
            f"{tally.accuracy():12.1%} {tally.accuracy('full_name'):9.1%} "
            f"{_share(tally.auto_precision(), tally.judged > 0, 2):>15} "
            f"{_share(tally.review_rate(), tally.judged > 0):>12}"
        )


def print_fields(tally: Tally) -> None:
    print("\n  Độ đúng theo trường (toàn bộ):")
    for name in sorted(tally.field_total):
        print(f"    {name:28} {tally.accuracy(name):7.1%}  ({tally.field_total[name]})")


def evaluate(folder: Path, rows: list[dict[str, Any]]) -> dict[str, dict[str, Tally]]:
    """Tallies by style, degradation and ruling, and by style over clean-to-medium pages."""
    truth = list(read_jsonl(folder / "truth.jsonl"))
    groups = page_groups(folder)
    results = {key: compare(truth, rows, by) for key, by in groups.items()}
    keep = {page for page, level in groups["degradation"].items() if level != "heavy"}
    results["clean_to_medium"] = compare(
        [r for r in truth if (r["source"], r["page"]) in keep],
        [r for r in rows if (r["source"], r["page"]) in keep],
        groups["style"],
    )
    return results
