"""``weibao serve`` as a real process: it serves, supervises its children and stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from weibao.core.tests.helpers import alive, command_line, descendants_of, free_port, weibao, weibao_env

pytestmark = pytest.mark.slow


class Served:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def child(self, marker: str) -> int | None:
        for pid in descendants_of(self.process.pid):
            if marker in command_line(pid) and alive(pid):
                return pid
        return None


def wait_until(condition, *, seconds: float, what: str, served: Served) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert served.process.poll() is None, f"serve exited early:\n{served.output()}"
        time.sleep(0.1)  # polling a real process
    pytest.fail(f"timed out waiting for {what}:\n{served.output()}")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def serve(migrated_data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*options: str) -> Served:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "weibao.cli", "serve", "--bind", f"127.0.0.1:{port}", *options],
                env=weibao_env(migrated_data_dir),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        served = Served(process, port, log)
        started.append(served)
        wait_until(lambda: healthy(port), seconds=90, what="/healthz", served=served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()


def stop(served: Served) -> list[int]:
    """SIGTERM serve, assert it exits 0 in time; return the processes it had."""
    family = descendants_of(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    try:
        code = served.process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve did not stop within 15 s:\n{served.output()}")
    assert code == 0, served.output()
    return family


def test_serve_runs_web_worker_and_scheduler_and_stops_cleanly_on_sigterm(serve) -> None:
    served = serve("--web-workers", "1")
    assert served.child("granian") is not None
    assert served.child("weibao.cli worker") is not None
    assert served.child("weibao.cli scheduler") is not None
    with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/static/weibao/weibao.css") as response:
        assert response.status == 200
    assert f"http://127.0.0.1:{served.port}/" in served.output()
    family = stop(served)
    assert len(family) >= 4  # granian, its worker, the task worker, the scheduler
    assert [pid for pid in family if alive(pid)] == []


def test_serve_restarts_a_child_killed_with_sigkill(serve) -> None:
    served = serve("--web-workers", "1", "--no-worker")
    assert served.child("weibao.cli worker") is None
    first = served.child("weibao.cli scheduler")
    assert first is not None
    subprocess.run(["kill", "-KILL", str(first)], check=True)
    wait_until(
        lambda: served.child("weibao.cli scheduler") not in (None, first),
        seconds=45,
        what="a new scheduler",
        served=served,
    )
    assert "exited with signal SIGKILL; restarting in 1 s" in served.output()
    assert healthy(served.port)
    family = stop(served)
    assert [pid for pid in family if alive(pid)] == []


def test_serve_refuses_to_start_without_migrations(tmp_path: Path) -> None:
    result = weibao("serve", "--bind", f"127.0.0.1:{free_port()}", env=weibao_env(tmp_path), timeout=90)
    assert result.returncode == 1
    assert "weibao migrate" in result.stderr
    assert "unapplied" in result.stderr or "lacks" in result.stderr
