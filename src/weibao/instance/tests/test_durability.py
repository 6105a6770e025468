"""Durability: no acknowledged write is lost when the writer or the database server dies.

A write is acknowledged when its transaction's commit has returned and the writer has
printed the id (weibao.instance.tests.writers). The writer is killed with SIGKILL at
random points (SQLite) or the PostgreSQL server is stopped with ``-m immediate``
(a crash: no checkpoint, WAL replay on start) and restarted; afterwards every
acknowledged row must be there and the database must be intact.

``make test`` runs 200 writes and 3 crashes; ``make soak`` runs 1,000 writes and 10
crashes (DURABILITY_WRITES, DURABILITY_KILLS). With DURABILITY_REPORT set, a line of
figures is appended to that file.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from weibao.instance.tests.conftest import child_environment, run_weibao, writer

WRITES = int(os.environ.get("DURABILITY_WRITES", "200"))
KILLS = int(os.environ.get("DURABILITY_KILLS", "3"))
SHARED_SERVER_PORT = 5432

pytestmark = pytest.mark.slow


@dataclass
class CrashRun:
    """What the writer acknowledged across all its lives, and what was seen at each start."""

    acknowledged: list[int] = field(default_factory=list)
    ready_lines: list[str] = field(default_factory=list)
    crashes: int = 0
    seconds: float = 0.0


def write_through_crashes(
    *,
    env: dict[str, str],
    total: int,
    crashes: int,
    crash: Callable[[subprocess.Popen[str]], None],
    after_crash: Callable[[], None],
) -> CrashRun:
    """Run the acknowledging writer until it has written ``total`` rows, crashing it ``crashes`` times."""
    rng = random.Random()
    # Crash points are counts of acknowledged writes, spread over the run; after each one
    # a random pause of up to 4 ms lets the crash land inside a later transaction.
    points = sorted(rng.sample(range(max(1, total // 20), total - total // 10), crashes))
    run = CrashRun()
    started = time.monotonic()
    finished = False
    while not finished:
        child = writer("acknowledged", str(total), env=env)
        assert child.stdout is not None
        run.ready_lines.append(child.stdout.readline().strip())
        target = points[0] if points else None
        crashed = False
        for line in child.stdout:
            if line.strip() == "done":
                finished = True
                break
            run.acknowledged.append(int(line))
            if target is not None and len(run.acknowledged) >= target:
                time.sleep(rng.uniform(0, 0.004))
                crash(child)
                points.pop(0)
                run.crashes += 1
                crashed = True
                break
        # Lines printed before the crash are acknowledgements too.
        for line in child.stdout.read().split():
            if line == "done":
                finished = True
            elif line.isdigit():
                run.acknowledged.append(int(line))
        child.wait(timeout=60)
        assert child.stderr is not None
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
        if not crashed and not finished:
            raise AssertionError(f"the writer stopped without a crash: {errors}")
        if crashed:
            after_crash()
    run.seconds = time.monotonic() - started
    return run


def report(line: str) -> None:
    target = os.environ.get("DURABILITY_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC {line}\n")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass runs it")
def test_sqlite_loses_no_acknowledged_write_when_the_writer_is_killed(sqlite_data_dir: Path) -> None:
    env = child_environment(sqlite_data_dir)
    run = write_through_crashes(
        env=env,
        total=WRITES,
        crashes=KILLS,
        crash=lambda child: child.send_signal(signal.SIGKILL),
        after_crash=lambda: None,
    )

    assert run.crashes == KILLS
    # The settings' pragmas as every writer connection saw them: WAL, synchronous=FULL (2).
    assert set(run.ready_lines) == {"ready wal 2"}
    assert len(run.acknowledged) == len(set(run.acknowledged)), "a write was acknowledged twice"
    with closing(sqlite3.connect(sqlite_data_dir / "weibao.sqlite3")) as database:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = {row[0] for row in database.execute("SELECT id FROM catalog_product WHERE code LIKE 'probe-%'")}
    lost = set(run.acknowledged) - stored
    assert lost == set()
    assert len(stored) == WRITES
    report(
        f"SQLite: {WRITES} writes, {run.crashes} SIGKILLs, {len(run.acknowledged)} acknowledged, "
        f"{len(lost)} lost, integrity ok, {run.seconds:.1f} s"
    )


def postgres_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name), reverse=True
    )
    if not found:
        pytest.fail("PostgreSQL server programs not found under /usr/lib/postgresql/*/bin")
    return found[0].parent


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    assert port != SHARED_SERVER_PORT
    return port


class ThrowawayCluster:
    """A PostgreSQL cluster of its own in a temporary directory, on a free port.

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres``
    OS user. Never the machine's shared server on 5432.
    """

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="wb-durability-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])  # fmt: skip

    def _as_owner(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        return result

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
        self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                        "-o", options, "-w", "-t", "60", "start"])  # fmt: skip

    def crash(self) -> None:
        self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--"] * (os.geteuid() == 0)
                + [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def throwaway_cluster() -> Iterator[ThrowawayCluster]:
    cluster = ThrowawayCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL pass runs it")
def test_postgresql_loses_no_acknowledged_write_on_an_immediate_shutdown(
    throwaway_cluster: ThrowawayCluster, tmp_path: Path
) -> None:
    with psycopg.connect(throwaway_cluster.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE weibao TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    env = child_environment(tmp_path / "data", database_url=throwaway_cluster.url("weibao"))
    migrated = run_weibao("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr

    run = write_through_crashes(
        env=env,
        total=WRITES,
        crashes=KILLS,
        crash=lambda _child: throwaway_cluster.crash(),
        after_crash=throwaway_cluster.start,
    )

    assert run.crashes == KILLS
    assert len(run.acknowledged) == len(set(run.acknowledged)), "a write was acknowledged twice"
    with psycopg.connect(throwaway_cluster.url("weibao")) as database:
        rows = database.execute("SELECT id FROM catalog_product WHERE code LIKE 'probe-%'").fetchall()
        stored = {row[0] for row in rows}
        # amcheck: the table's B-tree indexes are intact and point at every heap row.
        database.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = database.execute(
            "SELECT count(bt_index_check(indexrelid, true)) FROM pg_index WHERE indrelid = 'catalog_product'::regclass"
        ).fetchone()
        assert checked is not None
        assert checked[0] >= 3
    lost = set(run.acknowledged) - stored
    assert lost == set()
    assert len(stored) == WRITES
    report(
        f"PostgreSQL: {WRITES} writes, {run.crashes} immediate shutdowns, {len(run.acknowledged)} acknowledged, "
        f"{len(lost)} lost, {run.seconds:.1f} s"
    )
