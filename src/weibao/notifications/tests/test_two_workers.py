"""Two real ``weibao worker`` processes on PostgreSQL deliver each notification once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from weibao.core.tests.helpers import postgres_test_env
from weibao.notifications import events
from weibao.notifications.dispatch import Recipients, enqueue_deliveries, notify
from weibao.notifications.models import Delivery, Endpoint
from weibao.notifications.tests.fakes import WEBHOOK_SECRET, FakePlatforms

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

NOTIFICATIONS = 40


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_notification_exactly_once(platforms: FakePlatforms, tmp_path: Path) -> None:
    Endpoint.objects.create(kind="webhook", name="receiver", url=f"{platforms.base}/hook", secret=WEBHOOK_SECRET)
    for number in range(NOTIFICATIONS):
        notify(
            event=events.REQUEST_CREATED,
            recipients=Recipients(),
            context={"number": f"WB-{number:04d}", "title": "load"},
            dedup_key=f"two-workers:{number}",
        )
    keys = list(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == NOTIFICATIONS
    enqueue_deliveries(keys)  # every delivery queued twice, as after a requeue
    env = postgres_test_env(tmp_path, WEIBAO_OUTBOUND_ALLOW="127.0.0.1/32")
    command = [sys.executable, "-m", "weibao.cli", "worker", "--batch", "--no-startup-delay", "--interval", "0.05"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    for worker in workers:
        out, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, out
    assert sorted(platforms.hits) == sorted(Delivery.objects.values_list("idempotency_key", flat=True))
    assert set(platforms.hits.values()) == {1}, platforms.hits
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    tasks = list(DBTaskResult.objects.values_list("status", "return_value", "worker_ids"))
    assert len(tasks) == 2 * NOTIFICATIONS
    assert {status for status, _, _ in tasks} == {"SUCCESSFUL"}
    # Each delivery ran as "sent" once; its duplicate task found it claimed and skipped.
    assert [value for _, value, _ in tasks].count("sent") == NOTIFICATIONS
    assert len({ids[0] for _, _, ids in tasks}) == 2, "both workers ran tasks"
