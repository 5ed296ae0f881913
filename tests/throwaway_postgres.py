"""A PostgreSQL cluster of a test's own, to stop and restart without touching anyone else.

The shared test cluster serves every other test running in parallel (``pytest -n 2``), so a
test that restarts the database makes its own: ``pg_createcluster`` on a free port of
127.0.0.1 with its data folder under /tmp, dropped again (``pg_dropcluster --stop``) at the
end.  Needs Debian's postgresql-common and root (as ``make test`` and CI run); otherwise the
test is skipped with the reason, or fails when BANGDIEM_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.conftest import postgres_unavailable

ROLE = "bd_fault"
PASSWORD = "bd_fault"  # noqa: S105 - a throwaway cluster on 127.0.0.1, dropped after the test
DATABASE = "bd_fault"
STEP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(*command: str) -> str:
    done = subprocess.run(
        list(command), capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{ROLE}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def schema_url(self, schema: str) -> str:
        return f"{self.url}?options=-csearch_path%3D{schema}"

    def _ctl(self, action: str) -> None:
        extra = ["-m", "fast"] if action in ("stop", "restart") else []
        _run("pg_ctlcluster", self.version, self.name, action, *extra)

    def stop(self) -> None:
        self._ctl("stop")

    def start(self) -> None:
        self._ctl("start")
        self.wait_ready()

    def restart(self) -> None:
        self._ctl("restart")
        self.wait_ready()

    def wait_ready(self, timeout_s: float = STEP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.execute("SELECT 1")
                return
            except OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def execute(self, sql: str, url: str | None = None) -> list[tuple[object, ...]]:
        """Run ``sql`` on a fresh connection (none is kept open across a restart)."""
        engine = create_engine(url or self.url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                result = connection.execute(text(sql))
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def new_schema(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE SCHEMA "{schema}"')
        return schema


def _as_postgres(*command: str) -> str:
    return _run("runuser", "-u", "postgres", "--", *command)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A started cluster with a role and database for the test; dropped afterwards."""
    if shutil.which("pg_createcluster") is None or shutil.which("pg_ctlcluster") is None:
        postgres_unavailable(
            "no pg_createcluster (Debian's postgresql-common); `make setup` installs it"
        )
    if os.geteuid() != 0:
        postgres_unavailable(
            "creating a throwaway PostgreSQL cluster needs root (as `make test` in CI)"
        )
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    version = versions[-1].name
    name = f"bdfault_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    folder = Path(tempfile.mkdtemp(prefix="bangdiem-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    try:
        _create(version, name, port, folder)
        cluster = Cluster(version, name, port)
        cluster.wait_ready()
        yield cluster
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", version, name],
            capture_output=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _create(version: str, name: str, port: int, folder: Path) -> None:
    _run(
        "pg_createcluster",
        version,
        name,
        "--port",
        str(port),
        "--datadir",
        str(folder / "data"),
        "--start-conf",
        "manual",
    )
    # Appended, not passed as -o: pg_createcluster would leave the address unquoted.
    conf = Path("/etc/postgresql") / version / name / "postgresql.conf"
    with conf.open("a", encoding="utf-8") as handle:
        handle.write("listen_addresses = '127.0.0.1'\nfsync = off\n")
    _run("pg_ctlcluster", version, name, "start")
    _as_postgres(
        "psql", "-q", "-p", str(port), "-d", "postgres", "-v", "ON_ERROR_STOP=1",
        "-c", f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'",
    )  # fmt: skip
    _as_postgres("createdb", "-p", str(port), "-O", ROLE, DATABASE)
