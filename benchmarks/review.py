"""Review app speed with 500,000 fields in the database, on SQLite and on PostgreSQL.

Targets (the issue): server time per review action p95 ≤ 30 ms; accepting a correct
suggestion costs one keystroke; the queue page (the queue's redirect plus the row page it
lands on) loads in ≤ 200 ms.

For each database: migrate a fresh one, bulk-load ~39,000 rows × 13 fields of 1990 PTTH
sheets (``benchmarks.review_data``), add staff accounts, serve the real app
(``review.app.create_app``) with uvicorn in a subprocess, and drive it over HTTP with
scripted staff (one approver, the others reviewers) working one batch's queue as the row
screen's script does: queue → row page → the images the page references (the row strip, from
which SVG cuts the cells; fetched as a browser does, once each, 6 connections at a time) →
one round of live checks → Enter on each field that needs a person (the value shown is sent
as is) → the approver approves, and also approves the
rows the reviewers finished.  Every 10th row a client enters the queue again from the
dashboard's link (no ``?after=``).  The batch worked is the last one, so its rows have the
highest ids (the worst case for a queue ordered by id).

Three phases on each database: one client alone (each action's own cost: the target as the
issue states it), the staff with a think time before each Enter and each approval (a fast
team at work), and the staff with no think time at all (the server saturated: capacity, and
latency under queueing).  The machine's other load shows in every figure.

Server time is measured inside the server process by a small ASGI wrapper around the app
(from the request reaching the app to its last body byte being handed to the server), keyed
by a request id the client sends; the client-observed latency is reported beside it.  The
one-keystroke claim is checked on the row page itself: every suggestion must already be the
value of its input, and saving that value (one request, the Enter) must resolve the field.

    python -m benchmarks.review [--clients 4] [--think 0.5] [--skip sqlite|postgresql]

PostgreSQL: BANGDIEM_BENCH_POSTGRES_URL, else the cluster of tools/postgres-test-server.sh;
the benchmark works in its own schema (bench_review), dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchmarks import serving
from benchmarks.postgres import reset_schemas, server_url, with_schema
from benchmarks.review_data import Loaded, Shape, load, write_page_image
from benchmarks.serving import stop_server
from records.db import engine_for, migrate
from records.settings import Settings, load_settings
from records.vocabulary import Role
from review.accounts import add_user

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mat-khau-bench-du-dai"  # noqa: S105 (throwaway accounts)
SCHEMA = "bench_review"
ACTION_HEADER = "x-bench-action"
ID_HEADER = "x-bench-id"
TIMINGS_PATH = "/__bench/timings"

ENTRY_EVERY = 10  # rows a client reviews between two entries into the queue from the dashboard
ACTION_TARGET_MS = 30.0
PAGE_LOAD_TARGET_MS = 200.0
# Action kinds, in the order the table prints them, with their labels.
ACTIONS: dict[str, str] = {
    "field_decision": "field decision  POST /api/fields/{id}",
    "live_checks": "live checks     POST /api/rows/{id}/checks",
    "queue_next": "queue next      GET /batches/{id}/queue?after=",
    "queue_entry": "queue entry     GET /batches/{id}/queue",
    "row_page": "row page        GET /rows/{id}",
    "approve": "approve         POST /rows/{id}/approve",
    "cell_crop": "cell crop       GET /images/fields/{id}.png",
    "row_strip": "row strip       GET /images/rows/{id}.png",
}


# -- the server side: timing wrapper ------------------------------------------------------------


class ServerTiming:
    """ASGI wrapper recording, per request, the time from the request reaching the app to its
    last body chunk being handed to the server.  ``GET /__bench/timings`` returns them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.samples: dict[str, tuple[str, float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == TIMINGS_PATH:
            body = json.dumps(self.samples).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        headers = dict(scope["headers"])
        request_id = headers.get(ID_HEADER.encode(), b"").decode()
        action = headers.get(ACTION_HEADER.encode(), b"other").decode()
        started, cpu = time.perf_counter(), time.process_time()

        async def timed_send(message: Message) -> None:
            last = message["type"] == "http.response.body" and not message.get("more_body")
            if last and request_id:
                self.samples[request_id] = (
                    action,
                    time.perf_counter() - started,
                    time.process_time() - cpu,  # the whole process: exact when alone
                )
            await send(message)

        await self.app(scope, receive, timed_send)


def timed_app() -> ServerTiming:
    """uvicorn factory: the real review app (settings from the environment), timed."""
    from review.app import create_app

    return ServerTiming(create_app())


# -- the database ------------------------------------------------------------------------------


def prepare(kind: str, root: Path, postgres_url: str) -> Settings:
    """A fresh, migrated database of ``kind`` with its own data folder."""
    data_dir = root / "review" / kind
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {"BANGDIEM_DATA_DIR": str(data_dir)}
    if kind == "postgresql":
        reset_schemas(postgres_url, [SCHEMA], create=True)
        env["DATABASE_URL"] = with_schema(postgres_url, SCHEMA)
    settings = load_settings(env)
    migrate(settings)
    return settings


def drop_schema(postgres_url: str) -> None:
    reset_schemas(postgres_url, [SCHEMA], create=False)


def add_staff(settings: Settings, reviewers: int) -> tuple[str, list[str]]:
    """One approver and ``reviewers`` reviewers; their usernames."""
    with Session(engine_for(settings.database_url)) as session:
        add_user(session, "duyet1", "Người phê duyệt", Role.APPROVER, PASSWORD, actor="bench")
        names = [f"xem{n}" for n in range(1, reviewers + 1)]
        for name in names:
            add_user(session, name, f"Người duyệt {name}", Role.REVIEWER, PASSWORD, actor="bench")
    return "duyet1", names


# -- the server process ------------------------------------------------------------------------


def start_server(settings: Settings) -> tuple[subprocess.Popen[bytes], str]:
    env = {"BANGDIEM_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    return serving.start_server("benchmarks.review:timed_app", env, "/login")


# -- the row page as the browser sees it -------------------------------------------------------


@dataclass
class FieldOnPage:
    id: int
    name: str
    version: int
    value: str  # what the input shows (pre-filled)
    status: str = ""
    suggestion: str | None = None


@dataclass
class RowOnPage:
    row_id: int = 0
    version: int = 0
    first_field: int | None = None
    csrf: str = ""
    fields: dict[int, FieldOnPage] = field(default_factory=dict)
    can_approve: bool = False


class RowPageParser(HTMLParser):
    """The parts of row.html the row screen's script reads."""

    def __init__(self) -> None:
        super().__init__()
        self.row = RowOnPage()
        self._suggest_for: int | None = None
        self._status_by_tr: dict[int, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "csrf-token":
            self.row.csrf = a.get("content", "")
        elif tag == "div" and a.get("id") == "row":
            self.row.row_id = int(a["data-row-id"])
            self.row.version = int(a["data-row-version"])
            first = a.get("data-first-field", "")
            self.row.first_field = int(first) if first else None
        elif tag == "tr" and a.get("id", "").startswith("field-"):
            status = re.search(r"status-(\S+)", a.get("class", ""))
            self._status_by_tr[int(a["id"].removeprefix("field-"))] = (
                status.group(1) if status else ""
            )
        elif tag == "input" and "data-field-id" in a:
            field_id = int(a["data-field-id"])
            self.row.fields[field_id] = FieldOnPage(
                id=field_id,
                name=a.get("name", ""),
                version=int(a["data-version"]),
                value=a.get("value", ""),
                status=self._status_by_tr.get(field_id, ""),
            )
        elif tag == "span" and a.get("id", "").startswith("suggest-"):
            self._suggest_for = int(a["id"].removeprefix("suggest-"))
        elif tag == "form" and a.get("id") == "approve-form":
            self.row.can_approve = True

    def handle_data(self, data: str) -> None:
        if self._suggest_for is not None and data.strip().startswith("Gợi ý:"):
            found = self.row.fields.get(self._suggest_for)
            if found is not None:
                found.suggestion = data.strip().removeprefix("Gợi ý:").strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._suggest_for = None


def parse_row_page(html: str) -> RowOnPage:
    parser = RowPageParser()
    parser.feed(html)
    return parser.row


IMAGE_URL = re.compile(r'(?:src|href)="(/images/(?:rows|fields)/\d+\.png)"')


# -- the scripted staff ------------------------------------------------------------------------


@dataclass
class Shared:
    batch_id: int
    deadline: float
    prefix: str  # of request ids, one per phase
    think: float = 0.0  # seconds a person looks before each Enter and before approving
    finished_rows: deque[int] = field(default_factory=deque)  # reviewed, waiting for approval
    # (request id, action, client seconds)
    samples: list[tuple[str, str, float]] = field(default_factory=list)
    page_loads: list[tuple[str, str, float]] = field(default_factory=list)  # queue id, row id
    dashboard: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    suggestions_seen: int = 0
    suggestions_prefilled: int = 0
    suggestions_accepted: int = 0  # saved as suggested by one Enter, checks then agreed
    rows_reviewed: int = 0
    rows_passing_after_enter_only: int = 0
    rows_approved: int = 0
    queue_done: bool = False
    counter: int = 0

    def next_id(self) -> str:
        self.counter += 1
        return f"{self.prefix}{self.counter}"


class Staff:
    def __init__(self, shared: Shared, base: str, username: str, approver: bool) -> None:
        self.shared = shared
        self.username = username
        self.approver = approver
        self.csrf = ""
        self.client = httpx.AsyncClient(
            base_url=base,
            follow_redirects=False,
            timeout=60,
            limits=httpx.Limits(max_connections=6),  # a browser's connections per host
        )

    async def request(
        self, action: str, method: str, url: str, **kwargs: Any
    ) -> tuple[httpx.Response, str, float]:
        request_id = self.shared.next_id()
        headers = {ID_HEADER: request_id, ACTION_HEADER: action, **kwargs.pop("headers", {})}
        started = time.perf_counter()
        response = await self.client.request(method, url, headers=headers, **kwargs)
        elapsed = time.perf_counter() - started
        self.shared.samples.append((request_id, action, elapsed))
        return response, request_id, elapsed

    async def login(self) -> None:
        response = await self.client.post(
            "/login", data={"username": self.username, "password": PASSWORD}
        )
        if response.status_code != 303:
            raise RuntimeError(f"login of {self.username}: {response.status_code}")
        request_id = self.shared.next_id()
        started = time.perf_counter()
        dashboard = await self.client.get(
            "/", headers={ID_HEADER: request_id, ACTION_HEADER: "dashboard"}
        )
        self.shared.dashboard.append((request_id, time.perf_counter() - started))
        token = re.search(r'name="csrf-token" content="([^"]+)"', dashboard.text)
        if token is None:
            raise RuntimeError("no CSRF token on the dashboard")
        self.csrf = token.group(1)

    def _error(self, what: str, response: httpx.Response) -> None:
        self.shared.errors.append(
            f"{self.username} {what}: {response.status_code} {response.text[:200]}"
        )

    async def open_row(self, url: str) -> RowOnPage | None:
        response, _, _ = await self.request("row_page", "GET", url)
        if response.status_code != 200:
            self._error("row page", response)
            return None
        row = parse_row_page(response.text)
        await self.load_images(response.text)
        return row

    async def load_images(self, html: str) -> None:
        """What the browser fetches for the page: every image it references, once each (the
        cells are drawn from the row strip through SVG viewBoxes, so that is one image; a
        field without a row box still has its own crop)."""
        urls = [
            ("row_strip" if "/images/rows/" in url else "cell_crop", url)
            for url in dict.fromkeys(IMAGE_URL.findall(html))
        ]
        responses = await asyncio.gather(*(self.request(a, "GET", u) for a, u in urls))
        for response, _, _ in responses:
            if response.status_code != 200:
                self._error("image", response)

    async def review_row(self, row: RowOnPage) -> bool:
        """Enter on every field that needs this person, as the row screen does; True when the
        row's checks pass afterwards."""
        for f in row.fields.values():
            if f.status == "needs_review" and f.suggestion is not None:
                self.shared.suggestions_seen += 1
                self.shared.suggestions_prefilled += f.value == f.suggestion
        # The screen asks for live checks while a person types; one round per row.
        values = {f.name: f.value for f in row.fields.values()}
        response, _, _ = await self.request(
            "live_checks",
            "POST",
            f"/api/rows/{row.row_id}/checks",
            json={"values": values},
            headers={"X-CSRF-Token": self.csrf},
        )
        if response.status_code != 200:
            self._error("checks", response)
        current = row.first_field
        passed = False
        while current is not None:
            await self.think()
            shown = row.fields[current]
            suggested = shown.status == "needs_review" and shown.suggestion is not None
            response, _, _ = await self.request(
                "field_decision",
                "POST",
                f"/api/fields/{current}",
                json={"version": shown.version, "decision": "set", "value": shown.value},
                headers={"X-CSRF-Token": self.csrf},
            )
            if response.status_code != 200:
                self._error("decision", response)
                return False
            data = response.json()
            state = data["row"]
            row.version = state["version"]
            for f in state["fields"]:
                mine = row.fields[f["id"]]
                mine.version = f["version"]
                mine.status = f["status"]
                mine.suggestion = f["suggestion"]
                # applyRow: a field still waiting shows its suggestion, others their value.
                if f["status"] == "needs_review" and f["suggestion"] is not None:
                    mine.value = f["suggestion"]
                else:
                    mine.value = f["value"]
                if f["id"] == current and suggested and f["status"] == "corrected":
                    self.shared.suggestions_accepted += 1
            passed = bool(state["passed"])
            current = data["next_field_id"]
        return passed

    async def think(self) -> None:
        if self.shared.think > 0:
            await asyncio.sleep(self.shared.think)

    async def approve(self, row: RowOnPage, queue: bool) -> str | None:
        """Approve the row; the redirect's target (the queue's next when from the queue)."""
        await self.think()
        response, _, _ = await self.request(
            "approve",
            "POST",
            f"/rows/{row.row_id}/approve",
            data={
                "csrf_token": row.csrf or self.csrf,
                "version": str(row.version),
                "reason": "",
                "queue": str(self.shared.batch_id) if queue else "",
            },
        )
        if response.status_code != 303:
            self._error("approve", response)
            return None
        self.shared.rows_approved += 1
        location: str | None = response.headers.get("location")
        return location

    async def approve_finished(self) -> None:
        """An approver opens a row a reviewer finished and approves it."""
        row_id = self.shared.finished_rows.popleft()
        row = await self.open_row(f"/rows/{row_id}")
        if row is not None and row.can_approve:
            await self.approve(row, queue=False)

    async def work(self) -> None:
        shared = self.shared
        entry_url = f"/batches/{shared.batch_id}/queue"
        queue_url = entry_url
        rows = 0
        while time.monotonic() < shared.deadline and not shared.queue_done:
            if rows % ENTRY_EVERY == 0:
                queue_url = entry_url  # back from the dashboard's «Duyệt» link (no ?after=)
            rows += 1
            if self.approver:
                for _ in range(2):
                    if shared.finished_rows and time.monotonic() < shared.deadline:
                        await self.approve_finished()
            response, queue_id, queue_s = await self.request(
                "queue_entry" if queue_url == entry_url else "queue_next", "GET", queue_url
            )
            location = response.headers.get("location", "")
            if response.status_code != 303 or not location.startswith("/rows/"):
                if location.startswith("/?done"):
                    shared.queue_done = True
                else:
                    self._error("queue", response)
                break
            page, page_id, page_s = await self.request("row_page", "GET", location)
            if page.status_code != 200:
                self._error("row page", page)
                break
            shared.page_loads.append((queue_id, page_id, queue_s + page_s))
            row = parse_row_page(page.text)
            await self.load_images(page.text)
            passed = await self.review_row(row)
            shared.rows_reviewed += 1
            shared.rows_passing_after_enter_only += passed
            row_id = row.row_id
            if self.approver and row.can_approve and passed:
                target = await self.approve(row, queue=True)
                if target and target.startswith(entry_url):
                    queue_url = target  # /batches/{id}/queue?after={row}
                    continue
            elif not self.approver and passed:
                shared.finished_rows.append(row_id)
            queue_url = f"/batches/{shared.batch_id}/queue?after={row_id}"

    async def close(self) -> None:
        await self.client.aclose()


async def drive(
    base: str,
    batch_id: int,
    staff_names: tuple[str, list[str]],
    seconds: float,
    think: float,
    prefix: str,
) -> tuple[Shared, float]:
    """Log the staff in, then let them work the batch's queue for ``seconds``."""
    approver, reviewers = staff_names
    shared = Shared(batch_id=batch_id, deadline=0.0, prefix=prefix, think=think)
    staff = [Staff(shared, base, approver, approver=True)] + [
        Staff(shared, base, name, approver=False) for name in reviewers
    ]
    for member in staff:
        await member.login()
    started = time.monotonic()
    shared.deadline = started + seconds
    await asyncio.gather(*(member.work() for member in staff))
    elapsed = time.monotonic() - started
    for member in staff:
        await member.close()
    return shared, elapsed


# -- figures -----------------------------------------------------------------------------------


@dataclass
class Figures:
    n: int
    server_ms: tuple[float, float, float]
    client_ms: tuple[float, float, float]
    cpu_ms: tuple[float, float, float]  # the app process's CPU time over the request


def _pct(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"), float("nan"), float("nan"))
    p50, p95, p99 = np.percentile(np.array(values) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


@dataclass
class Result:
    kind: str  # the database
    phase: str
    clients: int
    loaded: Loaded
    elapsed: float
    shared: Shared
    actions: dict[str, Figures]
    page_load: Figures
    dashboard: Figures
    requests: int


def summarise(
    kind: str,
    phase: tuple[str, int],
    loaded: Loaded,
    shared: Shared,
    elapsed: float,
    server: dict[str, Any],
) -> Result:
    server_s = {request_id: float(entry[1]) for request_id, entry in server.items()}
    cpu_s = {request_id: float(entry[2]) for request_id, entry in server.items()}

    def figures(ids: list[list[str]], client: list[float]) -> Figures:
        """Server and CPU times summed over each group of request ids."""
        known = [group for group in ids if all(i in server_s for i in group)]
        return Figures(
            len(client),
            _pct([sum(server_s[i] for i in group) for group in known]),
            _pct(client),
            _pct([sum(cpu_s[i] for i in group) for group in known]),
        )

    actions = {
        action: figures(
            [[i] for i, a, _ in shared.samples if a == action],
            [c for _, a, c in shared.samples if a == action],
        )
        for action in ACTIONS
    }
    page_load = figures(
        [[q, p] for q, p, _ in shared.page_loads], [c for *_, c in shared.page_loads]
    )
    dashboard = figures([[i] for i, _ in shared.dashboard], [c for _, c in shared.dashboard])
    return Result(
        kind,
        phase[0],
        phase[1],
        loaded,
        elapsed,
        shared,
        actions,
        page_load,
        dashboard,
        len(shared.samples),
    )


def _verdict(figures: Figures, target: float | None, on_server: bool) -> str:
    if target is None or not figures.n:
        return "-"
    value = figures.server_ms[1] if on_server else figures.client_ms[1]
    return "PASS" if value <= target else "FAIL"


def print_result(result: Result) -> None:
    shared = result.shared
    who = "1 approver" + (f" + {result.clients - 1} reviewers" if result.clients > 1 else "")
    print(
        f"\n== {result.kind}, {result.phase} ({who}) on batch {shared.batch_id} "
        f"for {result.elapsed:.1f} s: {result.requests:,} requests = "
        f"{result.requests / result.elapsed:.1f} req/s, "
        f"{result.actions['field_decision'].n / result.elapsed:.1f} decisions/s, "
        f"{shared.rows_reviewed} rows reviewed, {shared.rows_approved} approved"
    )
    header = (
        f"   {'action':<48} {'n':>5}  {'server p50/p95/p99 ms':>22}  "
        f"{'client p50/p95/p99 ms':>22}  {'app CPU p50/p95':>15}  target    result"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))

    def line(label: str, figures: Figures, target: float | None, on_server: bool) -> None:
        s, c, u = figures.server_ms, figures.client_ms, figures.cpu_ms
        goal = f"p95≤{target:.0f}" if target is not None else ""
        print(
            f"   {label:<48} {figures.n:>5}  {s[0]:>6.1f} {s[1]:>7.1f} {s[2]:>7.1f}  "
            f"{c[0]:>6.1f} {c[1]:>7.1f} {c[2]:>7.1f}  {u[0]:>7.1f} {u[1]:>7.1f}  {goal:<9} "
            f"{_verdict(figures, target, on_server)}"
        )

    for action, label in ACTIONS.items():
        line(label, result.actions[action], ACTION_TARGET_MS, True)
    line(
        "QUEUE PAGE LOAD (queue redirect + row page)", result.page_load, PAGE_LOAD_TARGET_MS, False
    )
    line("dashboard GET / after login (no target)", result.dashboard, None, True)
    print(
        f"   accepting a correct suggestion: {_keystrokes(shared)} keystroke (Enter): "
        f"{shared.suggestions_prefilled}/{shared.suggestions_seen} suggestions pre-filled in the "
        f"row page's input, {shared.suggestions_accepted} saved by that one request; "
        f"{shared.rows_passing_after_enter_only}/{shared.rows_reviewed} rows pass every check "
        f"after Enter only"
    )
    if shared.errors:
        print(f"   {len(shared.errors)} errors, first: {shared.errors[0]}")


def _keystrokes(shared: Shared) -> str:
    if not shared.suggestions_seen:
        return "?"
    return "1" if shared.suggestions_prefilled == shared.suggestions_seen else "more than 1"


def print_summary(results: list[Result]) -> None:
    """One line per database and phase: the worst action's p95 against the targets."""
    print(
        f"\n== Summary (targets: server p95 ≤ {ACTION_TARGET_MS:.0f} ms per action, "
        f"queue page load p95 ≤ {PAGE_LOAD_TARGET_MS:.0f} ms, 1 keystroke per suggestion)"
    )
    for result in results:
        worst = max(
            (a for a in ACTIONS if result.actions[a].n),
            key=lambda a: result.actions[a].server_ms[1],
        )
        failing = [
            a for a in ACTIONS if _verdict(result.actions[a], ACTION_TARGET_MS, True) == "FAIL"
        ]
        decision = result.actions["field_decision"].server_ms[1]
        load_p95 = result.page_load.client_ms[1]
        print(
            f"   {result.kind:<10} {result.phase:<24} decision p95 {decision:6.1f} ms; "
            f"worst action {worst} p95 {result.actions[worst].server_ms[1]:6.1f} ms; "
            f"queue page p95 {load_p95:6.1f} ms "
            f"({_verdict(result.page_load, PAGE_LOAD_TARGET_MS, False)}); "
            f"keystrokes {_keystrokes(result.shared)}; "
            f"actions over target: {', '.join(failing) or 'none'}"
        )


def run_database(kind: str, args: argparse.Namespace, postgres_url: str) -> list[Result]:
    shape = Shape(batches=args.batches)
    started = time.perf_counter()
    settings = prepare(kind, args.root, postgres_url)
    write_page_image(settings.data_dir)
    print(f"-- {kind}: migrated in {time.perf_counter() - started:.1f} s; loading …", flush=True)
    loaded = load(settings, shape)
    print(
        f"-- {kind}: {loaded.fields:,} fields in {loaded.rows:,} rows "
        f"({loaded.needs_review:,} needs_review, {loaded.misread_totals:,} of them misread "
        f"totals) loaded in {loaded.seconds:.1f} s",
        flush=True,
    )
    approver, reviewers = add_staff(settings, max(0, args.clients - 1))
    engine_for(settings.database_url).dispose()
    phases = [("1 client", 1, args.single_seconds, 0.0)]
    if args.clients > 1:
        phases.append(
            (
                f"{args.clients} clients, {args.think:g} s think",
                args.clients,
                args.seconds,
                args.think,
            )
        )
        phases.append(
            (f"{args.clients} clients, saturated", args.clients, args.saturated_seconds, 0.0)
        )
    process, base = start_server(settings)
    runs: list[tuple[tuple[str, int], Shared, float]] = []
    try:
        batch_id = args.batch or loaded.batch_ids[-1]
        for number, (name, clients, seconds, think) in enumerate(phases):
            if seconds <= 0:
                continue
            print(f"-- {kind}: {name} for {seconds:.0f} s …", flush=True)
            staff_names = (approver, reviewers[: clients - 1])
            shared, elapsed = asyncio.run(
                drive(base, batch_id, staff_names, seconds, think, f"p{number}-")
            )
            runs.append(((name, clients), shared, elapsed))
        server = httpx.get(base + TIMINGS_PATH, timeout=30).json()
    finally:
        stop_server(process)
    return [
        summarise(kind, phase, loaded, shared, elapsed, server) for phase, shared, elapsed in runs
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.review",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--single-seconds", type=float, default=15.0, help="1-client phase")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="concurrent phase with think time"
    )
    parser.add_argument("--think", type=float, default=0.5, help="seconds before each Enter")
    parser.add_argument(
        "--saturated-seconds", type=float, default=20.0, help="concurrent, no think time"
    )
    parser.add_argument("--clients", type=int, default=4, help="1 approver + reviewers")
    parser.add_argument("--batches", type=int, default=20, help="20 batches = 507,000 fields")
    parser.add_argument("--batch", type=int, default=0, help="the batch worked (default: last)")
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    parser.add_argument("--skip", action="append", default=[], choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    run(args.skip, args)


def run(skip: list[str], args: argparse.Namespace | None = None) -> None:
    """Both databases (those not in ``skip``), then the tables; defaults unless ``args``."""
    if args is None:
        args = _parser().parse_args([])
    results: list[Result] = []
    skipped = ""
    if "sqlite" not in skip:
        results += run_database("sqlite", args, "")
    if "postgresql" not in skip:
        url, source = server_url()
        if not url:
            skipped = f"postgresql SKIPPED: {source} (set BANGDIEM_BENCH_POSTGRES_URL)"
            print(f"-- {skipped}", flush=True)
        else:
            print(f"-- postgresql: server from {source}", flush=True)
            try:
                results += run_database("postgresql", args, url)
            finally:
                if not args.keep:
                    drop_schema(url)
    print(
        "\n== Review app: server time measured in the server process (ASGI wrapper), "
        "client time over HTTP on 127.0.0.1.  App CPU: the server process's CPU time during the "
        "request (exact only when requests do not overlap: the 1-client phase, not images)"
    )
    for result in results:
        print_result(result)
    print_summary(results)
    if skipped:
        print(f"   {skipped}")


if __name__ == "__main__":
    main()
