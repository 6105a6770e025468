"""Data maintenance after the leader's confirmation (R1.6); milestones of emergencies and personalised changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.accounts.models import AuditEvent, User
from weibao.core.errors import PermissionDeniedError
from weibao.tickets.models import DataChange, Milestone, Ticket, TicketEvent
from weibao.tickets.procedure_selectors import procedure_records
from weibao.tickets.services import procedure
from weibao.tickets.services._common import TransitionRefusedError
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import data_ticket_signed, fresh, leader_of, ticket_in_progress

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def leader(client_a):
    return leader_of(client_a)


def record_change(staff: User, ticket: Ticket, **extra: Any) -> DataChange:
    values = {"description": "更正12户低保户的发放金额", "before": "金额 300", "after": "金额 350", **extra}
    return procedure.data_change_record(actor=staff, ticket_id=ticket.pk, **values)


# Data maintenance


def test_data_is_not_changed_before_the_leader_has_signed(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="data")
    with pytest.raises(TransitionRefusedError, match="client leader"):
        record_change(staff, ticket)
    assert not DataChange.objects.exists()


def test_a_leader_who_declined_does_not_unlock_data_changes(staff, client_a, leader) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="data")
    procedure.leader_signoff(actor=leader, ticket_id=ticket.pk, approve=False, opinion="不同意", signer_name="张主任")
    with pytest.raises(TransitionRefusedError, match="client leader"):
        record_change(staff, ticket)


def test_data_changes_are_recorded_while_in_progress_after_the_signature(staff, client_a, leader) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="data")
    procedure.leader_signoff(actor=leader, ticket_id=ticket.pk, approve=True, opinion="同意", signer_name="张主任")
    with pytest.raises(TransitionRefusedError, match="in progress"):
        record_change(staff, ticket)


def test_a_data_change_records_what_changed_with_its_files(staff, client_a, client_a_user, leader) -> None:
    ticket = data_ticket_signed(staff=staff, client=client_a, leader=leader)
    before = SimpleUploadedFile("before.csv", "户号,金额\n1001,300\n".encode(), content_type="text/csv")
    change = record_change(staff, ticket, rows_affected=12, files=[before])
    assert (change.rows_affected, change.before, change.after, change.recorded_by) == (
        12,
        "金额 300",
        "金额 350",
        staff,
    )
    event = fresh(ticket).events.get(data__record="data_change")
    assert event.data["record_id"] == change.pk
    assert [a.original_name for a in event.attachments.all()] == ["before.csv"]
    assert AuditEvent.objects.filter(action="data_change.create", object_id=str(change.pk)).count() == 1
    seen = procedure_records(actor=client_a_user, ticket=ticket)
    assert seen.data_changes == [change]
    assert [a.original_name for a in seen.data_change_files[change.pk]] == ["before.csv"]


def test_a_data_change_needs_its_description(staff, client_a, leader) -> None:
    ticket = data_ticket_signed(staff=staff, client=client_a, leader=leader)
    with pytest.raises(ValidationError) as exc:
        record_change(staff, ticket, description=" ", rows_affected=-1)
    assert {"description", "rows_affected"} <= exc.value.message_dict.keys()


def test_data_changes_belong_to_data_maintenance_requests(staff, client_a) -> None:
    ticket = ticket_in_progress(staff=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="data-maintenance"):
        record_change(staff, ticket)


def test_client_users_do_not_record_data_changes(staff, client_a, client_a_user, leader) -> None:
    ticket = data_ticket_signed(staff=staff, client=client_a, leader=leader)
    with pytest.raises(PermissionDeniedError):
        record_change(client_a_user, ticket)


# Milestones


@pytest.fixture
def emergency(staff, client_a):
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        return make_ticket(actor=staff, client=client_a, kind="emergency", level=1, title="社区平台全部中断")


@time_machine.travel(NOW, tick=False)
def test_an_emergency_records_its_dispatch(staff, emergency) -> None:
    reached = NOW - dt.timedelta(minutes=40)
    milestone = procedure.milestone_record(
        actor=staff, ticket_id=emergency.pk, step="dispatched", reached_at=reached, note="李工已出发"
    )
    assert (milestone.step, milestone.reached_at, milestone.recorded_by) == ("dispatched", reached, staff)
    event = fresh(emergency).events.get(kind=TicketEvent.Kind.MILESTONE)
    assert event.data["record_id"] == milestone.pk
    assert event.data["step"] == "dispatched"
    assert AuditEvent.objects.filter(action="milestone.create").count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_milestone_defaults_to_now(staff, emergency) -> None:
    assert procedure.milestone_record(actor=staff, ticket_id=emergency.pk, step="emergency_plan").reached_at == NOW


@time_machine.travel(NOW, tick=False)
def test_a_milestone_is_recorded_once(staff, emergency) -> None:
    procedure.milestone_record(actor=staff, ticket_id=emergency.pk, step="dispatched")
    with pytest.raises(ValidationError) as exc:
        procedure.milestone_record(actor=staff, ticket_id=emergency.pk, step="dispatched")
    assert "already recorded" in exc.value.message_dict["step"][0]
    assert Milestone.objects.count() == 1


def test_a_request_type_without_milestones_has_none(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="fault")
    with pytest.raises(ValidationError) as exc:
        procedure.milestone_record(actor=staff, ticket_id=ticket.pk, step="dispatched")
    assert "no milestones" in exc.value.message_dict["step"][0]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("step", ["understood", "tested", "nonsense", ""])
def test_only_the_steps_of_the_request_type_are_milestones(staff, emergency, step) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.milestone_record(actor=staff, ticket_id=emergency.pk, step=step)
    assert "is not a milestone" in exc.value.message_dict["step"][0]


@time_machine.travel(NOW, tick=False)
def test_a_personalised_change_records_its_own_steps(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="personalised")
    for step in ["understood", "answered", "started", "tested"]:
        procedure.milestone_record(actor=staff, ticket_id=ticket.pk, step=step)
    assert Milestone.objects.filter(ticket=ticket).count() == 4


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "reached_at",
    [NOW + dt.timedelta(seconds=1), NOW - dt.timedelta(hours=3)],
    ids=["in the future", "before registration"],
)
def test_a_milestone_is_reached_between_registration_and_now(staff, emergency, reached_at) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.milestone_record(actor=staff, ticket_id=emergency.pk, step="dispatched", reached_at=reached_at)
    assert "reached_at" in exc.value.message_dict


def test_client_users_do_not_record_milestones(emergency, client_a_user) -> None:
    with pytest.raises(PermissionDeniedError):
        procedure.milestone_record(actor=client_a_user, ticket_id=emergency.pk, step="dispatched")
