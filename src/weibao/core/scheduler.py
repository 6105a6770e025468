"""Periodic jobs: a registry and a tick that claims due runs safely.

Apps register jobs in their ``schedule.py`` with :func:`periodic`. Any number of
``weibao scheduler`` processes, on any number of machines, may tick at once: a run
is claimed by ``UPDATE … SET next_run_at = <next> WHERE name = … AND next_run_at =
<seen>``, and only the process whose UPDATE changed one row runs it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from weibao.core.models import JobRun, ScheduledJob

logger = logging.getLogger(__name__)

JobFunction = Callable[[], None]


@dataclass(frozen=True)
class JobSpec:
    name: str
    every: dt.timedelta
    function: JobFunction


REGISTRY: dict[str, JobSpec] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` to run every ``every`` under ``name`` (unique)."""

    def decorate(function: JobFunction) -> JobFunction:
        REGISTRY[name] = JobSpec(name=name, every=every, function=function)
        return function

    return decorate


# Comma-separated extra modules that register jobs, imported after the apps' own
# ``schedule`` modules; lets tests give a real scheduler process a job of their own.
EXTRA_MODULES_VARIABLE = "WEIBAO_EXTRA_SCHEDULE_MODULES"


def discover() -> None:
    """Import every app's ``schedule`` module and any extra modules named in the environment."""
    autodiscover_modules("schedule")
    for module in os.environ.get(EXTRA_MODULES_VARIABLE, "").split(","):
        if module.strip():
            importlib.import_module(module.strip())


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def jobs_sync(now: dt.datetime | None = None) -> None:
    """Make a ScheduledJob row for every registered job; first run due at once."""
    now = now or timezone.now()
    for spec in REGISTRY.values():
        seconds = int(spec.every.total_seconds())
        job, created = ScheduledJob.objects.get_or_create(
            name=spec.name, defaults={"interval_seconds": seconds, "next_run_at": now}
        )
        if not created and job.interval_seconds != seconds:
            ScheduledJob.objects.filter(pk=job.pk).update(interval_seconds=seconds)


def next_run_after(due_at: dt.datetime, *, interval: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The run after the one due at ``due_at``: on the job's cadence, never in the past.

    Runs missed while no scheduler was up collapse into the one being claimed; were
    the next run set to ``now``, the job would run twice back to back after downtime.
    """
    following = due_at + interval
    if following <= now:
        following = now + interval
    return following


def job_claim(job: ScheduledJob, *, now: dt.datetime) -> bool:
    """Claim the due run of ``job`` seen at ``job.next_run_at``; True if ours."""
    next_run = next_run_after(job.next_run_at, interval=dt.timedelta(seconds=job.interval_seconds), now=now)
    claimed = ScheduledJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
        next_run_at=next_run, last_started_at=now
    )
    return claimed == 1


def job_run(spec: JobSpec, job: ScheduledJob, *, due_at: dt.datetime) -> JobRun | None:
    """Run a claimed job and record the outcome; a failure is logged, not raised.

    Returns None, without running the job, when a run for ``due_at`` is already
    recorded (the unique constraint is the last line of defence behind the claim).
    """
    started = time.monotonic()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                job=job,
                due_at=due_at,
                started_at=timezone.now(),
                status=JobRun.Status.RUNNING,
                worker=worker_label(),
            )
    except IntegrityError:
        logger.error("scheduled job %s due at %s was already run elsewhere; skipped", spec.name, due_at.isoformat())
        return None
    try:
        spec.function()
    except Exception:  # one failing job must not stop the scheduler
        run.status = JobRun.Status.FAILED
        run.error = traceback.format_exc()[-4000:]
        logger.exception("scheduled job %s failed", spec.name)
    else:
        run.status = JobRun.Status.OK
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    ScheduledJob.objects.filter(pk=job.pk).update(
        last_finished_at=run.finished_at,
        last_status=run.status,
        last_error=run.error,
        run_count=F("run_count") + 1,
    )
    logger.info(
        "scheduled job %s due at %s: %s in %.2f s",
        spec.name,
        due_at.isoformat(),
        run.status,
        time.monotonic() - started,
    )
    return run


def scheduler_tick(now: dt.datetime | None = None, *, stop: threading.Event | None = None) -> list[str]:
    """Run every due job this process manages to claim; return their names.

    Once ``stop`` is set no further job is claimed; the one running finishes, and
    the unclaimed ones stay due for the next tick of any scheduler.
    """
    now = now or timezone.now()
    ran: list[str] = []
    due = ScheduledJob.objects.filter(next_run_at__lte=now, name__in=list(REGISTRY))
    for job in list(due):
        if stop is not None and stop.is_set():
            break
        with transaction.atomic():
            claimed = job_claim(job, now=now)
        if not claimed:
            continue
        job_run(REGISTRY[job.name], job, due_at=job.next_run_at)
        ran.append(job.name)
    return ran


def scheduler_run(*, stop: threading.Event, tick_seconds: float, ticks: int | None = None) -> int:
    """Discover and sync the jobs, then tick every ``tick_seconds`` until ``stop`` is set.

    With ``ticks``, return after that many ticks. A database error (say, the server
    restarted) is logged and the tick retried on the next round with a fresh
    connection, so a scheduler outlives a database restart. Returns the ticks run.
    """
    discover()
    synced = False
    done = 0
    while not stop.is_set():
        close_old_connections()
        try:
            if not synced:
                jobs_sync()
                synced = True
            scheduler_tick(stop=stop)
        except DatabaseError:
            logger.exception("scheduler tick failed; retrying in %s s", tick_seconds)
        finally:
            # Drops a connection that errored or outlived CONN_MAX_AGE before the wait.
            close_old_connections()
        done += 1
        if ticks is not None and done >= ticks:
            break
        stop.wait(tick_seconds)
    return done
