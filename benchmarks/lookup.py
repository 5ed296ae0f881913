"""Publishing and the public lookup with 1,000,000 published records, on SQLite and PostgreSQL.

Targets (issue 5): search p99 ≤ 25 ms and ≥ 50 % of the requests/s of a bare FastAPI endpoint
served the same way in the same run (load from wrk on 127.0.0.1); publishing 1,000,000 records
in ≤ 2 minutes; the right record first for ≥ 99 % of queries that carry one slip in the name.

For each database: migrate a fresh staff database, bulk-load N verified rows with names drawn
from the name statistics (``benchmarks.lookup_data``; the generation time is reported apart),
then

1. time ``publishing.publish.publish`` of all N records, then again after ~1,000 records
   changed (990 totals corrected, 10 rows reopened: withdrawn);
2. accuracy, in process through ``lookup_api.search.find`` (what the API calls) on the public
   read model: 2,100 queries of a real person's name with ONE slip (DOMAIN.md §3: ă/â/a, ê/e,
   ô/ơ/o, ư/u; đ/d; i/y; hỏi/ngã; a dropped letter; two letters swapped; a Telex leftover) and
   the right birth date, and 1,000 with the exact name; the right record (its public id, read
   back from ``publication``) must come first;
3. speed: the real lookup app (``lookup_api.app.create_app``, rate limits raised out of the
   way) and a bare FastAPI app with one trivial POST endpoint, each under uvicorn in a
   subprocess (same settings, one worker), driven in turn by wrk with the same threads,
   connections and duration; the search queries are real people's names with their birth dates
   (half exact, a quarter without accents, a quarter with one slip).  Then the lookup app again
   with one connection: the latency of a search when the server is not saturated, which is
   what the p99 target is judged on.  Server time per request is measured inside the server
   (an ASGI wrapper, both apps), client time by wrk.

    python -m benchmarks.lookup [--records 1000000] [--seconds 20] [--connections 8]
                                [--skip sqlite|postgresql]

PostgreSQL: BANGDIEM_BENCH_POSTGRES_URL, else the cluster of tools/postgres-test-server.sh;
the benchmark works in schemas of its own (bench_lookup_PID, bench_lookup_public_PID), dropped
afterwards, as its SQLite files (var/bench/lookup/sqlite-PID) are removed, unless --keep.
wrk is the Debian package (``make bench`` installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchmarks import serving
from benchmarks.lookup_data import SLIP_KINDS, Loaded, Person, load, slip, unaccented
from benchmarks.postgres import fresh_databases, reset_schemas, server_url
from benchmarks.serving import stop_server
from lookup_api.search import Query, QueryError, clean_birth, clean_name, find
from publishing.publish import PublishSummary, publish
from records.db import engine_for
from records.public_db import public_engine
from records.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_search.lua"
# Per run: two runs at once (other sessions, `make bench`) must not drop each other's data.
SCHEMA, PUBLIC_SCHEMA = f"bench_lookup_{os.getpid()}", f"bench_lookup_public_{os.getpid()}"
TIMINGS_PATH = "/__bench/timings"

P99_TARGET_MS = 25.0
RATIO_TARGET = 0.5
PUBLISH_TARGET_S = 120.0
SLIP_TARGET = 0.99
SLIP_QUERIES = 2100  # 300 of each kind
EXACT_QUERIES = 1000
CHANGED_TOTALS, REOPENED = 990, 10


# -- the servers -------------------------------------------------------------------------------


class RequestTimes:
    """ASGI wrapper: the time from a request reaching the app to its last body byte being
    handed to the server, for every request; ``GET /__bench/timings`` returns them and starts
    afresh."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == TIMINGS_PATH:
            body = json.dumps(self.samples).encode()
            self.samples = []
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)


def timed_lookup_app() -> RequestTimes:
    """uvicorn factory: the real lookup app (settings from the environment), timed."""
    from lookup_api.app import create_app

    return RequestTimes(create_app())


class BareIn(BaseModel):
    full_name: str
    birth: str


def timed_bare_app() -> RequestTimes:
    """uvicorn factory: a bare FastAPI app with one trivial POST endpoint, timed the same way."""
    app = FastAPI()

    @app.post("/api/v1/search")
    def search(body: BareIn) -> dict[str, Any]:
        return {"records": [], "message": body.full_name}

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return RequestTimes(app)


