"""Schedulers as real processes and threads: every due run is claimed exactly once."""

from __future__ import annotations

import datetime as dt
import functools
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection

from weibao.core.models import JobRun, ScheduledJob
from weibao.core.scheduler import REGISTRY, jobs_sync, periodic, scheduler_tick
from weibao.core.tests.helpers import postgres_test_env, weibao, weibao_env
from weibao.core.tests.schedule_fixture import JOB_NAME

pytestmark = pytest.mark.slow

postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

START = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)


def test_scheduler_once_runs_the_due_jobs_and_exits_0(migrated_data_dir: Path) -> None:
    run = weibao("scheduler", "--once", env=weibao_env(migrated_data_dir))
    assert run.returncode == 0, run.stderr
    assert "scheduled job core.clear_expired_sessions" in run.stderr
    assert "stopped after 1 ticks" in run.stderr


def test_scheduler_stops_at_once_on_sigterm_without_sleeping_out_its_tick(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "scheduler.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "weibao.cli", "scheduler", "--tick-seconds", "300"],
            env=weibao_env(migrated_data_dir),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while "scheduler started" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)  # polling a real process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0, log.read_text()
        assert "received SIGTERM" in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mark", [pytest.param(None, marks=postgres_only)])
def test_two_scheduler_threads_claim_each_due_run_exactly_once(mark: None) -> None:
    jobs, ticks = 50, 10
    executions: Counter[str] = Counter()
    lock = threading.Lock()

    def job(name: str) -> None:
        with lock:
            executions[name] += 1

    with mock.patch.dict(REGISTRY, clear=True):
        for number in range(jobs):
            name = f"tests.race_{number:02d}"
            periodic(name, every=dt.timedelta(minutes=1))(functools.partial(job, name))
        jobs_sync(now=START)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        ran: Counter[str] = Counter()

        def scheduler_thread(label: str) -> None:
            try:
                for tick in range(ticks):
                    barrier.wait(timeout=30)
                    ran[label] += len(scheduler_tick(now=START + dt.timedelta(minutes=tick)))
            except BaseException as exc:  # noqa: BLE001 - reported by the test thread
                errors.append(exc)
                barrier.abort()
            finally:
                connection.close()

        threads = [threading.Thread(target=scheduler_thread, args=(label,)) for label in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    assert executions == {f"tests.race_{number:02d}": ticks for number in range(jobs)}
    assert ran["one"] + ran["two"] == jobs * ticks
    assert JobRun.objects.filter(status=JobRun.Status.OK).count() == jobs * ticks
    per_due_time = Counter(JobRun.objects.values_list("job__name", "due_at"))
    assert set(per_due_time.values()) == {1}
    assert len(per_due_time) == jobs * ticks
    assert {j.run_count for j in ScheduledJob.objects.filter(name__startswith="tests.race_")} == {ticks}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mark", [pytest.param(None, marks=postgres_only)])
def test_two_scheduler_processes_run_each_due_run_once(mark: None, tmp_path: Path) -> None:
    job_log = tmp_path / "runs.log"
    job_log.touch()
    env = postgres_test_env(
        tmp_path,
        WEIBAO_EXTRA_SCHEDULE_MODULES="weibao.core.tests.schedule_fixture",
        WEIBAO_TEST_JOB_LOG=str(job_log),
    )
    command = [sys.executable, "-m", "weibao.cli", "scheduler", "--ticks", "30", "--tick-seconds", "0.1"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert not any("already run elsewhere" in output for output in outputs), outputs

    runs = JobRun.objects.filter(job__name=JOB_NAME)
    executed = job_log.read_text().split()
    assert len(executed) >= 2
    assert runs.count() == len(executed)
    assert set(runs.values_list("status", flat=True)) == {JobRun.Status.OK}
    assert runs.values("due_at").distinct().count() == runs.count()
    assert ScheduledJob.objects.get(name=JOB_NAME).run_count == len(executed)
