from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from weibao.core.supervisor import ChildSpec, StopSignals, Supervisor, backoff_delay, bind_parse, serve_children

SLEEPER = ChildSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
# Ignores SIGTERM, as a hung process would.
STUBBORN = ChildSpec(
    "stubborn",
    [
        sys.executable,
        "-c",
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
    ],
)
CRASHER = ChildSpec("crasher", [sys.executable, "-c", "raise SystemExit(3)"])


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ignores_sigterm(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def wait_for_exit(supervisor: Supervisor, index: int = 0) -> None:
    process = supervisor.children[index].process
    assert process is not None
    process.wait(timeout=10)


def test_backoff_doubles_from_one_second_up_to_thirty() -> None:
    assert [backoff_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_child_that_dies_is_restarted_after_a_growing_backoff() -> None:
    clock = FakeClock()
    supervisor = Supervisor([CRASHER], clock=clock, stop_timeout=5)
    child = supervisor.children[0]
    try:
        supervisor.start()
        wait_for_exit(supervisor)
        supervisor.poll()
        assert child.restart_at == clock.now + 1
        clock.now += 0.9
        supervisor.poll()
        assert child.starts == 1
        clock.now += 0.1
        supervisor.poll()
        assert child.starts == 2
        wait_for_exit(supervisor)
        supervisor.poll()
        assert child.restart_at == clock.now + 2
    finally:
        supervisor.shutdown()


def test_a_child_that_stayed_up_a_while_restarts_after_the_first_backoff_again() -> None:
    clock = FakeClock()
    supervisor = Supervisor([CRASHER], clock=clock, stop_timeout=5)
    child = supervisor.children[0]
    try:
        supervisor.start()
        child.failures = 5
        wait_for_exit(supervisor)
        clock.now += 61
        supervisor.poll()
        assert child.restart_at == clock.now + 1
    finally:
        supervisor.shutdown()


def test_shutdown_terminates_children_and_kills_one_that_ignores_sigterm() -> None:
    supervisor = Supervisor([SLEEPER, STUBBORN], stop_timeout=1)
    supervisor.start()
    stubborn = supervisor.children[1].process
    assert stubborn is not None
    deadline = time.monotonic() + 10
    while not ignores_sigterm(stubborn.pid) and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting on a real process to start up
    started = time.monotonic()
    supervisor.shutdown()
    assert time.monotonic() - started < 5
    codes = [c.process.returncode for c in supervisor.children if c.process is not None]
    assert codes == [-signal.SIGTERM, -signal.SIGKILL]
    assert supervisor.running() == []


def test_run_returns_after_stopping_the_children_when_the_event_is_set() -> None:
    supervisor = Supervisor([SLEEPER], stop_timeout=5)
    stop = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stop,), kwargs={"poll_seconds": 0.05})
    runner.start()
    deadline = time.monotonic() + 5
    while supervisor.children[0].process is None and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join(timeout=10)
    assert not runner.is_alive()
    assert supervisor.running() == []


def test_sigterm_sets_the_stop_event() -> None:
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        stop = StopSignals()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.event.wait(5)
        assert stop.received == signal.SIGTERM
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),  # noqa: S104 - parsed, not bound
        ("[::1]:8443", ("::1", 8443)),
    ],
)
def test_bind_addresses_are_split_into_host_and_port(bind: str, expected: tuple[str, int]) -> None:
    assert bind_parse(bind) == expected


@pytest.mark.parametrize("bind", ["8000", "localhost", ":8000", "127.0.0.1:http", "127.0.0.1:70000"])
def test_a_bad_bind_address_is_refused_with_an_example(bind: str) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1:8000"):
        bind_parse(bind)


def test_serve_runs_granian_and_may_leave_out_worker_and_scheduler() -> None:
    specs = serve_children(bind="127.0.0.1:8123", web_workers=3, worker=False, scheduler=True)
    assert [s.name for s in specs] == ["web", "scheduler"]
    web = list(specs[0].argv)
    assert web[1:3] == ["-m", "granian"]
    assert web[web.index("--port") + 1] == "8123"
    assert web[web.index("--workers") + 1] == "3"
    assert web[-1] == "weibao.config.wsgi:application"


SUPERVISOR_SCRIPT = """
import sys, threading
from weibao.core.supervisor import ChildSpec, Supervisor
supervisor = Supervisor([ChildSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])])
supervisor.start()
print(supervisor.children[0].process.pid, flush=True)
threading.Event().wait()
"""


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_children_stop_when_the_supervisor_is_killed_outright() -> None:
    import subprocess

    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR_SCRIPT], stdout=subprocess.PIPE, text=True)
    assert supervisor.stdout is not None
    child = int(supervisor.stdout.readline())
    # Wait until the trampoline has become the sleeper (it then carries its own command line).
    deadline = time.monotonic() + 10
    while b"parentbound" in Path(f"/proc/{child}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_gone(child)
    supervisor.kill()
    supervisor.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not process_gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(child), "the child outlived its killed supervisor"


def test_the_trampoline_exits_when_its_parent_is_already_gone() -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "weibao.core.parentbound", "1", "--", sys.executable, "-c", "print('ran')"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "ran" not in result.stdout
