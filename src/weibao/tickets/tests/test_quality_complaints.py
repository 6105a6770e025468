"""Complaints (R1.7): the first responder, the complaint record, corrective and preventive actions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent, Role
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import Complaint, CorrectiveAction, TicketEvent
from weibao.tickets.services.quality import (
    complaint_ensure,
    complaint_update,
    corrective_action_add,
    corrective_action_complete,
)
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in China


@pytest.fixture
def complaint(staff, client_a):
    ticket = make_ticket(actor=staff, client=client_a, kind="complaint", title="工程师上门迟到")
    complaint_ensure(ticket=ticket, actor=staff)
    return ticket


@pytest.fixture
def agent2(db):
    return make_user("agent2", Role.AGENT)


def test_a_complaint_registered_by_staff_has_its_record_with_that_staff_member_as_first_responder(
    staff, complaint
) -> None:
    record = Complaint.objects.get(ticket=complaint)
    assert record.first_responder == staff
    assert AuditEvent.objects.filter(action="complaint.create", object_id=str(record.pk)).count() == 1
    entry = complaint.events.get(kind=TicketEvent.Kind.RECORD)
    assert not entry.internal
    assert entry.data["first_responder"] == "staff"


def test_complaint_ensure_is_idempotent_and_keeps_the_first_responder(staff, agent2, complaint) -> None:
    first = complaint_ensure(ticket=complaint, actor=staff)
    again = complaint_ensure(ticket=complaint, actor=agent2)
    assert first is not None
    assert again is not None
    assert first.pk == again.pk
    assert again.first_responder == staff
    assert Complaint.objects.filter(ticket=complaint).count() == 1
    assert AuditEvent.objects.filter(action="complaint.create").count() == 1


def test_complaint_ensure_does_nothing_for_a_request_that_is_not_a_complaint(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    assert complaint_ensure(ticket=ticket, actor=staff) is None
    assert not Complaint.objects.exists()


def test_a_portal_complaint_waits_for_the_first_staff_member_who_acts_on_it(client_a_user, agent2, client_a) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, kind="complaint", channel="portal")
    assert complaint_ensure(ticket=ticket, actor=client_a_user) is None
    assert complaint_ensure(ticket=ticket, actor=None) is None
    assert not Complaint.objects.exists()
    complaint_update(actor=agent2, ticket_id=ticket.pk, about="服务态度")
    assert Complaint.objects.get(ticket=ticket).first_responder == agent2


def test_an_auditor_never_becomes_first_responder(auditor, client_a_user, client_a) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, kind="complaint", channel="portal")
    assert complaint_ensure(ticket=ticket, actor=auditor) is None


def test_the_first_responder_never_changes_when_another_agent_fills_in_the_record(staff, agent2, complaint) -> None:
    complaint_update(actor=agent2, ticket_id=complaint.pk, handling="已致电道歉", result="客户接受")
    record = Complaint.objects.get(ticket=complaint)
    assert record.first_responder == staff
    assert (record.handling, record.result) == ("已致电道歉", "客户接受")


def test_naming_a_tracker_makes_them_follow_and_tells_the_client(staff, agent2, complaint) -> None:
    complaint_update(actor=staff, ticket_id=complaint.pk, tracker=agent2, about=" 上门迟到 ")
    record = Complaint.objects.get(ticket=complaint)
    assert (record.tracker, record.about) == (agent2, "上门迟到")
    assert complaint.followers.filter(pk=agent2.pk).exists()
    entry = complaint.events.filter(kind=TicketEvent.Kind.RECORD).latest("id")
    assert not entry.internal
    assert "agent2" in entry.body
    assert entry.data["fields"] == ["about", "tracker"]
    audit = AuditEvent.objects.get(action="complaint.update")
    assert audit.after == {"about": "上门迟到", "tracker": agent2.pk}
    assert audit.before == {"about": "", "tracker": None}


def test_an_update_that_changes_nothing_writes_nothing(staff, complaint) -> None:
    complaint_update(actor=staff, ticket_id=complaint.pk, about="迟到")
    complaint_update(actor=staff, ticket_id=complaint.pk, about="迟到")
    assert AuditEvent.objects.filter(action="complaint.update").count() == 1


def test_a_client_user_cannot_be_the_tracker(staff, client_a_user, complaint) -> None:
    with pytest.raises(ValidationError) as exc:
        complaint_update(actor=staff, ticket_id=complaint.pk, tracker=client_a_user)
    assert "tracker" in exc.value.message_dict


def test_an_auditor_or_an_inactive_agent_cannot_be_the_tracker(staff, auditor, complaint) -> None:
    retired = make_user("retired", Role.AGENT, is_active=False)
    for tracker in (auditor, retired):
        with pytest.raises(ValidationError) as exc:
            complaint_update(actor=staff, ticket_id=complaint.pk, tracker=tracker)
        assert "tracker" in exc.value.message_dict


@pytest.mark.parametrize("value", [0, 6, "很满意"])
def test_satisfaction_outside_one_to_five_is_refused_naming_the_field(staff, complaint, value) -> None:
    with pytest.raises(ValidationError) as exc:
        complaint_update(actor=staff, ticket_id=complaint.pk, satisfaction=value)
    assert "satisfaction" in exc.value.message_dict
    assert Complaint.objects.get(ticket=complaint).satisfaction is None


def test_what_the_complaint_is_about_is_limited_to_200_characters(staff, complaint) -> None:
    with pytest.raises(ValidationError) as exc:
        complaint_update(actor=staff, ticket_id=complaint.pk, about="长" * 201)
    assert "about" in exc.value.message_dict


def test_a_request_that_is_not_a_complaint_has_no_complaint_record_to_update(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        complaint_update(actor=staff, ticket_id=ticket.pk, about="x")
    assert "ticket_id" in exc.value.message_dict


def test_a_client_user_cannot_fill_in_the_complaint_record(client_a_user, complaint) -> None:
    with pytest.raises(PermissionDeniedError):
        complaint_update(actor=client_a_user, ticket_id=complaint.pk, result="满意")


def test_another_clients_user_does_not_find_the_complaint(client_b_user, complaint) -> None:
    with pytest.raises(ObjectNotFoundError):
        complaint_update(actor=client_b_user, ticket_id=complaint.pk, result="满意")


def test_an_auditor_cannot_fill_in_the_complaint_record(auditor, complaint) -> None:
    with pytest.raises(PermissionDeniedError):
        complaint_update(actor=auditor, ticket_id=complaint.pk, result="满意")


@time_machine.travel(NOW, tick=False)
def test_a_corrective_action_is_recorded_with_owner_and_due_date(staff, agent2, complaint) -> None:
    action = corrective_action_add(
        actor=staff,
        ticket_id=complaint.pk,
        kind="preventive",
        description=" 上门前电话确认时间 ",
        owner=agent2,
        due_on=TODAY,
    )
    assert (action.kind, action.description, action.owner, action.due_on) == (
        "preventive",
        "上门前电话确认时间",
        agent2,
        TODAY,
    )
    assert complaint.followers.filter(pk=agent2.pk).exists()
    entry = complaint.events.filter(kind=TicketEvent.Kind.RECORD).latest("id")
    assert entry.internal
    assert entry.data["record"] == "corrective_action"
    assert AuditEvent.objects.filter(action="corrective_action.add", object_id=str(action.pk)).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_corrective_action_on_a_portal_complaint_makes_its_record(client_a_user, agent2, client_a) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, kind="complaint", channel="portal")
    corrective_action_add(
        actor=agent2, ticket_id=ticket.pk, kind="corrective", description="补发说明", owner=agent2, due_on=TODAY
    )
    assert Complaint.objects.get(ticket=ticket).first_responder == agent2


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "punitive"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"description": "   "}, "description"),
        ({"owner": None}, "owner"),
        ({"due_on": None}, "due_on"),
        ({"due_on": TODAY - dt.timedelta(days=1)}, "due_on"),
        ({"due_on": "下周"}, "due_on"),
    ],
)
def test_a_corrective_action_with_bad_input_is_refused_naming_the_field(
    staff, agent2, complaint, changes, field
) -> None:
    values = {"kind": "corrective", "description": "复盘", "owner": agent2, "due_on": TODAY, **changes}
    with pytest.raises(ValidationError) as exc:
        corrective_action_add(actor=staff, ticket_id=complaint.pk, **values)
    assert field in exc.value.message_dict
    assert not CorrectiveAction.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_corrective_action_owner_must_be_vendor_staff(staff, client_a_user, auditor, complaint) -> None:
    for owner in (client_a_user, auditor):
        with pytest.raises(ValidationError) as exc:
            corrective_action_add(
                actor=staff, ticket_id=complaint.pk, kind="corrective", description="复盘", owner=owner, due_on=TODAY
            )
        assert "owner" in exc.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_client_users_cannot_record_corrective_actions(client_a_user, staff, complaint) -> None:
    with pytest.raises(PermissionDeniedError):
        corrective_action_add(
            actor=client_a_user, ticket_id=complaint.pk, kind="corrective", description="x", owner=staff, due_on=TODAY
        )


@pytest.fixture
def action(staff, complaint):
    with time_machine.travel(NOW, tick=False):
        return corrective_action_add(
            actor=staff, ticket_id=complaint.pk, kind="corrective", description="复盘", owner=staff, due_on=TODAY
        )


def test_completing_an_action_records_when_and_what_came_of_it(staff, complaint, action) -> None:
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        done = corrective_action_complete(actor=staff, action_id=action.pk, outcome=" 已培训全体工程师 ")
    assert done.outcome == "已培训全体工程师"
    assert done.done_at == NOW + dt.timedelta(days=2)
    assert complaint.events.filter(kind=TicketEvent.Kind.RECORD, internal=True, data__done=True).count() == 1
    assert AuditEvent.objects.filter(action="corrective_action.complete", object_id=str(action.pk)).count() == 1


def test_an_action_is_completed_once(staff, action) -> None:
    corrective_action_complete(actor=staff, action_id=action.pk, outcome="完成")
    with pytest.raises(ValidationError) as exc:
        corrective_action_complete(actor=staff, action_id=action.pk, outcome="再次完成")
    assert "outcome" in exc.value.message_dict


def test_completing_an_action_needs_its_outcome(staff, action) -> None:
    with pytest.raises(ValidationError) as exc:
        corrective_action_complete(actor=staff, action_id=action.pk, outcome="  ")
    assert "outcome" in exc.value.message_dict


def test_client_users_do_not_find_corrective_actions(client_a_user, client_b_user, action) -> None:
    for user in (client_a_user, client_b_user):
        with pytest.raises(ObjectNotFoundError):
            corrective_action_complete(actor=user, action_id=action.pk, outcome="完成")


def test_an_auditor_cannot_complete_an_action(auditor, action) -> None:
    with pytest.raises(PermissionDeniedError):
        corrective_action_complete(actor=auditor, action_id=action.pk, outcome="完成")


def test_completing_a_missing_action_is_not_found(staff, db) -> None:
    with pytest.raises(ObjectNotFoundError):
        corrective_action_complete(actor=staff, action_id=999_999, outcome="完成")
