"""Quality callbacks (R7): the weekly stratified sample, its rotation, the periodic job, recording outcomes."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter

import pytest
import time_machine
from conftest import make_user
from django.core.exceptions import ValidationError
from django.db import connection

from weibao.accounts.models import AuditEvent, Role
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.scheduler import REGISTRY
from weibao.customers.models import Client
from weibao.tickets.models import CallbackTask, Ticket, TicketEvent
from weibao.tickets.schedule import draw_callback_sample
from weibao.tickets.services.quality import (
    callback_record,
    callback_sample_draw,
    sample_size,
    sampled_week,
)
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db

CHINA = dt.timezone(dt.timedelta(hours=8))
DRAW_DAY = dt.date(2026, 11, 23)  # a Monday
SAMPLED = dt.date(2026, 11, 16)  # the Monday of the week before
MIDWEEK = dt.datetime(2026, 11, 18, 15, 0, tzinfo=CHINA)


def archived_at(actor, client, instant: dt.datetime, count: int = 1) -> list[Ticket]:
    """``count`` requests of ``client`` archived at ``instant`` (the sampler reads status and closed_at only)."""
    tickets = [make_ticket(actor=actor, client=client) for _ in range(count)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Status.ARCHIVED, closed_at=instant)
    return tickets


@pytest.fixture
def client_c(db) -> Client:
    return Client.objects.create(name="东湖社区", code="dhsq", kind=Client.Kind.COMMUNITY, short_name="东湖")


@pytest.fixture
def quality(db):
    return [make_user("quality1", Role.QUALITY), make_user("quality2", Role.QUALITY)]


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (dt.date(2026, 11, 23), SAMPLED),
        (dt.date(2026, 11, 25), SAMPLED),
        (dt.date(2026, 11, 29), SAMPLED),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 23)),
        (dt.date(2027, 1, 4), dt.date(2026, 12, 28)),
    ],
)
def test_the_sampled_week_is_the_week_before_the_drawing_week(day, monday) -> None:
    assert sampled_week(day) == monday


@pytest.mark.parametrize(
    ("count", "percent", "size"),
    [(0, 10, 0), (1, 10, 1), (10, 10, 1), (14, 10, 1), (15, 10, 2), (40, 10, 4), (3, 100, 3), (7, 50, 4)],
)
def test_the_sample_size_is_the_share_rounded_half_up_and_at_least_one(count, percent, size) -> None:
    assert sample_size(count, percent) == size


def test_the_sample_is_stratified_per_client(staff, client_a, client_b, client_c, quality) -> None:
    archived_at(staff, client_a, MIDWEEK, 1)
    archived_at(staff, client_b, MIDWEEK, 10)
    archived_at(staff, client_c, MIDWEEK, 40)
    tasks = callback_sample_draw(week=DRAW_DAY, percent=10, rng=random.Random(7))
    per_client = Counter(task.ticket.client_id for task in tasks)
    assert per_client == {client_a.pk: 1, client_b.pk: 1, client_c.pk: 4}
    assert {task.week for task in tasks} == {SAMPLED}


def test_the_default_share_comes_from_the_settings(staff, client_a, settings) -> None:
    settings.CALLBACK_SAMPLE_PERCENT = 50
    archived_at(staff, client_a, MIDWEEK, 10)
    assert len(callback_sample_draw(week=DRAW_DAY, rng=random.Random(1))) == 5


def test_drawing_a_week_twice_returns_the_same_tasks(staff, client_a, client_b, quality) -> None:
    archived_at(staff, client_a, MIDWEEK, 10)
    archived_at(staff, client_b, MIDWEEK, 30)
    first = callback_sample_draw(week=DRAW_DAY, percent=10, rng=random.Random(1))
    again = callback_sample_draw(week=DRAW_DAY + dt.timedelta(days=3), percent=50, rng=random.Random(99))
    assert [task.pk for task in again] == [task.pk for task in first]
    assert CallbackTask.objects.count() == len(first) == 4
    assert AuditEvent.objects.filter(action="callback.draw").count() == 1


def test_the_draw_writes_one_audit_row_naming_the_sampled_requests(staff, client_a, quality) -> None:
    tickets = archived_at(staff, client_a, MIDWEEK, 2)
    callback_sample_draw(week=DRAW_DAY, percent=100)
    audit = AuditEvent.objects.get(action="callback.draw")
    assert audit.after["week"] == "2026-11-16"
    assert sorted(audit.after["tickets"]) == sorted(t.number for t in tickets)
    assert audit.after["assignees"] == ["quality1", "quality2"]


def test_only_requests_archived_in_the_sampled_week_in_china_time_are_drawn(staff, client_a, quality) -> None:
    inside = [
        *archived_at(staff, client_a, dt.datetime(2026, 11, 16, 0, 0, tzinfo=CHINA)),
        *archived_at(staff, client_a, dt.datetime(2026, 11, 22, 23, 59, tzinfo=CHINA)),
    ]
    archived_at(staff, client_a, dt.datetime(2026, 11, 15, 23, 59, tzinfo=CHINA))  # the week before
    archived_at(staff, client_a, dt.datetime(2026, 11, 23, 0, 0, tzinfo=CHINA))  # the drawing week
    open_one = make_ticket(actor=staff, client=client_a)
    Ticket.objects.filter(pk=open_one.pk).update(closed_at=MIDWEEK)
    withdrawn = make_ticket(actor=staff, client=client_a)
    Ticket.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN, closed_at=MIDWEEK)
    tasks = callback_sample_draw(week=DRAW_DAY, percent=100)
    assert sorted(task.ticket_id for task in tasks) == sorted(t.pk for t in inside)


def test_a_week_without_archived_requests_draws_nothing_and_may_be_drawn_later(staff, client_a) -> None:
    assert callback_sample_draw(week=DRAW_DAY) == []
    assert not AuditEvent.objects.filter(action="callback.draw").exists()


def test_tasks_go_round_robin_to_active_quality_staff_and_the_rotation_continues(staff, client_a, quality) -> None:
    make_user("quality0", Role.QUALITY, is_active=False)
    make_user("agent2", Role.AGENT)
    archived_at(staff, client_a, MIDWEEK, 3)
    first = callback_sample_draw(week=DRAW_DAY, percent=100)
    assert [task.assignee for task in first] == [quality[0], quality[1], quality[0]]
    archived_at(staff, client_a, MIDWEEK + dt.timedelta(days=7), 3)
    second = callback_sample_draw(week=DRAW_DAY + dt.timedelta(days=7), percent=100)
    assert [task.assignee for task in second] == [quality[1], quality[0], quality[1]]


def test_without_quality_staff_the_tasks_are_drawn_unassigned(staff, client_a) -> None:
    archived_at(staff, client_a, MIDWEEK, 2)
    tasks = callback_sample_draw(week=DRAW_DAY, percent=100)
    assert [task.assignee for task in tasks] == [None, None]


@pytest.mark.parametrize("percent", [0, 101, -5, True])
def test_a_share_outside_one_to_a_hundred_percent_is_refused_naming_percent(staff, client_a, percent) -> None:
    with pytest.raises(ValidationError) as exc:
        callback_sample_draw(week=DRAW_DAY, percent=percent)
    assert "percent" in exc.value.message_dict


def test_the_periodic_job_is_registered_hourly() -> None:
    job = REGISTRY["tickets.callback_sample_draw"]
    assert job.every == dt.timedelta(hours=1)
    assert job.function is draw_callback_sample


def test_the_periodic_job_draws_the_week_before_on_monday_in_china(staff, client_a, quality) -> None:
    archived_at(staff, client_a, MIDWEEK, 2)
    # Sunday 16:30 UTC is already Monday 00:30 in China.
    with time_machine.travel(dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC), tick=False):
        draw_callback_sample()
        draw_callback_sample()
    assert CallbackTask.objects.filter(week=SAMPLED).count() == 1  # 10 % of 2, at least one
    assert AuditEvent.objects.filter(action="callback.draw").count() == 1


@pytest.fixture
def task(staff, client_a, quality) -> CallbackTask:
    archived_at(staff, client_a, MIDWEEK, 1)
    return callback_sample_draw(week=DRAW_DAY)[0]


def test_quality_staff_record_a_satisfied_client(quality, task) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC), tick=False):
        done = callback_record(actor=quality[1], callback_id=task.pk, outcome="satisfied", note=" 表示满意 ")
    assert (done.outcome, done.note) == ("satisfied", "表示满意")
    assert done.done_at == dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    entry = task.ticket.events.get(kind=TicketEvent.Kind.RECORD)
    assert entry.internal
    assert entry.data["outcome"] == "satisfied"
    audit = AuditEvent.objects.get(action="callback.record")
    assert (audit.actor, audit.client_id, audit.after["outcome"]) == (quality[1], task.ticket.client_id, "satisfied")


def test_a_final_outcome_is_recorded_once(quality, task) -> None:
    callback_record(actor=quality[0], callback_id=task.pk, outcome="satisfied", note="")
    with pytest.raises(ValidationError) as exc:
        callback_record(actor=quality[0], callback_id=task.pk, outcome="dissatisfied", note="改口")
    assert "outcome" in exc.value.message_dict


def test_an_unreachable_client_may_be_called_again(quality, task) -> None:
    callback_record(actor=quality[0], callback_id=task.pk, outcome="unreachable", note="无人接听")
    again = callback_record(actor=quality[0], callback_id=task.pk, outcome="satisfied", note="")
    assert again.outcome == "satisfied"


@pytest.mark.parametrize("outcome", ["", "happy", "SATISFIED"])
def test_an_unknown_outcome_is_refused_naming_outcome(quality, task, outcome) -> None:
    with pytest.raises(ValidationError) as exc:
        callback_record(actor=quality[0], callback_id=task.pk, outcome=outcome, note="")
    assert "outcome" in exc.value.message_dict


def test_a_dissatisfied_client_needs_a_note(quality, task) -> None:
    with pytest.raises(ValidationError) as exc:
        callback_record(actor=quality[0], callback_id=task.pk, outcome="dissatisfied", note="  ")
    assert "note" in exc.value.message_dict


def test_a_note_over_5000_characters_is_refused(quality, task) -> None:
    with pytest.raises(ValidationError) as exc:
        callback_record(actor=quality[0], callback_id=task.pk, outcome="satisfied", note="长" * 5001)
    assert "note" in exc.value.message_dict


def test_a_dissatisfied_client_gets_a_follow_up_and_the_note_stays_internal(staff, quality, task) -> None:
    callback_record(actor=quality[0], callback_id=task.pk, outcome="dissatisfied", note="质检内部备注-CANARY")
    origin = task.ticket
    follow_up = Ticket.objects.get(related=origin)
    assert (follow_up.kind, follow_up.assignee, follow_up.channel, follow_up.created_by) == (
        "consultation",
        None,
        "hotline",
        quality[0],
    )
    assert origin.number in follow_up.title
    assert "CANARY" not in follow_up.description
    assert not follow_up.events.filter(internal=False, body__contains="CANARY").exists()
    assert follow_up.events.get(kind=TicketEvent.Kind.NOTE).internal
    assert origin.events.filter(kind=TicketEvent.Kind.LINKED, data__follow_up=follow_up.number).exists()


def test_an_agent_cannot_record_a_callback(staff, task) -> None:
    with pytest.raises(PermissionDeniedError):
        callback_record(actor=staff, callback_id=task.pk, outcome="satisfied", note="")


def test_client_users_do_not_find_callback_tasks(client_a_user, task) -> None:
    with pytest.raises(ObjectNotFoundError):
        callback_record(actor=client_a_user, callback_id=task.pk, outcome="satisfied", note="")


def test_recording_a_missing_callback_is_not_found(quality) -> None:
    with pytest.raises(ObjectNotFoundError):
        callback_record(actor=quality[0], callback_id=999_999, outcome="satisfied", note="")


def _in_parallel(work, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_of_one_week_draw_it_once(staff, client_a, client_b, quality) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL advisory locks and separate connections")
    archived_at(staff, client_a, MIDWEEK, 20)
    archived_at(staff, client_b, MIDWEEK, 20)
    results = _in_parallel(
        lambda n: [t.pk for t in callback_sample_draw(week=DRAW_DAY, percent=10, rng=random.Random(n))], 4
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({tuple(r) for r in results if isinstance(r, list)}) == 1
    assert CallbackTask.objects.count() == 4
    assert AuditEvent.objects.filter(action="callback.draw").count() == 1
