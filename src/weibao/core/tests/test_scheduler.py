from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError

from weibao.core import scheduler
from weibao.core.models import JobRun, ScheduledJob
from weibao.core.scheduler import REGISTRY, jobs_sync, periodic, scheduler_run, scheduler_tick

START = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def registry() -> Iterator[dict[str, scheduler.JobSpec]]:
    """An empty job registry for the test; the real one comes back afterwards."""
    with mock.patch.dict(REGISTRY, clear=True):
        yield REGISTRY


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def calls(registry: dict[str, scheduler.JobSpec]) -> Counter[str]:
    counter: Counter[str] = Counter()

    @periodic("tests.every_minute", every=dt.timedelta(minutes=1))
    def every_minute() -> None:
        counter["tests.every_minute"] += 1

    @periodic("tests.hourly", every=dt.timedelta(hours=1))
    def hourly() -> None:
        counter["tests.hourly"] += 1

    return counter


pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """scheduler_run closes connections between ticks; that would end the test's transaction."""
    with mock.patch.object(scheduler, "close_old_connections"):
        yield


def test_a_new_job_is_due_at_once_and_runs_once_per_tick(calls: Counter[str], clock: time_machine.Traveller) -> None:
    jobs_sync()
    assert sorted(scheduler_tick()) == ["tests.every_minute", "tests.hourly"]
    assert scheduler_tick() == []
    assert calls == {"tests.every_minute": 1, "tests.hourly": 1}
    run = JobRun.objects.get(job__name="tests.hourly")
    assert run.status == JobRun.Status.OK
    assert run.due_at == START
    assert run.finished_at is not None


def test_a_job_does_not_run_before_it_is_due(calls: Counter[str], clock: time_machine.Traveller) -> None:
    jobs_sync()
    scheduler_tick()
    clock.shift(dt.timedelta(seconds=59))
    assert scheduler_tick() == []
    clock.shift(dt.timedelta(seconds=1))
    assert scheduler_tick() == ["tests.every_minute"]


def test_a_job_keeps_its_interval(calls: Counter[str], clock: time_machine.Traveller) -> None:
    jobs_sync()
    for _ in range(120):  # two hours, one tick a minute
        scheduler_tick()
        clock.shift(dt.timedelta(minutes=1))
    assert calls == {"tests.every_minute": 120, "tests.hourly": 2}
    hourly = ScheduledJob.objects.get(name="tests.hourly")
    assert hourly.run_count == 2
    assert hourly.next_run_at == START + dt.timedelta(hours=2)
    due_times = sorted(JobRun.objects.filter(job=hourly).values_list("due_at", flat=True))
    assert due_times == [START, START + dt.timedelta(hours=1)]


def test_a_late_tick_keeps_the_cadence_of_due_times(calls: Counter[str], clock: time_machine.Traveller) -> None:
    jobs_sync()
    scheduler_tick()
    clock.shift(dt.timedelta(minutes=1, seconds=4))
    scheduler_tick()
    assert ScheduledJob.objects.get(name="tests.every_minute").next_run_at == START + dt.timedelta(minutes=2)


def test_runs_missed_while_no_scheduler_was_up_run_once_not_back_to_back(
    calls: Counter[str], clock: time_machine.Traveller
) -> None:
    jobs_sync()
    scheduler_tick()
    clock.shift(dt.timedelta(hours=5))
    scheduler_tick()
    clock.shift(dt.timedelta(seconds=5))
    assert scheduler_tick() == []
    assert calls["tests.hourly"] == 2
    assert ScheduledJob.objects.get(name="tests.hourly").next_run_at == START + dt.timedelta(hours=6)


def test_a_failing_job_is_recorded_failed_and_the_others_still_run(
    registry: dict[str, scheduler.JobSpec], clock: time_machine.Traveller
) -> None:
    ran = []

    @periodic("tests.a_broken", every=dt.timedelta(minutes=5))
    def broken() -> None:
        raise RuntimeError("disk full")

    @periodic("tests.b_fine", every=dt.timedelta(minutes=5))
    def fine() -> None:
        ran.append("fine")

    jobs_sync()
    assert sorted(scheduler_tick()) == ["tests.a_broken", "tests.b_fine"]
    assert ran == ["fine"]
    failed = JobRun.objects.get(job__name="tests.a_broken")
    assert failed.status == JobRun.Status.FAILED
    assert "RuntimeError: disk full" in failed.error
    job = ScheduledJob.objects.get(name="tests.a_broken")
    assert job.last_status == JobRun.Status.FAILED
    assert job.next_run_at == START + dt.timedelta(minutes=5)
    clock.shift(dt.timedelta(minutes=5))
    assert sorted(scheduler_tick()) == ["tests.a_broken", "tests.b_fine"]


