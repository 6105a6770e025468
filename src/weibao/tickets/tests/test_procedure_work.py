"""Doing the work: task orders, the client's remote-access consent (R1.9) and work logs (R1.12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from conftest import make_user
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent, Role, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import RemoteConsent, TaskOrder, Ticket, TicketEvent, WorkLog
from weibao.tickets.services import procedure
from weibao.tickets.services._common import TransitionRefusedError
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import fresh, ticket_awaiting_feedback, ticket_in_progress

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def engineer(db):
    return make_user("engineer", Role.OM_ENGINEER)


@pytest.fixture
def ticket(staff, client_a):
    with time_machine.travel(NOW - dt.timedelta(hours=3), tick=False):
        return ticket_in_progress(staff=staff, client=client_a)


def consent_by_phone(
    staff: User, ticket: Ticket, granted_at: dt.datetime = NOW - dt.timedelta(hours=1), minutes: int = 60
) -> RemoteConsent:
    return procedure.remote_consent_record(
        actor=staff,
        ticket_id=ticket.pk,
        granted_by_name="王丽",
        granted_via="电话",
        scope="应用服务器 app01",
        minutes_allowed=minutes,
        granted_at=granted_at,
    )


def remote_log(engineer: User, ticket: Ticket, start: dt.datetime, minutes: int = 30, **extra: Any) -> WorkLog:
    return procedure.work_log_add(
        actor=engineer,
        ticket_id=ticket.pk,
        mode="remote",
        started_at=start,
        minutes=minutes,
        description="远程排查",
        **extra,
    )


# Task orders


def test_task_orders_are_numbered_per_request(staff, engineer, ticket) -> None:
    first = procedure.task_order_create(
        actor=staff, ticket_id=ticket.pk, engineer=engineer, content="排查", onsite=True
    )
    second = procedure.task_order_create(
        actor=staff, ticket_id=ticket.pk, engineer=engineer, content="修复", onsite=False
    )
    assert (first.number, second.number) == (f"{ticket.number}-T01", f"{ticket.number}-T02")
    event = fresh(ticket).events.filter(kind=TicketEvent.Kind.RECORD, data__record="task_order").first()
    assert event is not None
    assert event.data["record_id"] == first.pk
    assert AuditEvent.objects.filter(action="task_order.create").count() == 2


def test_task_orders_are_issued_only_while_the_work_is_under_way(staff, engineer, client_a) -> None:
    registered = make_ticket(actor=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="in progress or testing"):
        procedure.task_order_create(actor=staff, ticket_id=registered.pk, engineer=engineer, content="x", onsite=False)
    assert not TaskOrder.objects.exists()


def test_a_task_order_goes_to_a_vendor_engineer_and_says_what_to_do(staff, ticket, client_a_user) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.task_order_create(actor=staff, ticket_id=ticket.pk, engineer=client_a_user, content=" ", onsite=False)
    assert {"engineer", "content"} <= exc.value.message_dict.keys()


def test_a_task_order_without_an_engineer_names_the_field(staff, ticket) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.task_order_create(
            actor=staff,
            ticket_id=ticket.pk,
            engineer=None,  # type: ignore[arg-type]
            content="x",
            onsite=False,
            planned_at=None,
        )
    assert "engineer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        procedure.task_order_create(
            actor=staff,
            ticket_id=ticket.pk,
            engineer=staff,
            content="x",
            onsite=False,
            planned_at="tomorrow",  # type: ignore[arg-type]
        )
    assert "planned_at" in exc.value.message_dict


def test_a_client_user_cannot_issue_task_orders(staff, engineer, ticket, client_a_user) -> None:
    with pytest.raises(PermissionDeniedError):
        procedure.task_order_create(
            actor=client_a_user, ticket_id=ticket.pk, engineer=engineer, content="x", onsite=False
        )


def test_a_task_order_is_completed_once_with_its_result(staff, engineer, ticket) -> None:
    order = procedure.task_order_create(actor=staff, ticket_id=ticket.pk, engineer=engineer, content="x", onsite=True)
    with pytest.raises(ValidationError) as exc:
        procedure.task_order_complete(actor=engineer, task_order_id=order.pk, result="")
    assert "result" in exc.value.message_dict
    done = procedure.task_order_complete(actor=engineer, task_order_id=order.pk, result="已更换网卡")
    assert done.done_at is not None
    with pytest.raises(TransitionRefusedError, match="already completed"):
        procedure.task_order_complete(actor=engineer, task_order_id=order.pk, result="again")
    audit = AuditEvent.objects.get(action="task_order.complete")
    assert audit.after["result"] == "已更换网卡"


def test_another_clients_task_order_is_not_found(staff, engineer, ticket, client_b_user) -> None:
    order = procedure.task_order_create(actor=staff, ticket_id=ticket.pk, engineer=engineer, content="x", onsite=True)
    with pytest.raises(ObjectNotFoundError):
        procedure.task_order_complete(actor=client_b_user, task_order_id=order.pk, result="x")


# Remote-access consent


@time_machine.travel(NOW, tick=False)
def test_staff_record_a_consent_given_by_phone(staff, ticket) -> None:
    consent = consent_by_phone(staff, ticket)
    assert (consent.granted_by, consent.granted_by_name, consent.granted_via) == (None, "王丽", "电话")
    assert consent.recorded_by == staff
    event = fresh(ticket).events.get(data__record="remote_consent")
    assert not event.internal
    assert event.data["minutes_allowed"] == 60


@time_machine.travel(NOW, tick=False)
def test_a_client_user_grants_consent_in_the_portal(ticket, client_a_user) -> None:
    consent = procedure.remote_consent_record(
        actor=client_a_user,
        ticket_id=ticket.pk,
        granted_by_name="",
        scope="数据库服务器只读",
        minutes_allowed=30,
        granted_at=NOW - dt.timedelta(days=3),
    )
    assert consent.granted_by == client_a_user
    assert consent.granted_by_name == "client_a"
    assert consent.granted_via == "Portal"
    assert consent.granted_at == NOW


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"granted_via": ""}, "granted_via"),
        ({"granted_by_name": " "}, "granted_by_name"),
        ({"scope": ""}, "scope"),
        ({"minutes_allowed": 0}, "minutes_allowed"),
        ({"minutes_allowed": 24 * 60 + 1}, "minutes_allowed"),
        ({"minutes_allowed": "60"}, "minutes_allowed"),
        ({"granted_at": NOW + MINUTE}, "granted_at"),
    ],
)
def test_a_consent_names_who_how_what_and_how_long(staff, ticket, changes, field) -> None:
    values = {
        "granted_by_name": "王丽",
        "granted_via": "电话",
        "scope": "app01",
        "minutes_allowed": 60,
        "granted_at": NOW,
        **changes,
    }
    with pytest.raises(ValidationError) as exc:
        procedure.remote_consent_record(actor=staff, ticket_id=ticket.pk, **values)
    assert field in exc.value.message_dict
    assert not RemoteConsent.objects.exists()


def test_no_consent_is_recorded_on_a_closed_request(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.ticket_archive(actor=staff, ticket_id=ticket.pk)
    with pytest.raises(TransitionRefusedError, match="closed"):
        procedure.remote_consent_record(
            actor=staff, ticket_id=ticket.pk, granted_by_name="王丽", granted_via="电话", scope="x", minutes_allowed=5
        )


@time_machine.travel(NOW, tick=False)
def test_a_consent_is_revoked_once(staff, ticket, client_a_user) -> None:
    consent = consent_by_phone(staff, ticket)
    revoked = procedure.remote_consent_revoke(actor=client_a_user, consent_id=consent.pk)
    assert revoked.revoked_at == NOW
    with pytest.raises(TransitionRefusedError, match="already revoked"):
        procedure.remote_consent_revoke(actor=staff, consent_id=consent.pk)
    assert AuditEvent.objects.filter(action="remote_consent.revoke").count() == 1


def test_another_clients_user_cannot_revoke_a_consent(staff, ticket, client_b_user) -> None:
    with time_machine.travel(NOW, tick=False):
        consent = consent_by_phone(staff, ticket)
    with pytest.raises(ObjectNotFoundError):
        procedure.remote_consent_revoke(actor=client_b_user, consent_id=consent.pk)


# Work logs


@time_machine.travel(NOW, tick=False)
def test_remote_work_within_the_consent_window_is_logged_citing_it(staff, engineer, ticket) -> None:
    consent = consent_by_phone(staff, ticket)
    log = remote_log(engineer, ticket, consent.granted_at + 10 * MINUTE, minutes=50)
    assert (log.consent, log.engineer, log.minutes) == (consent, engineer, 50)
    event = fresh(ticket).events.get(data__record="work_log")
    assert event.data["record_id"] == log.pk
    assert event.data["consent_id"] == consent.pk
    assert AuditEvent.objects.filter(action="work_log.create", object_id=str(log.pk)).count() == 1


@time_machine.travel(NOW, tick=False)
def test_remote_work_without_any_consent_is_refused(engineer, ticket) -> None:
    with pytest.raises(ValidationError) as exc:
        remote_log(engineer, ticket, NOW - 30 * MINUTE)
    assert "Remote work needs the client's recorded consent first" in exc.value.message_dict["consent"][0]
    assert not WorkLog.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("offset", "minutes"),
    [
        (-5, 30),  # starts before consent was given
        (40, 30),  # runs past the minutes allowed
        (61, 1),  # entirely after the window
    ],
)
def test_remote_work_outside_the_consent_window_is_refused(staff, engineer, ticket, offset, minutes) -> None:
    consent = consent_by_phone(staff, ticket, granted_at=NOW - dt.timedelta(hours=2))
    with pytest.raises(ValidationError) as exc:
        remote_log(engineer, ticket, consent.granted_at + offset * MINUTE, minutes=minutes)
    message = exc.value.message_dict["consent"][0]
    assert "consent first" in message
    assert "outside" in message


@time_machine.travel(NOW, tick=False)
def test_a_revoked_consent_covers_only_the_work_done_before_it_was_revoked(staff, engineer, ticket) -> None:
    granted = NOW - 30 * MINUTE
    consent = consent_by_phone(staff, ticket, granted_at=granted, minutes=120)
    procedure.remote_consent_revoke(actor=staff, consent_id=consent.pk)
    assert remote_log(engineer, ticket, granted, minutes=20).consent == consent
    with time_machine.travel(NOW + 5 * MINUTE, tick=False), pytest.raises(ValidationError) as exc:
        remote_log(engineer, ticket, NOW + MINUTE, minutes=3)
    assert "consent" in exc.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_remote_work_cannot_cite_another_requests_consent(staff, engineer, ticket, client_a) -> None:
    other = ticket_in_progress(staff=staff, client=client_a, title="另一个工单")
    foreign = consent_by_phone(staff, other)
    with pytest.raises(ValidationError) as exc:
        remote_log(engineer, ticket, foreign.granted_at + MINUTE, minutes=5, consent_id=foreign.pk)
    assert "not one of this request" in exc.value.message_dict["consent"][0]


@time_machine.travel(NOW, tick=False)
def test_on_site_work_needs_no_consent_and_cites_none(staff, engineer, ticket) -> None:
    log = procedure.work_log_add(
        actor=engineer,
        ticket_id=ticket.pk,
        mode="onsite",
        started_at=NOW - dt.timedelta(hours=2),
        minutes=90,
        description="现场更换硬盘",
    )
    assert log.consent is None
    consent = consent_by_phone(staff, ticket)
    with pytest.raises(ValidationError) as exc:
        procedure.work_log_add(
            actor=engineer,
            ticket_id=ticket.pk,
            mode="desk",
            started_at=NOW - MINUTE,
            minutes=1,
            description="电话沟通",
            consent_id=consent.pk,
        )
    assert "consent" in exc.value.message_dict


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": "telepathy"}, "mode"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 24 * 60 + 1}, "minutes"),
        ({"minutes": "30"}, "minutes"),
        ({"started_at": NOW + MINUTE}, "started_at"),
        ({"description": ""}, "description"),
        ({"task_order_id": 999_999}, "task_order"),
        ({"started_at": "2026-11-21 09:00"}, "started_at"),
    ],
)
def test_a_work_log_with_a_bad_value_names_its_field(engineer, ticket, changes, field) -> None:
    values = {"mode": "onsite", "started_at": NOW - dt.timedelta(hours=1), "minutes": 30, "description": "x", **changes}
    with pytest.raises(ValidationError) as exc:
        procedure.work_log_add(actor=engineer, ticket_id=ticket.pk, **values)
    assert field in exc.value.message_dict


def test_client_users_do_not_log_work(ticket, client_a_user) -> None:
    with pytest.raises(PermissionDeniedError):
        procedure.work_log_add(
            actor=client_a_user, ticket_id=ticket.pk, mode="desk", started_at=NOW, minutes=5, description="x"
        )


def test_no_work_is_logged_on_an_archived_request(staff, engineer, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.ticket_archive(actor=staff, ticket_id=ticket.pk)
    with pytest.raises(TransitionRefusedError, match="closed"):
        procedure.work_log_add(
            actor=engineer,
            ticket_id=ticket.pk,
            mode="desk",
            started_at=dt.datetime.now(dt.UTC) - MINUTE,
            minutes=5,
            description="x",
        )
