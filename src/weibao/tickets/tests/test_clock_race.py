"""Schedulers racing over the clocks, and one killed mid-run: every breach and escalation step happens once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import make_user
from django.db import close_old_connections, connection
from django.db.models import Count

from weibao.accounts.models import Role
from weibao.core.tests.helpers import postgres_test_env
from weibao.customers.models import Client
from weibao.notifications.models import Notification
from weibao.sla.models import Calendar
from weibao.tickets.models import SlaBreach, SlaClock, SlaEscalationRun, Ticket
from weibao.tickets.services.clock_tick import clocks_tick

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and several connections"),
    pytest.mark.django_db(transaction=True),
]

DUE = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
STEPS = [
    {"after_seconds": 0, "raise_level": False, "notify_roles": ["service_manager"], "notify_user_ids": []},
    {"after_seconds": 3600, "raise_level": False, "notify_roles": ["service_manager"], "notify_user_ids": []},
]


def due_clocks(client: Client, count: int) -> None:
    """``count`` requests, each with one running response clock due at ``DUE`` and two escalation steps.

    A service manager exists, so that breaches and escalations have someone to tell.
    """
    make_user("race-manager", Role.SERVICE_MANAGER, email="manager@example.com")
    calendar = Calendar.objects.create(name="race 7x24", always_on=True)
    tickets = Ticket.objects.bulk_create(
        Ticket(
            number=f"RACE-{n:06d}",
            client=client,
            channel="hotline",
            kind="fault",
            level=3,
            title="race",
            status="in_progress",
            next_deadline=DUE,
            queue_key=DUE,
        )
        for n in range(count)
    )
    SlaClock.objects.bulk_create(
        SlaClock(
            ticket=ticket,
            metric="response",
            level=3,
            calendar_id=calendar.pk,
            target_seconds=3600,
            started_at=DUE - dt.timedelta(hours=1),
            segment_start=DUE - dt.timedelta(hours=1),
            due_at=DUE,
            next_check_at=DUE,
            escalations=STEPS,
        )
        for ticket in tickets
    )


def assert_once_each(count: int, steps: int) -> None:
    assert SlaBreach.objects.count() == count
    assert SlaEscalationRun.objects.count() == count * steps
    assert not SlaEscalationRun.objects.values("clock", "step").annotate(n=Count("id")).filter(n__gt=1).exists()
    escalated = Notification.objects.filter(event="sla.escalated")
    assert escalated.count() == count * steps
    assert escalated.values("dedup_key").distinct().count() == count * steps
    assert Notification.objects.filter(event="sla.breached").count() == count


def test_two_schedulers_racing_over_due_deadlines_breach_and_escalate_each_once(client_a: Client) -> None:
    # SLA_RACE_COUNT=10000 for the full acceptance run (about 3 minutes on 2 cores; bench/RESULTS.md).
    count = int(os.environ.get("SLA_RACE_COUNT", "2000"))
    due_clocks(client_a, count)
    now = DUE + dt.timedelta(minutes=1)
    handled: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            handled.append(clocks_tick(now=now, batch=100, max_batches=1000))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(handled) == count
    assert_once_each(count, steps=1)
    # Nothing is left due now; the second step waits for its hour.
    assert not SlaClock.objects.filter(next_check_at__lte=now).exists()


def test_a_scheduler_killed_mid_run_leaves_the_rest_to_the_next_tick_and_nothing_twice(
    client_a: Client, tmp_path: Path
) -> None:
    count = 600
    due_clocks(client_a, count)
    script = (
        "import django, datetime as dt; django.setup();"
        "from weibao.tickets.services.clock_tick import clocks_tick;"
        f"clocks_tick(now=dt.datetime.fromisoformat({(DUE + dt.timedelta(minutes=1)).isoformat()!r}),"
        " batch=50, max_batches=1000)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        env=postgres_test_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while SlaBreach.objects.count() < 100 and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.05)  # polling a real process
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    done_before = SlaBreach.objects.count()
    assert 100 <= done_before < count
    # The scheduler comes back two hours later: one tick does the missed first steps and
    # breaches, and every second step (due one hour after the miss), none twice.
    clocks_tick(now=DUE + dt.timedelta(hours=2), batch=100, max_batches=1000)
    assert_once_each(count, steps=2)