def test_a_run_already_recorded_for_the_same_due_time_is_not_run_again(
    calls: Counter[str], clock: time_machine.Traveller
) -> None:
    jobs_sync()
    job = ScheduledJob.objects.get(name="tests.hourly")
    JobRun.objects.create(job=job, due_at=job.next_run_at, started_at=START, status=JobRun.Status.OK)
    assert scheduler.job_run(REGISTRY["tests.hourly"], job, due_at=job.next_run_at) is None
    assert calls["tests.hourly"] == 0


def test_jobs_sync_keeps_the_schedule_and_follows_a_changed_interval(
    registry: dict[str, scheduler.JobSpec], clock: time_machine.Traveller
) -> None:
    periodic("tests.job", every=dt.timedelta(minutes=5))(lambda: None)
    jobs_sync()
    scheduler_tick()
    periodic("tests.job", every=dt.timedelta(minutes=10))(lambda: None)
    jobs_sync()
    job = ScheduledJob.objects.get(name="tests.job")
    assert job.interval_seconds == 600
    assert job.next_run_at == START + dt.timedelta(minutes=5)


def test_a_stop_request_leaves_the_remaining_due_jobs_unclaimed(
    registry: dict[str, scheduler.JobSpec], clock: time_machine.Traveller
) -> None:
    stop = threading.Event()

    @periodic("tests.a_first", every=dt.timedelta(minutes=5))
    def first() -> None:
        stop.set()

    periodic("tests.b_second", every=dt.timedelta(minutes=5))(lambda: None)
    jobs_sync()
    assert scheduler_tick(stop=stop) == ["tests.a_first"]
    assert ScheduledJob.objects.get(name="tests.b_second").next_run_at == START


def test_a_job_not_registered_in_this_process_is_left_to_others(
    registry: dict[str, scheduler.JobSpec], clock: time_machine.Traveller
) -> None:
    ScheduledJob.objects.create(name="other.version.job", interval_seconds=60, next_run_at=START)
    assert scheduler_tick() == []
    assert ScheduledJob.objects.get(name="other.version.job").next_run_at == START


@pytest.mark.usefixtures("keep_connection")
def test_scheduler_run_ticks_the_given_number_of_times(calls: Counter[str], clock: time_machine.Traveller) -> None:
    stop = threading.Event()
    with mock.patch.object(stop, "wait", side_effect=lambda seconds: clock.shift(dt.timedelta(seconds=seconds))):
        assert scheduler_run(stop=stop, tick_seconds=30, ticks=5) == 5
    assert calls == {"tests.every_minute": 3, "tests.hourly": 1}


@pytest.mark.usefixtures("keep_connection")
def test_scheduler_run_survives_a_database_error_and_ticks_again(
    calls: Counter[str], clock: time_machine.Traveller
) -> None:
    stop = threading.Event()
    real_tick = scheduler.scheduler_tick
    failures = iter([OperationalError("server closed the connection unexpectedly")])

    def flaky_tick(**kwargs: object) -> list[str]:
        for error in failures:
            raise error
        return real_tick(**kwargs)  # type: ignore[arg-type]

    with (
        mock.patch.object(scheduler, "scheduler_tick", side_effect=flaky_tick),
        mock.patch.object(stop, "wait", return_value=False),
    ):
        assert scheduler_run(stop=stop, tick_seconds=1, ticks=2) == 2
    assert calls == {"tests.every_minute": 1, "tests.hourly": 1}


@pytest.mark.usefixtures("keep_connection")
def test_scheduler_run_returns_at_once_when_stopped(calls: Counter[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert scheduler_run(stop=stop, tick_seconds=60) == 0
    assert calls == {}
