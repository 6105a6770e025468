"""Reads of quality data: callback work lists, survey statistics, complaint records, each scoped to the actor."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user
from django.core.exceptions import ValidationError

from weibao.accounts.models import Role
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets.models import CallbackTask, Survey, Ticket
from weibao.tickets.quality_selectors import (
    SurveyStats,
    callback_task_get,
    callback_task_list,
    complaint_get,
    corrective_action_list,
    survey_get,
    survey_stats,
    survey_ticket_for_token,
)
from weibao.tickets.services.quality import (
    callback_record,
    complaint_ensure,
    corrective_action_add,
    survey_submit,
    survey_token_issue,
)
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def quality(db):
    return [make_user("quality1", Role.QUALITY), make_user("quality2", Role.QUALITY)]


@pytest.fixture
def tasks(staff, client_a, quality) -> list[CallbackTask]:
    tickets = [make_ticket(actor=staff, client=client_a) for _ in range(3)]
    return [
        CallbackTask.objects.create(ticket=ticket, week=dt.date(2026, 11, 16), assignee=quality[i % 2])
        for i, ticket in enumerate(tickets)
    ]


def test_quality_staff_see_every_callback_task_or_only_their_own(quality, tasks) -> None:
    assert list(callback_task_list(actor=quality[1])) == tasks
    assert list(callback_task_list(actor=quality[1], mine=True)) == [tasks[1]]
    assert list(callback_task_list(actor=quality[0], week=dt.date(2026, 11, 9))) == []


def test_pending_callback_tasks_include_unreachable_ones_but_not_finished_ones(quality, tasks) -> None:
    callback_record(actor=quality[0], callback_id=tasks[0].pk, outcome="satisfied", note="")
    callback_record(actor=quality[0], callback_id=tasks[1].pk, outcome="unreachable", note="")
    assert list(callback_task_list(actor=quality[0], pending=True)) == tasks[1:]


def test_nobody_but_quality_staff_sees_callback_tasks(staff, admin, auditor, client_a_user, tasks) -> None:
    for actor in (staff, admin, auditor, client_a_user):
        assert not callback_task_list(actor=actor).exists()
        with pytest.raises(ObjectNotFoundError):
            callback_task_get(actor=actor, callback_id=tasks[0].pk)


def test_an_inactive_quality_user_sees_no_callback_tasks(quality, tasks) -> None:
    quality[0].is_active = False
    quality[0].save()
    assert not callback_task_list(actor=quality[0]).exists()


def test_quality_staff_read_one_callback_task(quality, tasks) -> None:
    assert callback_task_get(actor=quality[0], callback_id=tasks[2].pk) == tasks[2]


def rate(actor, client, rating: int, at: dt.datetime) -> Survey:
    ticket = make_ticket(actor=actor, client=client)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ARCHIVED, closed_at=at)
    token = survey_token_issue(ticket=ticket)
    with time_machine.travel(at, tick=False):
        return survey_submit(actor=None, token=token, rating=rating, via="link")


@pytest.fixture
def ratings(staff, client_a, client_b) -> None:
    november = dt.datetime(2026, 11, 10, 10, 0, tzinfo=CHINA)
    for value in (5, 4, 2, 1):
        rate(staff, client_a, value, november)
    rate(staff, client_b, 3, november)
    rate(staff, client_a, 1, dt.datetime(2026, 10, 31, 23, 30, tzinfo=CHINA))  # October in China
    rate(staff, client_b, 5, dt.datetime(2026, 12, 1, 0, 10, tzinfo=CHINA))  # December in China


def test_survey_statistics_per_client_count_average_and_share_of_low_ratings(
    staff, client_a, client_b, ratings
) -> None:
    stats = survey_stats(actor=staff, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    by_client = {row.client_id: row for row in stats}
    assert by_client[client_a.pk] == SurveyStats(client_a.pk, client_a.name, 4, 3.0, 0.5)
    assert by_client[client_b.pk] == SurveyStats(client_b.pk, client_b.name, 1, 3.0, 0.0)
    assert [row.client_name for row in stats] == sorted(row.client_name for row in stats)


def test_survey_statistics_narrow_to_one_client(staff, client_b, ratings) -> None:
    stats = survey_stats(actor=staff, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31), client_id=client_b.pk)
    assert [(row.client_id, row.count, row.average) for row in stats] == [(client_b.pk, 2, 4.0)]


def test_a_client_user_sees_only_their_own_clients_survey_statistics(
    client_a_user, client_a, client_b, ratings
) -> None:
    start, end = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
    assert [row.client_id for row in survey_stats(actor=client_a_user, start=start, end=end)] == [client_a.pk]
    assert survey_stats(actor=client_a_user, start=start, end=end, client_id=client_b.pk) == []


def test_a_period_that_ends_before_it_starts_is_refused_naming_end(staff) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_stats(actor=staff, start=dt.date(2026, 11, 30), end=dt.date(2026, 11, 1))
    assert "end" in exc.value.message_dict


def test_a_request_rating_is_read_by_those_who_see_the_request(staff, client_a_user, client_b_user, client_a) -> None:
    survey = rate(staff, client_a, 4, dt.datetime(2026, 11, 10, 10, 0, tzinfo=CHINA))
    assert survey_get(actor=client_a_user, ticket_id=survey.ticket_id) == survey
    assert survey_get(actor=staff, ticket_id=survey.ticket_id) == survey
    with pytest.raises(ObjectNotFoundError):
        survey_get(actor=client_b_user, ticket_id=survey.ticket_id)
    assert survey_get(actor=staff, ticket_id=make_ticket(actor=staff, client=client_a).pk) is None


def test_the_survey_link_opens_its_request_and_a_wrong_one_is_not_found(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    token = survey_token_issue(ticket=ticket)
    assert survey_ticket_for_token(token=token) == ticket
    for wrong in ("", "nope"):
        with pytest.raises(ObjectNotFoundError):
            survey_ticket_for_token(token=wrong)


@pytest.fixture
def complaint(staff, client_a):
    ticket = make_ticket(actor=staff, client=client_a, kind="complaint")
    complaint_ensure(ticket=ticket, actor=staff)
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False):
        corrective_action_add(
            actor=staff,
            ticket_id=ticket.pk,
            kind="preventive",
            description="上门前确认",
            owner=staff,
            due_on=dt.date(2026, 12, 1),
        )
    return ticket


def test_a_client_user_reads_their_complaint_record(client_a_user, staff, complaint) -> None:
    record = complaint_get(actor=client_a_user, ticket_id=complaint.pk)
    assert record is not None
    assert record.first_responder == staff


def test_another_clients_user_does_not_find_the_complaint_record(client_b_user, complaint) -> None:
    with pytest.raises(ObjectNotFoundError):
        complaint_get(actor=client_b_user, ticket_id=complaint.pk)
    with pytest.raises(ObjectNotFoundError):
        corrective_action_list(actor=client_b_user, ticket_id=complaint.pk)


def test_a_request_that_is_no_complaint_has_no_complaint_record(staff, client_a) -> None:
    assert complaint_get(actor=staff, ticket_id=make_ticket(actor=staff, client=client_a).pk) is None


def test_corrective_actions_are_for_vendor_staff_only(staff, auditor, client_a_user, complaint) -> None:
    assert [a.description for a in corrective_action_list(actor=staff, ticket_id=complaint.pk)] == ["上门前确认"]
    assert corrective_action_list(actor=auditor, ticket_id=complaint.pk).count() == 1
    assert not corrective_action_list(actor=client_a_user, ticket_id=complaint.pk).exists()
