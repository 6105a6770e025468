"""The technical review (R1.4 step 2): handle now, plan needed, no maintenance needed; paid or free (R1.8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import MaintenancePlan, Review, TicketEvent
from weibao.tickets.selectors import ticket_timeline
from weibao.tickets.services import procedure
from weibao.tickets.services._common import TicketConflictError, TransitionRefusedError
from weibao.tickets.services.tickets import ticket_update
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import PLAN, fresh
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db

# The archive's contract was accepted on 2025-03-01 with twelve months of warranty.
IN_WARRANTY = dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.UTC)
AFTER_WARRANTY = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@time_machine.travel(AFTER_WARRANTY, tick=False)
def test_handle_now_moves_the_request_into_progress_with_one_status_entry(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    review = procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="可直接处理。")
    ticket = fresh(ticket)
    assert ticket.status == Status.IN_PROGRESS
    assert (review.decision, review.reviewer, review.opinion) == ("handle", staff, "可直接处理。")
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS).count() == 1
    event = ticket.events.get(kind=TicketEvent.Kind.RECORD)
    assert event.data == {"record": "review", "record_id": review.pk, "decision": "handle"}
    assert not event.internal
    # A fault after warranty is within the contracted scope: free (R1.8).
    assert ticket.charging == "free"
    assert AuditEvent.objects.filter(action="review.create", object_id=str(review.pk)).count() == 1
    assert AuditEvent.objects.filter(action="ticket.review_handle").count() == 1


@time_machine.travel(AFTER_WARRANTY, tick=False)
def test_handle_now_keeps_a_charging_already_decided_after_warranty(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    ticket_update(actor=staff, ticket_id=ticket.pk, changes={"charging": "paid"})
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="收费处理。")
    assert fresh(ticket).charging == "paid"


@time_machine.travel(IN_WARRANTY, tick=False)
def test_within_warranty_ordinary_maintenance_can_only_be_free(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=ticket.pk,
            decision="plan",
            opinion="需方案。",
            plan={**PLAN, "charging": "paid", "amount": "800"},
        )
    assert "warranty" in errors_of(exc)["charging"][0]
    assert not Review.objects.exists()
    assert fresh(ticket).status == Status.REGISTERED


@time_machine.travel(IN_WARRANTY, tick=False)
def test_within_warranty_a_requirement_change_may_be_charged(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment, kind="personalised")
    procedure.review_record(
        actor=staff,
        ticket_id=ticket.pk,
        decision="plan",
        opinion="个性化修改，按合同收费。",
        plan={**PLAN, "charging": "paid", "amount": "1200.50", "charging_basis": "个性化修改需求"},
    )
    plan = MaintenancePlan.objects.get()
    assert (plan.charging, plan.amount, plan.charging_basis) == ("paid", Decimal("1200.50"), "个性化修改需求")
    assert fresh(ticket).charging == "paid"


@time_machine.travel(IN_WARRANTY, tick=False)
def test_within_warranty_the_plan_defaults_to_free_with_the_contract_as_basis(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需方案。", plan=PLAN)
    plan = MaintenancePlan.objects.get()
    assert plan.charging == "free"
    assert plan.amount == 0
    assert archive_a.contract.number in plan.charging_basis
    assert "2026-02-28" in plan.charging_basis


def test_without_a_deployment_the_reviewer_must_choose_paid_or_free(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需方案。", plan=PLAN)
    assert "paid or free" in errors_of(exc)["charging"][0]
    procedure.review_record(
        actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需方案。", plan={**PLAN, "charging": "free"}
    )
    assert fresh(ticket).charging == "free"


@time_machine.travel(AFTER_WARRANTY, tick=False)
def test_a_paid_plan_needs_an_amount_and_a_free_plan_has_none(staff, archive_a) -> None:
    ticket = make_ticket(actor=staff, client=archive_a.client, deployment=archive_a.deployment)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff, ticket_id=ticket.pk, decision="plan", opinion="x", plan={**PLAN, "charging": "paid"}
        )
    assert "amount" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=ticket.pk,
            decision="plan",
            opinion="x",
            plan={**PLAN, "charging": "free", "amount": "10"},
        )
    assert "amount" in errors_of(exc)


def test_a_plan_names_every_missing_field(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="plan", opinion="", plan={})
    assert {"opinion", "mode", "details", "charging", "planned_start", "planned_end"} <= errors_of(exc).keys()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": "by-pigeon"}, "mode"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "-5", "charging": "paid"}, "amount"),
        ({"planned_start": "2026-13-40"}, "planned_start"),
        ({"planned_start": dt.date(2026, 11, 25), "planned_end": dt.date(2026, 11, 24)}, "planned_end"),
        ({"charging": "maybe"}, "charging"),
        ({"colour": "red"}, "plan"),
    ],
)
def test_a_plan_with_a_bad_value_names_its_field(staff, client_a, changes, field) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=ticket.pk,
            decision="plan",
            opinion="需方案。",
            plan={**PLAN, "charging": "free", **changes},
        )
    assert field in errors_of(exc)
    assert fresh(ticket).status == Status.REGISTERED


def test_only_a_plan_review_carries_a_plan(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x", plan=PLAN)
    assert "plan" in errors_of(exc)


def test_no_maintenance_needed_sends_the_receipt_to_the_client_and_archives(staff, client_a, client_a_user) -> None:
    ticket = make_ticket(actor=staff, client=client_a, kind="consultation")
    receipt = "该问题为操作方式问题，已电话指导，无需维护。"
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="no_action", opinion=receipt)
    ticket = fresh(ticket)
    assert ticket.status == Status.ARCHIVED
    assert ticket.closed_at is not None
    assert ticket.resolution == receipt
    seen = list(ticket_timeline(actor=client_a_user, ticket=ticket))
    status = [e for e in seen if e.kind == TicketEvent.Kind.STATUS]
    assert [(e.data["to"], e.body) for e in status] == [(Status.ARCHIVED, receipt)]


def test_no_maintenance_needed_needs_the_receipt_text(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="no_action", opinion="  ")
    assert "receipt" in errors_of(exc)["opinion"][0]


def test_an_ordinary_request_cannot_be_rejected(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="does not apply"):
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="reject", opinion="不合理")


def test_an_unknown_decision_names_the_field(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="shrug", opinion="x")
    assert "decision" in errors_of(exc)


def test_a_client_user_cannot_review(staff, client_a, client_a_user) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="vendor"):
        procedure.review_record(actor=client_a_user, ticket_id=ticket.pk, decision="handle", opinion="x")


def test_an_auditor_cannot_review(staff, client_a, auditor) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(PermissionDeniedError):
        procedure.review_record(actor=auditor, ticket_id=ticket.pk, decision="handle", opinion="x")


def test_another_clients_user_finds_no_request(staff, client_a, client_b_user) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ObjectNotFoundError):
        procedure.review_record(actor=client_b_user, ticket_id=ticket.pk, decision="handle", opinion="x")


def test_a_request_already_reviewed_is_not_reviewed_again(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x")
    with pytest.raises(TransitionRefusedError, match="In progress"):
        procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x")
    assert Review.objects.count() == 1


def test_a_review_against_a_stale_version_is_refused(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(TicketConflictError):
        procedure.review_record(
            actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x", expected_version=ticket.version + 1
        )
    procedure.review_record(
        actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x", expected_version=ticket.version
    )
    assert fresh(ticket).status == Status.IN_PROGRESS


def test_a_plan_that_is_not_a_set_of_fields_is_refused(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=ticket.pk,
            decision="plan",
            opinion="x",
            plan=["remote"],  # type: ignore[arg-type]
        )
    assert "plan" in errors_of(exc)


def test_reasonable_and_feasible_are_yes_or_no(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=ticket.pk,
            decision="handle",
            opinion="x",
            reasonable="maybe",  # type: ignore[arg-type]
        )
    assert "reasonable" in errors_of(exc)
