"""``weibao worker`` as a real process runs queued tasks and stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus

from weibao.core.tests.helpers import postgres_test_env, weibao, weibao_env
from weibao.core.tests.tasks_fixture import add

pytestmark = pytest.mark.slow

postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

ENQUEUE = "from weibao.core.tests.tasks_fixture import add; print(add.enqueue(2, 3).id)"
RESULT = (
    "from weibao.core.tests.tasks_fixture import add; "
    "r = add.get_result({task_id!r}); print(r.status.name, r.return_value)"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mark", [pytest.param(None, marks=postgres_only)])
def test_worker_runs_a_task_enqueued_in_the_test_database(mark: None, tmp_path: Path) -> None:
    result = add.enqueue(2, 3)
    run = weibao(
        "worker", "--max-tasks", "1", "--no-startup-delay", "--interval", "0.1", env=postgres_test_env(tmp_path)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


def test_worker_runs_a_task_on_an_embedded_sqlite_database(migrated_data_dir: Path) -> None:
    env = weibao_env(migrated_data_dir)
    enqueued = weibao("shell", "-v0", "-c", ENQUEUE, env=env)
    assert enqueued.returncode == 0, enqueued.stderr
    task_id = enqueued.stdout.strip().splitlines()[-1]
    run = weibao("worker", "--max-tasks", "1", "--no-startup-delay", "--interval", "0.1", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    checked = weibao("shell", "-v0", "-c", RESULT.format(task_id=task_id), env=env)
    assert checked.stdout.split() == ["SUCCESSFUL", "5"], checked.stderr


def test_worker_exits_0_at_once_on_sigterm_while_idle(migrated_data_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "weibao.cli", "worker", "--no-startup-delay", "--interval", "30"],
            env=weibao_env(migrated_data_dir),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while "Starting worker" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)  # polling a real process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
