"""Load and soak (issue 6, part 3): the review app with five reviewers on one batch, and the
public lookup service under sustained load, each for N minutes.

Review soak.  A fresh database holds ONE batch, big enough that the staff never run out of
rows (``benchmarks.review_data``); the real review app is served by uvicorn in a subprocess
(``benchmarks.review.start_server``) and five scripted reviewers and one approver work that
batch over HTTP at once, as the row screen does (queue → row page → row strip and cell crops →
live checks → Enter on each field that needs a person, with a short think time).  Contention
is deliberate: every few rows a reviewer opens, by its URL, a row another reviewer holds and
decides the very field the other is on, so one of the two gets the optimistic lock's 409 (the
"clear message to the second"); the one refused reloads the row, as the screen tells it to,
and goes on.  The approver approves the rows the reviewers finished (a stale view: 409 too)
and now and then reopens one.  Every answer is counted by status: 409s are expected, any 5xx
is a failure.  At the end, NO LOST UPDATE is checked in the database itself:

- every field's value is the ``new_value`` of its last ``field.*`` audit entry (when any);
- every field's version is 1 + the number of its ``field.*`` audit entries;
- the 200 answers to decisions are as many as the ``field.*`` audit entries, and no two of
  them were made on the same (field, version) — two would mean one silently overwrote the
  other — and each field's final value is the one its last successful decision answered.

Public soak.  ~100,000 verified records (names drawn from ``records/data/names`` by their
counts) are published with ``publishing.publish``; the lookup app is served by uvicorn in a
subprocess with the rate limits out of the way, and async HTTP clients keep it busy for N
minutes with a mix of searches that find one record, searches that find nothing, refused and
invalid queries, verification of employer codes (valid and unknown), and the portal page and
form; clients come from a few thousand networks (X-Forwarded-For, which uvicorn trusts from
127.0.0.1), as citizens do.  The server's resident memory (VmRSS) is sampled every 10 s:
"memory flat" compares the RSS after the warm-up (the first minute) with the end, and fits a
least-squares slope over the samples after the warm-up; growth over 10 % or over 1 MB/min is
flagged.  Any 5xx is a failure.

    python -m benchmarks.soak [--minutes 10] [--database sqlite|postgresql|both]
                              [--skip review|public]

PostgreSQL: BANGDIEM_BENCH_POSTGRES_URL, else the cluster of tools/postgres-test-server.sh;
the soak works in schemas of its own (bench_soak, bench_soak_public), dropped afterwards.
The machine's other load shows in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import subprocess
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import text

from benchmarks import serving
from benchmarks.postgres import fresh_databases, reset_schemas, server_url
from benchmarks.review import (
    IMAGE_URL,
    PASSWORD,
    RowOnPage,
    add_staff,
    parse_row_page,
    start_server,
)
from benchmarks.review_data import FIELD_NAMES, Shape, load, write_page_image
from benchmarks.serving import stop_server
from publishing.publish import publish
from records.db import engine_for
from records.reference_data import NamePeriod, name_statistics
from records.settings import Settings, load_settings
from review.views import shown_value

ROOT = Path(__file__).resolve().parent.parent
SCHEMA, PUBLIC_SCHEMA = "bench_soak", "bench_soak_public"
REVIEWERS = 5
SAMPLE_EVERY = 10.0  # seconds between two RSS samples
WARM_UP = 60.0  # seconds; shorter runs use a fifth of their length
GROWTH_LIMIT, SLOPE_LIMIT = 0.10, 1.0  # "memory flat": ≤ 10 % and ≤ 1 MB/min after warm-up
ROWS_PER_MINUTE = 2500  # rows loaded per minute of review soak: more than 6 people finish
CONTEND_EVERY = 4  # a reviewer opens someone else's row instead of the queue's every 4th row
REOPEN_EVERY = 25  # the approver reopens one row in 25 it approved
THINK = 0.2  # seconds before each Enter


# -- shared plumbing ----------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else float("nan")


async def sample_rss(
    pid: int, started: float, deadline: float, into: list[tuple[float, float]]
) -> None:
    """(seconds since start, MB) every SAMPLE_EVERY until the deadline."""
    while True:
        into.append((time.monotonic() - started, rss_mb(pid)))
        left = deadline - time.monotonic()
        if left <= 0:
            return
        await asyncio.sleep(min(SAMPLE_EVERY, left))


def prepare(kind: str, part: str, root: Path, postgres_url: str) -> dict[str, str]:
    """A fresh, migrated staff database (and an empty public one); the environment naming them."""
    data_dir = (root / "soak" / part / kind).resolve()
    env = fresh_databases(kind, data_dir, postgres_url, (SCHEMA, PUBLIC_SCHEMA))
    settings = load_settings(env)
    # Named outright: the servers' environment is this process's, which may name other ones.
    env["DATABASE_URL"] = settings.database_url
    env["BANGDIEM_PUBLIC_DATABASE_URL"] = settings.public_database_url
    return env


def warm_up_seconds(seconds: float) -> float:
    return min(WARM_UP, seconds / 5)


@dataclass
class Memory:
    samples: list[tuple[float, float]]  # (s, MB)
    warm_up: float

    @property
    def start(self) -> float:
        return self.samples[0][1]

    @property
    def end(self) -> float:
        return self.samples[-1][1]

    def after(self) -> list[tuple[float, float]]:
        return [s for s in self.samples if s[0] >= self.warm_up] or self.samples[-1:]

    @property
    def after_warm_up(self) -> float:
        return self.after()[0][1]

    @property
    def growth(self) -> float:
        return (self.end - self.after_warm_up) / self.after_warm_up

    @property
    def slope(self) -> float:
        """MB per minute, least squares over the samples after the warm-up."""
        after = self.after()
        if len(after) < 2:
            return float("nan")
        t = np.array([s for s, _ in after]) / 60
        mb = np.array([m for _, m in after])
        return float(np.polyfit(t, mb, 1)[0])

    @property
    def flat(self) -> bool:
        return self.growth <= GROWTH_LIMIT and not self.slope > SLOPE_LIMIT


# -- the review soak ----------------------------------------------------------------------------


@dataclass
class Decided:
    field_id: int
    seen_version: int
    value: str | None  # the field's value in the 200 answer
    version: int  # the field's version in the 200 answer


@dataclass
class ReviewTally:
    deadline: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    by_action: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # 4xx other than the expected 409s
    decided: list[Decided] = field(default_factory=list)
    stale: int = 0  # 409: someone changed the field or row since it was shown
    locked: int = 0  # 409: the row was approved meanwhile
    contended: int = 0  # rows opened by URL while another reviewer held them
    contended_won: int = 0  # ... where the intruder's decision went through
    holder_refused: int = 0  # decisions refused to the reviewer who had the row from the queue
    rows_reviewed: int = 0
    rows_approved: int = 0
    rows_reopened: int = 0
    queue_empty: bool = False
    finished: deque[int] = field(default_factory=deque)  # reviewed rows waiting for approval
    # row id -> (reviewer, the row as that reviewer sees it, the field being decided)
    holding: dict[int, tuple[str, RowOnPage, int | None]] = field(default_factory=dict)

    def requests(self) -> int:
        return sum(self.statuses.values())


class Person:
    """One scripted member of staff: a browser session of the review app."""

    def __init__(self, tally: ReviewTally, base: str, username: str, rng: random.Random) -> None:
        self.tally = tally
        self.username = username
        self.rng = rng
        self.csrf = ""
        self.client = httpx.AsyncClient(
            base_url=base,
            follow_redirects=False,
            timeout=60,
            limits=httpx.Limits(max_connections=6),
        )

    async def request(self, action: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, url, **kwargs)
        status = response.status_code
        self.tally.statuses[status] += 1
        self.tally.by_action[(action, status)] += 1
        if status >= 500:
            self.tally.server_errors.append(
                f"{self.username} {method} {url}: {status} {response.text[:200]}"
            )
        elif status == 409:
            if "đã được duyệt" in response.text:
                self.tally.locked += 1
            else:
                self.tally.stale += 1
        elif status >= 400:
            self.tally.unexpected.append(
                f"{self.username} {method} {url}: {status} {response.text[:200]}"
            )
        return response

    async def login(self) -> None:
        response = await self.request(
            "login", "POST", "/login", data={"username": self.username, "password": PASSWORD}
        )
        if response.status_code != 303:
            raise RuntimeError(f"login of {self.username}: {response.status_code}")
        dashboard = await self.request("dashboard", "GET", "/")
        token = re.search(r'name="csrf-token" content="([^"]+)"', dashboard.text)
        if token is None:
            raise RuntimeError("no CSRF token on the dashboard")
        self.csrf = token.group(1)

    async def open_row(self, row_id: int) -> RowOnPage | None:
        """The row page and the images the browser fetches with it (once each)."""
        response = await self.request("row page", "GET", f"/rows/{row_id}")
        if response.status_code != 200:
            return None
        row = parse_row_page(response.text)
        urls = dict.fromkeys(IMAGE_URL.findall(response.text))
        await asyncio.gather(*(self.request("image", "GET", u) for u in urls))
        return row

    async def decide(self, row: RowOnPage, field_id: int) -> tuple[int, dict[str, Any] | None]:
        """Enter on one field with the value shown; (status, the answer when 200)."""
        shown = row.fields[field_id]
        response = await self.request(
            "decision",
            "POST",
            f"/api/fields/{field_id}",
            json={"version": shown.version, "decision": "set", "value": shown.value},
            headers={"X-CSRF-Token": self.csrf},
        )
        if response.status_code != 200:
            return response.status_code, None
        data: dict[str, Any] = response.json()
        state = data["row"]
        row.version = state["version"]
        for f in state["fields"]:
            mine = row.fields[f["id"]]
            if f["id"] == field_id:
                self.tally.decided.append(
                    Decided(field_id, shown.version, f["value"], f["version"])
                )
            mine.version, mine.status, mine.suggestion = f["version"], f["status"], f["suggestion"]
            # applyRow: a field still waiting shows its suggestion, others their value.
            waiting = f["status"] == "needs_review" and f["suggestion"] is not None
            mine.value = f["suggestion"] if waiting else f["value"]
        return 200, data

    async def close(self) -> None:
        await self.client.aclose()


class Reviewer(Person):
    async def work(self, batch_id: int) -> None:
        tally = self.tally
        after = 0
        rows = 0
        while time.monotonic() < tally.deadline:
            rows += 1
            others = [
                r
                for r, (who, _, current) in tally.holding.items()
                if who != self.username and current
            ]
            if rows % CONTEND_EVERY == 0 and others:
                await self.intrude(self.rng.choice(others))
                continue
            url = f"/batches/{batch_id}/queue" + (f"?after={after}" if after else "")
            response = await self.request("queue", "GET", url)
            location = response.headers.get("location", "")
            if response.status_code != 303 or not location.startswith("/rows/"):
                tally.queue_empty = tally.queue_empty or location.startswith("/?done")
                await asyncio.sleep(1)
                continue
            row_id = int(location.removeprefix("/rows/").split("?")[0])
            after = row_id
            await self.review(row_id)

    async def review(self, row_id: int) -> None:
        """Work the row as the screen does; reload it after a 409, at most three times."""
        tally = self.tally
        row = await self.open_row(row_id)
        reloads = 0
        passed = False
        while row is not None and time.monotonic() < tally.deadline:
            await self.request(
                "live checks",
                "POST",
                f"/api/rows/{row_id}/checks",
                json={"values": {f.name: f.value for f in row.fields.values()}},
                headers={"X-CSRF-Token": self.csrf},
            )
            current = row.first_field
            status = 200
            while current is not None and time.monotonic() < tally.deadline:
                tally.holding[row_id] = (self.username, row, current)
                await asyncio.sleep(THINK)
                status, data = await self.decide(row, current)
                if data is None:
                    break
                passed = bool(data["row"]["passed"])
                current = data["next_field_id"]
            tally.holding.pop(row_id, None)
            if status == 200 or reloads >= 3:
                break
            tally.holder_refused += 1
            if status != 409:
                break
            reloads += 1
            row = await self.open_row(row_id)  # "Hãy tải lại": the screen reloads the row
            if row is not None and not row.can_approve and row.first_field is None:
                break
        tally.holding.pop(row_id, None)
        tally.rows_reviewed += 1
        if passed:
            tally.finished.append(row_id)

    async def intrude(self, row_id: int) -> None:
        """Open a row another reviewer holds, by its URL, and decide the field they are on."""
        tally = self.tally
        held = tally.holding.get(row_id)
        row = await self.open_row(row_id)
        if held is None or row is None:
            return
        target = tally.holding.get(row_id, held)[2]
        if target is None or target not in row.fields:
            return
        tally.contended += 1
        status, _ = await self.decide(row, target)
        tally.contended_won += status == 200


class Approver(Person):
    async def work(self, batch_id: int) -> None:
        tally = self.tally
        approved = 0
        while time.monotonic() < tally.deadline:
            if not tally.finished:
                await asyncio.sleep(0.2)
                continue
            row_id = tally.finished.popleft()
            response = await self.request("row page", "GET", f"/rows/{row_id}")
            if response.status_code != 200:
                continue
            row = parse_row_page(response.text)
            if not row.can_approve:
                continue
            await asyncio.sleep(THINK)
            form = {"csrf_token": row.csrf or self.csrf, "version": str(row.version), "reason": ""}
            response = await self.request("approve", "POST", f"/rows/{row_id}/approve", data=form)
            if response.status_code != 303:
                continue
            tally.rows_approved += 1
            approved += 1
            if approved % REOPEN_EVERY == 0:
                page = await self.request("row page", "GET", f"/rows/{row_id}")
                row = parse_row_page(page.text)
                form = {
                    "csrf_token": row.csrf or self.csrf,
                    "version": str(row.version),
                    "reason": "kiểm tra lại (soak)",
                }
                response = await self.request("reopen", "POST", f"/rows/{row_id}/reopen", data=form)
                tally.rows_reopened += response.status_code == 303


async def drive_review(
    base: str, batch_id: int, staff: tuple[str, list[str]], seconds: float, pid: int
) -> tuple[ReviewTally, float, list[tuple[float, float]]]:
    tally = ReviewTally()
    rng = random.Random(1975)  # noqa: S311
    approver_name, reviewer_names = staff
    approver = Approver(tally, base, approver_name, rng)
    reviewers = [
        Reviewer(tally, base, name, random.Random(n))  # noqa: S311
        for n, name in enumerate(reviewer_names)
    ]
    for person in [approver, *reviewers]:
        await person.login()
    started = time.monotonic()
    tally.deadline = started + seconds
    rss: list[tuple[float, float]] = []
    await asyncio.gather(
        sample_rss(pid, started, tally.deadline, rss),
        approver.work(batch_id),
        *(r.work(batch_id) for r in reviewers),
    )
    elapsed = time.monotonic() - started
    rss.append((elapsed, rss_mb(pid)))
    for person in [approver, *reviewers]:
        await person.close()
    return tally, elapsed, rss


@dataclass
class LostUpdates:
    fields_touched: int
    audit_entries: int
    value_mismatch: list[int]  # field ids whose value is not their last audit entry's
    version_mismatch: list[int]  # field ids whose version is not 1 + their audit entries
    duplicate_success: list[tuple[int, int]]  # (field, version) decided twice with 200
    answer_mismatch: list[int]  # final value differs from the last successful 200's value
    successes: int

    @property
    def count(self) -> int:
        return (
            len(set(self.value_mismatch) | set(self.version_mismatch) | set(self.answer_mismatch))
            + len(self.duplicate_success)
            + abs(self.successes - self.audit_entries)
        )


def check_lost_updates(settings: Settings, decided: list[Decided]) -> LostUpdates:
    engine = engine_for(settings.database_url)
    audits: dict[int, list[str | None]] = {}
    with engine.connect() as connection:
        for entity_id, new_value in connection.execute(
            text(
                "SELECT entity_id, new_value FROM audit_entry "
                "WHERE entity = 'row_field' AND action LIKE 'field.%' ORDER BY id"
            )
        ):
            audits.setdefault(int(entity_id), []).append(new_value)
        current = {
            int(i): (value, int(version), name)
            for i, name, value, version in connection.execute(
                text("SELECT id, name, value, version FROM row_field WHERE version > 1")
            )
        }
        missing = [i for i in audits if i not in current]
        for chunk in range(0, len(missing), 500):
            ids = missing[chunk : chunk + 500]
            marks = ", ".join(str(i) for i in ids)
            for i, name, value, version in connection.execute(
                text(f"SELECT id, name, value, version FROM row_field WHERE id IN ({marks})")  # noqa: S608
            ):
                current[int(i)] = (value, int(version), name)
    engine.dispose()
    value_mismatch = [i for i, entries in audits.items() if current[i][0] != entries[-1]]
    version_mismatch = [
        i for i, (_, version, _) in current.items() if version != 1 + len(audits.get(i, []))
    ]
    seen: Counter[tuple[int, int]] = Counter((d.field_id, d.seen_version) for d in decided)
    last: dict[int, Decided] = {}
    for d in decided:
        if d.field_id not in last or d.version > last[d.field_id].version:
            last[d.field_id] = d
    answer_mismatch = [
        i
        for i, d in last.items()
        if i not in current
        or shown_value(current[i][2], current[i][0]) != d.value
        or current[i][1] != d.version
    ]
    return LostUpdates(
        fields_touched=len(current),
        audit_entries=sum(len(v) for v in audits.values()),
        value_mismatch=value_mismatch,
        version_mismatch=version_mismatch,
        duplicate_success=[k for k, n in seen.items() if n > 1],
        answer_mismatch=answer_mismatch,
        successes=len(decided),
    )


@dataclass
class ReviewResult:
    kind: str
    rows_loaded: int
    elapsed: float
    tally: ReviewTally
    lost: LostUpdates
    memory: Memory


def review_soak(kind: str, args: argparse.Namespace, postgres_url: str) -> ReviewResult:
    seconds = args.minutes * 60
    rows_wanted = max(2000, int(args.minutes * ROWS_PER_MINUTE))
    pages = -(-rows_wanted // 39)
    shape = Shape(
        batches=1, files_per_batch=max(1, -(-pages // 20)), pages_per_file=20, rows_per_page=39
    )
    env = prepare(kind, "review", args.root, postgres_url)
    settings = load_settings(env)
    write_page_image(settings.data_dir)
    loaded = load(settings, shape)
    staff = add_staff(settings, REVIEWERS)
    engine_for(settings.database_url).dispose()
    print(
        f"-- review soak, {kind}: {loaded.rows:,} rows ({loaded.needs_review:,} "
        f"fields need review) in one batch, loaded in {loaded.seconds:.1f} "
        f"s; {REVIEWERS} reviewers + 1 approver for {args.minutes:g} min …",
        flush=True,
    )
    process, base = start_server(settings)
    try:
        tally, elapsed, rss = asyncio.run(
            drive_review(base, loaded.batch_ids[0], staff, seconds, process.pid)
        )
    finally:
        stop_server(process)
    lost = check_lost_updates(settings, tally.decided)
    return ReviewResult(
        kind, loaded.rows, elapsed, tally, lost, Memory(rss, warm_up_seconds(seconds))
    )


def print_review(result: ReviewResult) -> None:
    t, lost, mem = result.tally, result.lost, result.memory
    minutes = result.elapsed / 60
    decisions = sum(n for (a, s), n in t.by_action.items() if a == "decision" and s == 200)
    fivexx = sum(n for s, n in t.statuses.items() if s >= 500)
    statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(t.statuses.items()))
    print(
        f"\n== Review soak, {result.kind}: {REVIEWERS} reviewers + 1 approver "
        f"on one batch of {result.rows_loaded:,} rows"
    )
    rows = [
        ("minutes", f"{minutes:.1f}"),
        ("requests", f"{t.requests():,} ({t.requests() / result.elapsed:.1f}/s)"),
        ("by status", statuses),
        ("decisions (200)", f"{decisions:,} = {decisions / result.elapsed:.1f}/s"),
        (
            "conflicts (409)",
            f"{t.stale + t.locked:,}: {t.stale:,} stale version, {t.locked:,} "
            "row approved meanwhile",
        ),
        (
            "contention",
            f"{t.contended:,} rows opened by URL while held; intruder won "
            f"{t.contended_won:,}, holder refused {t.holder_refused:,} times",
        ),
        (
            "rows",
            f"{t.rows_reviewed:,} reviewed, {t.rows_approved:,} approved, "
            f"{t.rows_reopened:,} reopened" + ("; QUEUE RAN OUT" if t.queue_empty else ""),
        ),
        (
            "audit field.* entries",
            f"{lost.audit_entries:,} for {lost.fields_touched:,} fields; "
            f"200 decisions {lost.successes:,}",
        ),
        (
            "lost updates (must be 0)",
            f"{lost.count} (value≠last audit {len(lost.value_mismatch)}, "
            f"version≠1+audits {len(lost.version_mismatch)}, two 200s on "
            f"one version {len(lost.duplicate_success)}, value≠last 200 answer "
            f"{len(lost.answer_mismatch)}, 200s−audits {lost.successes - lost.audit_entries})",
        ),
        ("5xx (must be 0)", f"{fivexx}"),
        (
            "other 4xx",
            f"{len(t.unexpected)}" + (f", first: {t.unexpected[0]}" if t.unexpected else ""),
        ),
        (
            "server RSS start → end",
            f"{mem.start:.0f} → {mem.end:.0f} MB (after warm-up {mem.after_warm_up:.0f} "
            f"MB, {mem.slope:+.2f} MB/min)",
        ),
        ("RSS samples (MB)", " ".join(f"{m:.0f}" for _, m in mem.samples)),
        ("verdict", "PASS" if lost.count == 0 and fivexx == 0 else "FAIL"),
    ]
    for label, value in rows:
        print(f"   {label:<26} {value}")
    for error in t.server_errors[:5]:
        print(f"   5xx: {error}")


# -- the public soak ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Citizen:
    full_name: str
    birth_date: str
    public_id: str
    unique: bool  # the only published record with this name and birth date


def _draw_names(rng: random.Random, count: int) -> list[str]:
    stats = name_statistics(NamePeriod.BORN_1950_1990)

    def table(counts: dict[str, int]) -> tuple[list[str], list[int]]:
        words = [w for w in counts if all(part.isalpha() for part in w.split())]
        return words, [counts[w] for w in words]

    surnames = rng.choices(*table(stats.surnames), k=count)
    middles = rng.choices(*table(stats.middles), k=count)
    given = rng.choices(*table({g: c.count for g, c in stats.given.items()}), k=count)

    def title(name: str) -> str:
        return " ".join(part.capitalize() for part in name.split())

    return [title(f"{s} {m} {g}") for s, m, g in zip(surnames, middles, given, strict=True)]


def load_public(env: dict[str, str], records: int) -> tuple[list[Citizen], float, float]:
    """~``records`` verified rows with drawn names, published; (people, load s, publish s)."""
    settings = load_settings(env)
    started = time.perf_counter()
    pages = -(-records // 39)
    shape = Shape(
        batches=1, files_per_batch=max(1, -(-pages // 50)), pages_per_file=50, rows_per_page=39
    )
    loaded = load(settings, shape)
    rng = random.Random(2005)  # noqa: S311
    names = _draw_names(rng, loaded.rows)
    width = len(FIELD_NAMES)
    offset = FIELD_NAMES.index("full_name") + 1
    engine = engine_for(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE row_field SET value = :v, ocr_value = :v, raw_text = :v WHERE id = :i"),
            [{"v": name, "i": r * width + offset} for r, name in enumerate(names)],
        )
        connection.execute(
            text("UPDATE table_row SET verified_at = :now"), {"now": datetime.now(UTC)}
        )
    load_s = time.perf_counter() - started
    summary = publish(settings)
    with engine.connect() as connection:
        births: dict[int, str] = {
            int(r): str(v)
            for r, v in connection.execute(
                text("SELECT row_id, value FROM row_field WHERE name = 'birth_date'")
            )
        }
        ids: dict[int, str] = {
            int(r): str(p)
            for r, p in connection.execute(text("SELECT row_id, public_id FROM publication"))
        }
    engine.dispose()
    pairs = Counter((names[r - 1], births[r]) for r in ids)
    people = [
        Citizen(names[r - 1], births[r], ids[r], pairs[(names[r - 1], births[r])] == 1) for r in ids
    ]
    print(
        f"-- public soak: {summary.published:,} records published in {summary.seconds:.1f} s",
        flush=True,
    )
    return people, load_s, summary.seconds


def start_lookup(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    return serving.start_server("lookup_api.app:create_app", env, "/api/health")


# (kind, weight, expected status)
MIX: tuple[tuple[str, int, int], ...] = (
    ("found", 45, 200),
    ("not found", 20, 200),
    ("refused", 8, 422),  # a fragment or a wildcard: logged, refused
    ("invalid", 4, 422),  # a birth the schema refuses
    ("verify", 12, 200),
    ("verify unknown", 3, 404),
    ("portal page", 3, 200),
    ("portal search", 5, 200),
)


@dataclass
class PublicTally:
    deadline: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wrong: Counter[str] = field(default_factory=Counter)  # answers not as expected, by kind
    server_errors: list[str] = field(default_factory=list)
    first_wrong: dict[str, str] = field(default_factory=dict)

    def requests(self) -> int:
        return sum(self.statuses.values())


class Citizens:
    """The query mix, drawn one request at a time."""

    def __init__(self, people: list[Citizen], codes: list[str], networks: int, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311
        self.people = people
        self.codes = codes
        self.networks = [
            f"10.{n // 256 % 256}.{n % 256}.{self.rng.randint(1, 254)}" for n in range(networks)
        ]
        self.kinds = [k for k, _, _ in MIX]
        self.weights = [w for _, w, _ in MIX]
        self.expected = {k: s for k, _, s in MIX}

    def next(self) -> tuple[str, str, str, dict[str, Any]]:
        """(kind, method, url, httpx arguments)."""
        rng = self.rng
        kind = rng.choices(self.kinds, self.weights)[0]
        person = rng.choice(self.people)
        headers = {"X-Forwarded-For": rng.choice(self.networks)}
        birth = person.birth_date
        if kind == "found":
            return (
                kind,
                "POST",
                "/api/v1/search",
                {"json": {"full_name": person.full_name, "birth": birth}, "headers": headers},
            )
        if kind == "not found":
            wrong = (
                date.fromisoformat(birth) - timedelta(days=rng.randint(3000, 6000))
            ).isoformat()
            return (
                kind,
                "POST",
                "/api/v1/search",
                {"json": {"full_name": person.full_name, "birth": wrong}, "headers": headers},
            )
        if kind == "refused":
            name = rng.choice(
                [
                    person.full_name.split()[0],
                    person.full_name[:4] + "*",
                    "%" + person.full_name[2:],
                ]
            )
            return (
                kind,
                "POST",
                "/api/v1/search",
                {"json": {"full_name": name, "birth": birth}, "headers": headers},
            )
        if kind == "invalid":
            return (
                kind,
                "POST",
                "/api/v1/search",
                {"json": {"full_name": person.full_name, "birth": "ngày 3"}, "headers": headers},
            )
        if kind == "verify":
            body = {"code": rng.choice(self.codes), "verifier": "Công ty kiểm tra (soak)"}
            return kind, "POST", "/api/v1/verify", {"json": body, "headers": headers}
        if kind == "verify unknown":
            body = {
                "code": "".join(rng.choices("ABCDEFGHJKMNPQRSTUVWXYZ23456789", k=12)),
                "verifier": "Công ty dò mã",
            }
            return kind, "POST", "/api/v1/verify", {"json": body, "headers": headers}
        if kind == "portal page":
            return kind, "GET", "/", {"headers": headers}
        form = {"full_name": person.full_name, "birth": birth, "exam_year": ""}
        return kind, "POST", "/", {"data": form, "headers": headers}


def check_answer(kind: str, person_unique: bool, response: httpx.Response) -> bool:
    body: dict[str, Any] = response.json()
    if kind == "found" and person_unique:
        return len(body.get("records", [])) == 1
    if kind == "not found":
        return body.get("records") == []
    if kind == "verify":
        return body.get("status") == "valid"
    return True


async def make_codes(
    client: httpx.AsyncClient, people: list[Citizen], count: int, rng: random.Random
) -> list[str]:
    codes = []
    for person in rng.sample(people, count):
        body = {
            "public_id": person.public_id,
            "birth": person.birth_date,
            "for_whom": "Công ty TNHH Soak",
        }
        response = await client.post("/api/v1/shares", json=body)
        if response.status_code != 201:
            raise RuntimeError(f"share creation: {response.status_code} {response.text[:200]}")
        codes.append(response.json()["code"])
    return codes


async def drive_public(
    base: str, people: list[Citizen], seconds: float, connections: int, networks: int, pid: int
) -> tuple[PublicTally, float, list[tuple[float, float]]]:
    tally = PublicTally()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        codes = await make_codes(client, people, 200, random.Random(7))  # noqa: S311
        unique = {p.full_name + "|" + p.birth_date: p.unique for p in people}

        async def worker(n: int) -> None:
            citizens = Citizens(people, codes, networks, seed=n)
            while time.monotonic() < tally.deadline:
                kind, method, url, kwargs = citizens.next()
                started = time.perf_counter()
                try:
                    response = await client.request(method, url, **kwargs)
                except httpx.HTTPError as error:
                    tally.statuses[0] += 1
                    tally.server_errors.append(f"{kind}: {error!r}")
                    continue
                tally.latencies.append(time.perf_counter() - started)
                status = response.status_code
                tally.statuses[status] += 1
                tally.by_kind[(kind, status)] += 1
                if status >= 500:
                    tally.server_errors.append(
                        f"{kind} {method} {url}: {status} {response.text[:200]}"
                    )
                    continue
                body = kwargs.get("json") or kwargs.get("data") or {}
                key = f"{body.get('full_name', '')}|{body.get('birth', '')}"
                if status != citizens.expected[kind] or (
                    url.startswith("/api/")
                    and not check_answer(kind, unique.get(key, False), response)
                ):
                    tally.wrong[kind] += 1
                    tally.first_wrong.setdefault(kind, f"{status} {response.text[:160]!r}")

        started = time.monotonic()
        tally.deadline = started + seconds
        rss: list[tuple[float, float]] = []
        await asyncio.gather(
            sample_rss(pid, started, tally.deadline, rss), *(worker(n) for n in range(connections))
        )
        elapsed = time.monotonic() - started
        rss.append((elapsed, rss_mb(pid)))
    return tally, elapsed, rss


@dataclass
class PublicResult:
    kind: str
    records: int
    publish_s: float
    elapsed: float
    tally: PublicTally
    memory: Memory
    connections: int
    networks: int


def public_soak(kind: str, args: argparse.Namespace, postgres_url: str) -> PublicResult:
    env = prepare(kind, "public", args.root, postgres_url)
    people, _, publish_s = load_public(env, args.records)
    print(
        f"-- public soak, {kind}: {args.connections} connections from {args.networks:,} "
        f"networks for {args.minutes:g} min …",
        flush=True,
    )
    process, base = start_lookup(env)
    try:
        tally, elapsed, rss = asyncio.run(
            drive_public(
                base, people, args.minutes * 60, args.connections, args.networks, process.pid
            )
        )
    finally:
        stop_server(process)
    return PublicResult(
        kind,
        len(people),
        publish_s,
        elapsed,
        tally,
        Memory(rss, warm_up_seconds(args.minutes * 60)),
        args.connections,
        args.networks,
    )


def print_public(result: PublicResult) -> None:
    t, mem = result.tally, result.memory
    fivexx = sum(n for s, n in t.statuses.items() if s >= 500 or s == 0)
    p50, p95, p99 = (
        float(x) for x in np.percentile(np.array(t.latencies or [0.0]) * 1000, [50, 95, 99])
    )
    print(
        f"\n== Public soak, {result.kind}: {result.records:,} published records "
        f"(publish {result.publish_s:.1f} s), {result.connections} connections, "
        f"{result.networks:,} client networks"
    )
    kinds = ", ".join(
        f"{k} {sum(n for (kk, _), n in t.by_kind.items() if kk == k):,}" for k, _, _ in MIX
    )
    rows = [
        ("minutes", f"{result.elapsed / 60:.1f}"),
        (
            "requests",
            f"{t.requests():,} = {t.requests() / result.elapsed:.1f}/s; client "
            f"latency p50/p95/p99 {p50:.1f}/{p95:.1f}/{p99:.1f} ms",
        ),
        ("by kind", kinds),
        (
            "by status",
            ", ".join(f"{s or 'transport error'}: {n:,}" for s, n in sorted(t.statuses.items())),
        ),
        (
            "answers not as expected",
            f"{sum(t.wrong.values())}"
            + "".join(f"; {k}: {n} (first: {t.first_wrong[k]})" for k, n in t.wrong.items()),
        ),
        ("5xx (must be 0)", f"{fivexx}"),
        (
            "server RSS",
            f"start {mem.start:.1f} MB, after warm-up ({mem.warm_up:.0f} "
            f"s) {mem.after_warm_up:.1f} MB, end {mem.end:.1f} MB: {mem.growth:+.1%}, "
            f"slope {mem.slope:+.2f} MB/min over {len(mem.after())} samples",
        ),
        ("RSS samples (MB)", " ".join(f"{m:.0f}" for _, m in mem.samples)),
        (
            "memory flat",
            "yes"
            if mem.flat
            else f"NO (limits: growth ≤ {GROWTH_LIMIT:.0%}, slope ≤ {SLOPE_LIMIT:g} MB/min)",
        ),
        ("verdict", "PASS" if fivexx == 0 and mem.flat else "FAIL"),
    ]
    for label, value in rows:
        print(f"   {label:<26} {value}")
    for error in t.server_errors[:5]:
        print(f"   5xx: {error}")


# -- the command --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="of each soak")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--skip", action="append", default=[], choices=["review", "public"])
    parser.add_argument(
        "--records", type=int, default=100_000, help="published for the public soak"
    )
    parser.add_argument("--connections", type=int, default=16, help="public soak clients at once")
    parser.add_argument(
        "--networks", type=int, default=5000, help="client /24 networks (X-Forwarded-For)"
    )
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schemas")
    return parser


@dataclass
class Outcome:
    reviews: list[ReviewResult] = field(default_factory=list)
    publics: list[PublicResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        review_ok = all(
            r.lost.count == 0 and not any(s >= 500 for s in r.tally.statuses) for r in self.reviews
        )
        public_ok = all(
            r.memory.flat and not any(s >= 500 or s == 0 for s in r.tally.statuses)
            for r in self.publics
        )
        return review_ok and public_ok


def run(args: argparse.Namespace) -> Outcome:
    outcome = Outcome()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        url = ""
        if kind == "postgresql":
            url, source = server_url()
            if not url:
                outcome.skipped.append(
                    f"postgresql SKIPPED: {source} (set BANGDIEM_BENCH_POSTGRES_URL)"
                )
                print(f"-- {outcome.skipped[-1]}", flush=True)
                continue
            print(f"-- postgresql: server from {source}", flush=True)
        try:
            if "review" not in args.skip:
                outcome.reviews.append(review_soak(kind, args, url))
                print_review(outcome.reviews[-1])
            if "public" not in args.skip:
                outcome.publics.append(public_soak(kind, args, url))
                print_public(outcome.publics[-1])
        finally:
            if url and not args.keep:
                reset_schemas(url, (SCHEMA, PUBLIC_SCHEMA), create=False)
    return outcome


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    outcome = run(args)
    print("\n== Soak summary (targets: no lost update, zero 5xx, public memory flat)")
    for r in outcome.reviews:
        print_review(r)
    for p in outcome.publics:
        print_public(p)
    for line in outcome.skipped:
        print(f"   {line}")
    print(f"\n   overall: {'PASS' if outcome.passed else 'FAIL'}")
    sys.exit(0 if outcome.passed else 1)


if __name__ == "__main__":
    main()
