"""The whole maintenance procedure (R1.4), from the hotline call to the archive, as the people do it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import make_user

from weibao.accounts.models import AuditEvent, Role
from weibao.tickets.models import MaintenancePlan, SignOff, Survey, Ticket, TicketEvent, WorkLog
from weibao.tickets.procedure_selectors import procedure_records
from weibao.tickets.services import procedure
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import PLAN, fresh, png_data_url
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 21, 1, 0, tzinfo=dt.UTC)


def statuses(ticket: Ticket) -> list[tuple[str, str]]:
    return [(e.data["from"], e.data["to"]) for e in ticket.events.filter(kind=TicketEvent.Kind.STATUS).order_by("id")]


def test_a_request_goes_from_registration_through_rejection_and_acceptance_to_the_archive(
    staff, client_a_user, archive_a
) -> None:
    engineer = make_user("engineer", Role.FIELD_ENGINEER)
    client = archive_a.client
    signature = png_data_url()
    with time_machine.travel(START, tick=False) as traveller:
        ticket = make_ticket(actor=staff, client=client, deployment=archive_a.deployment, contact=archive_a.contact)
        assert ticket.status == Status.REGISTERED

        review = procedure.review_record(
            actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需远程调整会话参数。", plan=PLAN
        )
        ticket = fresh(ticket)
        assert ticket.status == Status.PLAN_PENDING
        plan = ticket.plans.get()
        # After warranty, a fault within the contracted scope is free by default (R1.8).
        assert (plan.charging, ticket.charging) == ("free", "free")
        assert archive_a.contract.number in plan.charging_basis

        traveller.shift(dt.timedelta(hours=1))
        procedure.plan_respond(actor=client_a_user, ticket_id=ticket.pk, confirm=True, signer_name="王丽")
        assert fresh(ticket).status == Status.IN_PROGRESS
        plan.refresh_from_db()
        assert plan.confirmed_by == client_a_user

        order = procedure.task_order_create(
            actor=staff, ticket_id=ticket.pk, engineer=engineer, content="远程调整会话超时", onsite=False
        )
        assert order.number == f"{ticket.number}-T01"
        consent = procedure.remote_consent_record(
            actor=staff,
            ticket_id=ticket.pk,
            granted_by_name="王丽",
            granted_via="电话",
            scope="应用服务器 app01，仅会话配置",
            minutes_allowed=60,
        )
        traveller.shift(dt.timedelta(minutes=50))
        log = procedure.work_log_add(
            actor=engineer,
            ticket_id=ticket.pk,
            mode="remote",
            started_at=consent.granted_at + dt.timedelta(minutes=5),
            minutes=40,
            description="调整会话超时为30分钟并重启服务",
            task_order_id=order.pk,
        )
        assert log.consent == consent
        procedure.task_order_complete(actor=engineer, task_order_id=order.pk, result="已调整")
        procedure.ticket_resolve(actor=engineer, ticket_id=ticket.pk, resolution="会话超时已调整，登录恢复正常。")
        assert fresh(ticket).status == Status.ACCEPTANCE

        traveller.shift(dt.timedelta(hours=2))
        procedure.acceptance_sign(
            actor=client_a_user, ticket_id=ticket.pk, accepted=False, opinion="部分账号仍提示过期。", signer_name="王丽"
        )
        ticket = fresh(ticket)
        assert (ticket.status, ticket.reopen_count) == (Status.IN_PROGRESS, 1)

        procedure.ticket_resolve(actor=engineer, ticket_id=ticket.pk, resolution="清理缓存后全部账号恢复。")
        traveller.shift(dt.timedelta(hours=1))
        procedure.acceptance_sign(
            actor=client_a_user,
            ticket_id=ticket.pk,
            accepted=True,
            opinion="验证通过。",
            signer_name="王丽",
            signature=signature,
        )
        assert fresh(ticket).status == Status.FEEDBACK
        procedure.feedback_give(
            actor=client_a_user,
            ticket_id=ticket.pk,
            opinion="响应及时，处理得当。",
            signer_name="王丽",
            rating=5,
            comment="满意",
        )

    ticket = fresh(ticket)
    assert ticket.status == Status.ARCHIVED
    assert ticket.closed_at is not None
    assert ticket.resolution == "清理缓存后全部账号恢复。"
    assert statuses(ticket) == [
        (Status.REGISTERED, Status.PLAN_PENDING),
        (Status.PLAN_PENDING, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.ACCEPTANCE),
        (Status.ACCEPTANCE, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.ACCEPTANCE),
        (Status.ACCEPTANCE, Status.FEEDBACK),
        (Status.FEEDBACK, Status.ARCHIVED),
    ]
    signoffs = list(ticket.signoffs.order_by("id").values_list("form", "approved", "signer_name"))
    assert signoffs == [
        (SignOff.Form.PLAN, True, "王丽"),
        (SignOff.Form.ACCEPTANCE, False, "王丽"),
        (SignOff.Form.ACCEPTANCE, True, "王丽"),
        (SignOff.Form.FEEDBACK, True, "王丽"),
    ]
    assert ticket.signoffs.get(form=SignOff.Form.ACCEPTANCE, approved=True).signature == signature
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.rating, survey.via, survey.respondent) == (5, "portal", client_a_user)

    records = [
        (e.kind, e.data.get("record")) for e in ticket.events.exclude(kind=TicketEvent.Kind.STATUS).order_by("id")
    ]
    assert records == [
        (TicketEvent.Kind.CREATED, None),
        (TicketEvent.Kind.RECORD, "review"),
        (TicketEvent.Kind.RECORD, "plan"),
        (TicketEvent.Kind.SIGNED, "signoff"),
        (TicketEvent.Kind.RECORD, "task_order"),
        (TicketEvent.Kind.RECORD, "remote_consent"),
        (TicketEvent.Kind.RECORD, "work_log"),
        (TicketEvent.Kind.RECORD, "task_order"),
        (TicketEvent.Kind.SIGNED, "signoff"),
        (TicketEvent.Kind.SIGNED, "signoff"),
        (TicketEvent.Kind.SIGNED, "signoff"),
        (TicketEvent.Kind.RATED, None),
    ]
    assert not ticket.events.filter(internal=True).exists()
    review_event = ticket.events.get(data__record="review")
    assert review_event.data["record_id"] == review.pk

    actions = list(AuditEvent.objects.filter(client_id=client.pk).order_by("id").values_list("action", flat=True))
    for expected in [
        "ticket.create",
        "review.create",
        "maintenance_plan.create",
        "ticket.review_plan",
        "maintenance_plan.confirm",
        "signoff.create",
        "ticket.plan_confirm",
        "task_order.create",
        "remote_consent.create",
        "work_log.create",
        "task_order.complete",
        "ticket.resolve",
        "ticket.reject_fix",
        "ticket.accept",
        "ticket.feedback",
    ]:
        assert expected in actions, expected
    assert actions.count("signoff.create") == 4
    assert actions.count("ticket.resolve") == 2
    assert "survey.submit" in actions

    records_seen = procedure_records(actor=client_a_user, ticket=ticket)
    assert records_seen.work_minutes == 40
    assert records_seen.current_plan == MaintenancePlan.objects.get(ticket=ticket)
    assert records_seen.signoff(SignOff.Form.FEEDBACK) is not None
    assert WorkLog.objects.get().engineer == engineer