def start_server(factory: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    return serving.start_server(factory, env, "/api/health")


# -- load from wrk -----------------------------------------------------------------------------


@dataclass
class Load:
    label: str
    connections: int
    requests: int
    seconds: float
    non2xx: int
    errors: int
    client_ms: tuple[float, float, float]  # p50, p95, p99
    server_ms: tuple[float, float, float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _pct(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    p50, p95, p99 = np.percentile(np.array(values) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def wrk(base: str, queries: Path, connections: int, seconds: float) -> dict[str, Any]:
    threads = min(connections, 1 if (os.cpu_count() or 1) <= 2 else 2)
    found = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            base,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_QUERIES": str(queries)},
        check=True,
    )
    line = next(li for li in found.stdout.splitlines() if li.startswith("BENCH "))
    figures: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    return figures


def drive(
    label: str, base: str, queries: Path, connections: int, seconds: float, warmup: float
) -> Load:
    if warmup > 0:
        wrk(base, queries, connections, warmup)
    httpx.get(base + TIMINGS_PATH, timeout=30)  # forget the warm-up
    figures = wrk(base, queries, connections, seconds)
    server = httpx.get(base + TIMINGS_PATH, timeout=30).json()
    return Load(
        label=label,
        connections=connections,
        requests=int(figures["requests"]),
        seconds=figures["duration_us"] / 1e6,
        non2xx=int(figures["non2xx"]),
        errors=int(figures["errors"]),
        client_ms=(figures["p50_us"] / 1e3, figures["p95_us"] / 1e3, figures["p99_us"] / 1e3),
        server_ms=_pct(server),
    )


# -- the databases -----------------------------------------------------------------------------


def timed_publish(settings: Settings) -> tuple[PublishSummary, float]:
    """``publish`` and the CPU seconds this process spent in it."""
    cpu = time.process_time()
    summary = publish(settings)
    return summary, time.process_time() - cpu


def prepare(kind: str, root: Path, postgres_url: str) -> dict[str, str]:
    """A fresh, migrated staff database and an empty public one; the environment naming them."""
    data_dir = (root / "lookup" / f"{kind}-{os.getpid()}").resolve()
    return fresh_databases(kind, data_dir, postgres_url, (SCHEMA, PUBLIC_SCHEMA))


def change_records(settings: Settings, people: list[Person], rng: random.Random) -> set[int]:
    """Correct ~1,000 totals and reopen a few rows; the row ids reopened."""
    chosen = rng.sample([p.row_id for p in people], CHANGED_TOTALS + REOPENED)
    corrected, reopened = chosen[:CHANGED_TOTALS], chosen[CHANGED_TOTALS:]
    with engine_for(settings.database_url).begin() as connection:
        connection.execute(
            text(
                "UPDATE row_field SET value = '0.5', version = version + 1 "
                "WHERE name = 'total' AND row_id = :r"
            ),
            [{"r": r} for r in corrected],
        )
        connection.execute(
            text("UPDATE table_row SET verified_at = NULL, version = version + 1 WHERE id = :r"),
            [{"r": r} for r in reopened],
        )
    return set(reopened)


def public_ids(settings: Settings) -> dict[int, str]:
    with engine_for(settings.database_url).connect() as connection:
        rows = connection.execute(
            text("SELECT row_id, public_id FROM publication WHERE withdrawn_at IS NULL")
        )
        return {int(r): str(p) for r, p in rows}


# -- accuracy ----------------------------------------------------------------------------------


@dataclass
class Tally:
    queries: int = 0
    first: int = 0
    found_not_first: int = 0
    wrong_only: int = 0  # only other people's records answered
    empty_none: int = 0  # no record at the best level
    empty_too_many: int = 0  # more than the cap at the best level: answered like none
    causes: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def share(self) -> float:
        return self.first / self.queries if self.queries else float("nan")


def _birth_typed(birth: str, rng: random.Random) -> str:
    """A birth date as a person types it: DD/MM/YYYY or ISO (a year stays a year)."""
    if len(birth) == 10 and rng.random() < 0.5:
        return f"{birth[8:10]}/{birth[5:7]}/{birth[:4]}"
    return birth


def _why(
    connection: Any, query: Query, expected: str, found: list[tuple[Any, Any]], cap: int
) -> str:
    """What made this query miss: the levels of what came first and of the right record."""
    if found:
        level = found[0][1].name.lower()
        first, count = found[0][0], f"({len(found)} records at level {level})"
        if expected not in [row.public_id for row, _ in found]:
            return f"only other people's records {count}"
        if len(first.birth_date) == 4 and len(query.birth) == 10:
            return f"a record whose sheet gave only the birth year ranked first {count}"
        if len({row.folded_key for row, _ in found}) == 1:
            return f"namesakes born the same day, ranked by exam year {count}"
        return f"a near name ranked first (exam year, then public id) {count}"
    wide = find(connection, query, 10_000)
    if not wide:
        return "no record within one slip"
    ids = [row.public_id for row, _ in wide]
    if expected in ids:
        return f"too many ({len(wide)} > {cap}) at level {wide[0][1].name.lower()}"
    return f"another name wins at level {wide[0][1].name.lower()} ({len(wide)} records)"


def accuracy(
    settings: Settings, people: list[Person], ids: dict[int, str], rng: random.Random
) -> dict[str, Tally]:
    """Slip and exact queries through ``lookup_api.search.find`` on the public read model."""
    cap = settings.lookup_max_results
    tallies: dict[str, Tally] = {"exact name": Tally()}
    tallies.update({kind: Tally() for kind in SLIP_KINDS})
    per_kind = SLIP_QUERIES // len(SLIP_KINDS)
    plan: list[tuple[str, Person, str]] = []
    for person in rng.sample(people, EXACT_QUERIES):
        plan.append(("exact name", person, person.full_name))
    for kind in SLIP_KINDS:
        made = 0
        while made < per_kind:
            person = people[rng.randrange(len(people))]
            slipped = slip(person.full_name, kind, rng)
            if slipped is not None:
                plan.append((kind, person, slipped))
                made += 1
    engine = public_engine(settings)
    with engine.connect() as connection:
        for kind, person, name in plan:
            tally = tallies[kind]
            tally.queries += 1
            expected = ids[person.row_id]
            started = time.perf_counter()
            try:
                query = Query(clean_name(name), clean_birth(_birth_typed(person.born, rng)))
                found = find(connection, query, cap)
            except QueryError:
                tally.empty_none += 1
                tally.causes["refused by clean_name/clean_birth"] += 1
                if len(tally.examples) < 3:
                    tally.examples.append(f"{name}: refused as a query (422)")
                continue
            tally.ms.append((time.perf_counter() - started) * 1000)
            if found and found[0][0].public_id == expected:
                tally.first += 1
                continue
            why = _why(connection, query, expected, found, cap)
            if any(row.public_id == expected for row, _ in found):
                tally.found_not_first += 1
            elif found:
                tally.wrong_only += 1
            elif why.startswith("too many"):
                tally.empty_too_many += 1
            else:
                tally.empty_none += 1
            tally.causes[why.split(" (")[0]] += 1
            if len(tally.examples) < 3:
                tally.examples.append(
                    f"{person.full_name} → {name}, {person.born} (sheet: {person.birth_date}): "
                    f"{why}; first "
                    f"{found[0][0].full_name if found else '—'}"
                )
    return tallies


# -- the load test's queries -------------------------------------------------------------------


def write_queries(path: Path, people: list[Person], rng: random.Random, count: int) -> Counter[str]:
    mix: Counter[str] = Counter()
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(count):
            person = people[rng.randrange(len(people))]
            draw = rng.random()
            name: str | None = person.full_name
            kind = "exact"
            if draw >= 0.75:
                kind = "one slip"
                name = slip(person.full_name, rng.choice(SLIP_KINDS), rng) or person.full_name
            elif draw >= 0.5:
                kind = "unaccented"
                name = unaccented(person.full_name)
            mix[kind] += 1
            body = {"full_name": name, "birth": _birth_typed(person.born, rng)}
            handle.write(json.dumps(body, ensure_ascii=False) + "\n")
    return mix


# -- one database ------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    loaded: Loaded
    first_publish: PublishSummary
    second_publish: PublishSummary
    publish_cpu: tuple[float, float]  # this process's CPU seconds (SQLite: all of the work)
    tallies: dict[str, Tally]
    bare: Load
    lookup: Load
    single: Load


def run_database(kind: str, args: argparse.Namespace, postgres_url: str) -> Result:
    rng = random.Random(args.seed)  # noqa: S311
    started = time.perf_counter()
    env = prepare(kind, args.root, postgres_url)
    settings = load_settings(env)
    print(f"-- {kind}: migrated in {time.perf_counter() - started:.1f} s; generating …", flush=True)
    loaded = load(settings, args.records, args.seed)
    print(
        f"-- {kind}: {loaded.rows:,} verified rows, {loaded.fields:,} fields on "
        f"{loaded.sheets:,} sheets generated and loaded in {loaded.seconds:.1f} s; "
        f"{loaded.distinct_names:,} distinct names, {loaded.names_shared:,} shared by 2+, "
        f"{loaded.name_birth_shared:,} name + birth pairs shared by 2+",
        flush=True,
    )
    first, first_cpu = timed_publish(settings)
    print(
        f"-- {kind}: first publish {first.seconds:.1f} s ({first.published:,} published, "
        f"skipped {first.skipped or 'none'})",
        flush=True,
    )
    reopened = change_records(settings, loaded.people, rng)
    second, second_cpu = timed_publish(settings)
    print(
        f"-- {kind}: incremental publish {second.seconds:.1f} s ({second.updated:,} updated, "
        f"{second.withdrawn:,} withdrawn, {second.unchanged:,} unchanged)",
        flush=True,
    )
    ids = public_ids(settings)
    people = [p for p in loaded.people if p.row_id not in reopened]
    tallies = accuracy(settings, people, ids, rng)
    print(f"-- {kind}: accuracy done; load test …", flush=True)
    engine_for(settings.database_url).dispose()
    public_engine(settings).dispose()
    queries = settings.data_dir / "queries.jsonl"
    write_queries(queries, people, rng, 20_000)
    loads: list[Load] = []
    for label, factory, connections, seconds in (
        ("bare FastAPI POST", "benchmarks.lookup:timed_bare_app", args.connections, args.seconds),
        ("lookup search", "benchmarks.lookup:timed_lookup_app", args.connections, args.seconds),
        ("lookup search, 1 connection", "benchmarks.lookup:timed_lookup_app", 1, args.seconds / 2),
    ):
        process, base = start_server(factory, env)
        try:
            print(f"-- {kind}: {label}, {connections} connections, {seconds:.0f} s …", flush=True)
            loads.append(drive(label, base, queries, connections, seconds, args.warmup))
        finally:
            stop_server(process)
    return Result(kind, loaded, first, second, (first_cpu, second_cpu), tallies, *loads)


# -- figures -----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_result(result: Result, records: int) -> None:
    loaded, first, second = result.loaded, result.first_publish, result.second_publish
    slips = [t for k, t in result.tallies.items() if k != "exact name"]
    slip_first = sum(t.first for t in slips)
    slip_all = sum(t.queries for t in slips)
    slip_share = slip_first / slip_all if slip_all else float("nan")
    exact = result.tallies["exact name"]
    ratio = result.lookup.rate / result.bare.rate if result.bare.rate else float("nan")
    print(
        f"\n== {result.kind}: {loaded.rows:,} records ({loaded.fields:,} staff fields; generated "
        f"and bulk-loaded in {loaded.seconds:.1f} s, not part of any target)"
    )
    print(
        f"   names: {loaded.distinct_names:,} distinct, {loaded.names_shared:,} shared by 2+ "
        f"people, {loaded.name_birth_shared:,} name + birth date pairs shared by 2+ "
        f"(2016 list: 312,169 distinct of 870,738; 81,611 shared; 35,406 name + birth)"
    )
    header = f"   {'figure':<58} {'value':>22}  {'target':<16} result"
    print(header)
    print("   " + "-" * (len(header) - 3))

    def line(label: str, value: str, target: str = "", verdict: str = "-") -> None:
        print(f"   {label:<58} {value:>22}  {target:<16} {verdict}")

    scale = f" (×{1_000_000 / records:.1f} → 1M)" if records != 1_000_000 else ""
    line(
        f"publish {first.published:,} records (first run)",
        f"{first.seconds:.1f} s (CPU {result.publish_cpu[0]:.1f} s)",
        f"≤ {PUBLISH_TARGET_S:.0f} s{scale}",
        _verdict(first.seconds * 1_000_000 / records <= PUBLISH_TARGET_S),
    )
    line(
        f"publish again: {second.updated:,} changed, {second.withdrawn:,} withdrawn",
        f"{second.seconds:.1f} s (CPU {result.publish_cpu[1]:.1f} s)",
    )
    for run in (result.bare, result.lookup, result.single):
        c, s = run.client_ms, run.server_ms
        line(
            f"{run.label} ({run.connections} conn.) requests/s",
            f"{run.rate:,.0f}",
            "",
            "-",
        )
        line(
            "   client p50/p95/p99 ms",
            f"{c[0]:.1f} / {c[1]:.1f} / {c[2]:.1f}",
        )
        line(
            "   server p50/p95/p99 ms",
            f"{s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f}",
        )
        if run.non2xx or run.errors:
            line("   non-2xx answers / socket errors", f"{run.non2xx} / {run.errors}", "", "!")
    line(
        "search requests/s ÷ bare endpoint (same load)",
        f"{ratio:.0%}",
        f"≥ {RATIO_TARGET:.0%}",
        _verdict(ratio >= RATIO_TARGET),
    )
    line(
        "search p99, client, 1 connection",
        f"{result.single.client_ms[2]:.1f} ms",
        f"≤ {P99_TARGET_MS:.0f} ms",
        _verdict(result.single.client_ms[2] <= P99_TARGET_MS),
    )
    line(
        f"search p99, server, {result.lookup.connections} connections (saturated)",
        f"{result.lookup.server_ms[2]:.1f} ms",
        f"≤ {P99_TARGET_MS:.0f} ms",
        _verdict(result.lookup.server_ms[2] <= P99_TARGET_MS),
    )
    line(
        f"right record first, one slip ({slip_all:,} queries)",
        f"{slip_share:.2%}",
        f"≥ {SLIP_TARGET:.0%}",
        _verdict(slip_share >= SLIP_TARGET),
    )
    line(
        f"right record first, exact name ({exact.queries:,} queries)",
        f"{exact.share():.2%}",
    )
    print(
        f"\n   {'query kind':<28} {'n':>5} {'first':>7} {'found,':>7} {'others':>7} "
        f"{'empty:':>7} {'empty:':>8}  {'find() ms':>9}"
    )
    print(
        f"   {'':<28} {'':>5} {'':>7} {'not 1st':>7} {'only':>7} {'none':>7} {'too many':>8}  "
        f"{'p50/p99':>9}"
    )
    for kind, tally in result.tallies.items():
        p = np.percentile(tally.ms, [50, 99]) if tally.ms else [float("nan")] * 2
        print(
            f"   {kind:<28} {tally.queries:>5} {tally.share():>7.1%} "
            f"{tally.found_not_first:>7} {tally.wrong_only:>7} {tally.empty_none:>7} "
            f"{tally.empty_too_many:>8}  "
            f"{p[0]:>4.1f}/{p[1]:<4.1f}"
        )
    causes: Counter[str] = Counter()
    for tally in result.tallies.values():
        causes.update(tally.causes)
    print("   misses by cause: " + "; ".join(f"{c}: {n}" for c, n in causes.most_common()))
    for kind, tally in result.tallies.items():
        for example in tally.examples[:2]:
            print(f"     e.g. [{kind}] {example}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lookup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="each saturated wrk run")
    parser.add_argument("--warmup", type=float, default=2.0, help="wrk run before each")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1975)
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    parser.add_argument("--skip", action="append", default=[], choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite files and PostgreSQL schemas"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    run(args.skip, args)


def run(skip: list[str], args: argparse.Namespace | None = None) -> None:
    """Both databases (those not in ``skip``), then the tables; defaults unless ``args``."""
    if args is None:
        args = _parser().parse_args([])
    if shutil.which("wrk") is None:
        print("-- lookup SKIPPED: wrk is not installed (apt-get install wrk, or make bench)")
        return
    results: list[Result] = []
    skipped = ""
    if "sqlite" not in skip:
        try:
            results.append(run_database("sqlite", args, ""))
            print_result(results[-1], args.records)  # now: a later failure must not lose it
        finally:
            if not args.keep:
                shutil.rmtree(args.root / "lookup" / f"sqlite-{os.getpid()}", ignore_errors=True)
    if "postgresql" not in skip:
        url, source = server_url()
        if not url:
            skipped = f"postgresql SKIPPED: {source} (set BANGDIEM_BENCH_POSTGRES_URL)"
            print(f"-- {skipped}", flush=True)
        else:
            print(f"-- postgresql: server from {source}", flush=True)
            try:
                results.append(run_database("postgresql", args, url))
                print_result(results[-1], args.records)
            except Exception as error:  # the server went away: say so, and go on
                skipped = f"postgresql FAILED: {type(error).__name__}: {str(error)[:300]}"
                print(f"-- {skipped}", flush=True)
            finally:
                if not args.keep:
                    reset_schemas(url, (SCHEMA, PUBLIC_SCHEMA), create=False)
                    shutil.rmtree(
                        args.root / "lookup" / f"postgresql-{os.getpid()}", ignore_errors=True
                    )
    load1, load5, _ = os.getloadavg()
    print(
        f"\n== Machine: {os.cpu_count()} CPUs, load average {load1:.1f} (1 min) / {load5:.1f} "
        "(5 min) at the end: other processes' load shows in every time above"
    )
    print(
        "\n== Publishing and the public lookup: publish() timed in process; load from wrk on "
        f"127.0.0.1 (uvicorn, 1 worker, {args.seconds:.0f} s a run after {args.warmup:.0f} s of "
        "warm-up); server time inside the server (ASGI wrapper), client time by wrk; accuracy "
        "through lookup_api.search.find, in process"
    )
    print(f"   (the tables above: {', '.join(r.kind for r in results) or 'none'})")
    if skipped:
        print(f"   {skipped}")


if __name__ == "__main__":
    main()
