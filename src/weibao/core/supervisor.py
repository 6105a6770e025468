"""Keep a few child processes running: the embedded ``weibao serve`` mode.

A child that exits while the supervisor is not stopping is started again after a
backoff (1 s, 2 s, 4 s … at most 30 s; reset once it has stayed up for a minute).
Stopping sends SIGTERM to every child, waits, then SIGKILLs what is left.

Children run in their own process group: a Ctrl-C in the terminal reaches only the
supervisor, which then stops each child once, in order, instead of every process
getting the signal at the same moment (a second signal makes the task worker abandon
the task it is running). Each child is started through ``weibao.core.parentbound``, so
it still gets SIGTERM if the supervisor itself is killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
# A child that stayed up this long is considered healthy again: its next crash
# restarts it after the first backoff step, not the last one used.
STABLE_AFTER = 60.0


@dataclass(frozen=True)
class ChildSpec:
    """What to run: a name for the logs and the command line."""

    name: str
    argv: Sequence[str]


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    starts: int = field(default=0)


def backoff_delay(failures: int) -> float:
    """Seconds to wait before the restart that follows ``failures`` consecutive exits."""
    return float(min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX))


class Supervisor:
    """Start ``specs`` as child processes, restart those that die, stop them all on request.

    ``clock`` is injectable so tests can step through the backoff without waiting.
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        env: Mapping[str, str] | None = None,
        stop_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(spec) for spec in specs]
        self.env = dict(env) if env is not None else None
        self.stop_timeout = stop_timeout
        self.clock = clock

    def start(self) -> None:
        """Start every child."""
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        # Through the trampoline, so the child ends even if this process is SIGKILLed.
        argv = [sys.executable, "-m", "weibao.core.parentbound", str(os.getpid()), "--", *child.spec.argv]
        child.process = subprocess.Popen(  # noqa: S603 - argv is built by weibao, never from input
            argv, env=self.env, process_group=0
        )
        child.started_at = self.clock()
        child.restart_at = None
        child.starts += 1
        logger.info("started %s (pid %s)", child.spec.name, child.process.pid)

    def poll(self) -> None:
        """Notice children that exited and restart those whose backoff has passed."""
        now = self.clock()
        for child in self.children:
            if child.process is not None and child.restart_at is None:
                code = child.process.poll()
                if code is None:
                    continue
                if now - child.started_at >= STABLE_AFTER:
                    child.failures = 0
                child.failures += 1
                delay = backoff_delay(child.failures)
                child.restart_at = now + delay
                logger.error(
                    "%s (pid %s) exited with %s; restarting in %.0f s",
                    child.spec.name,
                    child.process.pid,
                    _describe_exit(code),
                    delay,
                )
            if child.restart_at is not None and now >= child.restart_at:
                self._spawn(child)

    def run(self, stop: threading.Event, *, poll_seconds: float = 0.5) -> None:
        """Start the children and keep them up until ``stop`` is set, then stop them."""
        self.start()
        try:
            while not stop.wait(poll_seconds):
                self.poll()
        finally:
            self.shutdown()

    def running(self) -> list[subprocess.Popen[bytes]]:
        return [c.process for c in self.children if c.process is not None and c.process.poll() is None]

    def shutdown(self) -> None:
        """SIGTERM every child, wait up to ``stop_timeout`` seconds, SIGKILL the rest."""
        for process in self.running():
            logger.info("stopping pid %s", process.pid)
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in self.running():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                logger.warning("pid %s did not stop within %.0f s; killing it", process.pid, self.stop_timeout)
                # The whole group, so that grandchildren (web server workers) go too.
                _kill_group(process.pid)
                process.wait()
        for child in self.children:
            child.restart_at = None


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"code {code}"


class StopSignals:
    """A ``threading.Event`` that SIGTERM and SIGINT set.

    The handler never touches the Event itself: handlers run in the main thread,
    which may hold the Event's internal lock at that instant (inside ``wait``),
    and setting it there would deadlock. The handler writes a byte to a pipe; a
    watcher thread sets the Event. A second signal exits at once with status 1.
    """

    def __init__(self, signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT)) -> None:
        self.event = threading.Event()
        self.received: signal.Signals | None = None
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        threading.Thread(target=self._watch, name="stop-signals", daemon=True).start()
        for signum in signals:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            raise SystemExit(1)
        self.received = signal.Signals(signum)
        # A full pipe already holds a wake-up.
        with contextlib.suppress(BlockingIOError):
            os.write(self._write_fd, b"x")

    def _watch(self) -> None:
        os.read(self._read_fd, 1)
        self.event.set()


def bind_parse(bind: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8000`` for IPv6); ValueError names the problem."""
    host, sep, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bind address must look like 127.0.0.1:8000, got {bind!r}")
    return host, int(port)


def serve_children(*, bind: str, web_workers: int, worker: bool, scheduler: bool) -> list[ChildSpec]:
    """The processes of the embedded mode: granian (WSGI), a task worker, the scheduler."""
    host, port = bind_parse(bind)
    python = sys.executable
    # Granian runs WSGI apps in backpressure/2 threads per worker, 256 by default:
    # far more than Django on a small machine (or one SQLite writer) can use.
    threads = min(8, (os.cpu_count() or 1) * 2 + 1)
    specs = [
        ChildSpec(
            "web",
            [
                python,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(web_workers),
                "--blocking-threads",
                str(threads),
                "--backpressure",
                str(threads * 2),
                "--respawn-failed-workers",
                "--no-ws",
                "weibao.config.wsgi:application",
            ],
        )
    ]
    if worker:
        specs.append(ChildSpec("worker", [python, "-m", "weibao.cli", "worker"]))
    if scheduler:
        specs.append(ChildSpec("scheduler", [python, "-m", "weibao.cli", "scheduler"]))
    return specs


def migrations_unapplied() -> list[str]:
    """Labels (``app.name``) of migrations the default database still lacks."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def static_collect_if_needed() -> bool:
    """Run collectstatic into STATIC_ROOT unless the collected files are current.

    Current means: the finders list the same files, with the same sizes and
    modification times, as when they were last collected. Returns True if it ran.
    """
    marker = Path(settings.STATIC_ROOT) / ".weibao-collected"
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    if marker.exists() and marker.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True
