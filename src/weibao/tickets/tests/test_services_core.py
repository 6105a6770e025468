"""The request's own services: numbers, the procedure's steps, conflicts, replies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent, Role, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.customers.models import Client
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.services._common import TicketConflictError, TransitionRefusedError
from weibao.tickets.services.tickets import ticket_reply, ticket_transition, ticket_update
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def leader_of(client: Client) -> User:
    return make_user("leader", Role.CLIENT_LEADER, client=client)


@time_machine.travel(dt.datetime(2026, 11, 21, 1, 0, tzinfo=dt.UTC), tick=False)
def test_numbers_count_per_local_day_in_the_configured_format(staff, client_a) -> None:
    first = make_ticket(actor=staff, client=client_a)
    second = make_ticket(actor=staff, client=client_a)
    assert (first.number, second.number) == ("WB-20261121-0001", "WB-20261121-0002")


@time_machine.travel(dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC), tick=False)
def test_the_number_day_is_the_day_in_china_not_in_utc(staff, client_a) -> None:
    assert make_ticket(actor=staff, client=client_a).number == "WB-20261122-0001"


def test_number_format_is_configurable(staff, client_a, settings) -> None:
    settings.TICKET_NUMBER_FORMAT = "GD{date:%y%m%d}{seq:05d}"
    assert make_ticket(actor=staff, client=client_a).number.startswith("GD")


def test_create_writes_the_timeline_and_the_audit(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    assert ticket.status == Status.REGISTERED
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED]
    assert AuditEvent.objects.filter(action="ticket.create", object_id=str(ticket.pk)).count() == 1


def test_optimization_waits_for_the_client_leader_before_review(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="optimization")
    assert ticket.status == Status.LEADER_SIGNOFF
    with pytest.raises(TransitionRefusedError, match="leader"):
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    ticket_transition(actor=leader_of(client_a), ticket_id=ticket.pk, action="leader_approve")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED


def test_a_stale_version_is_refused_and_nothing_is_written(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"level": 2}, expected_version=1)
    with pytest.raises(TicketConflictError, match="version 1"):
        ticket_update(actor=staff, ticket_id=ticket.pk, changes={"title": "旧副本"}, expected_version=1)
    assert Ticket.objects.get(pk=ticket.pk).title == "居民信息模块登录失败"


def test_closing_needs_a_reason_naming_the_field(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        ticket_transition(actor=staff, ticket_id=ticket.pk, action="close")
    assert "reason" in exc.value.message_dict


def test_client_user_cannot_write_internal_notes(client_a_user, staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(PermissionDeniedError):
        ticket_reply(actor=client_a_user, ticket_id=ticket.pk, body="x", internal=True)


def test_another_clients_request_is_not_found(client_b_user, staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ObjectNotFoundError):
        ticket_reply(actor=client_b_user, ticket_id=ticket.pk, body="hello")


def test_client_reply_resumes_a_request_waiting_on_the_client(staff, client_a_user, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="wait_client", reason="请提供截图")
    ticket_reply(actor=client_a_user, ticket_id=ticket.pk, body="截图已上传")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_a_complaint_registered_by_an_agent_names_them_first_responder(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="complaint")
    assert ticket.complaint.first_responder == staff


def test_a_portal_complaint_gets_its_first_responder_at_the_first_vendor_action(staff, client_a_user, client_a) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, kind="complaint", channel="portal")
    assert not hasattr(Ticket.objects.get(pk=ticket.pk), "complaint")
    ticket_reply(actor=staff, ticket_id=ticket.pk, body="您好，我们已收到投诉。")
    assert Ticket.objects.get(pk=ticket.pk).complaint.first_responder == staff


def test_archiving_issues_the_survey_link_token(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="consultation")
    assert ticket.survey_token is None
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_no_action", reason="操作说明已电话告知")
    assert len(Ticket.objects.get(pk=ticket.pk).survey_token or "") >= 40
