"""Optimization requests (R1.5): leader signs, vendor judges reasonableness and feasibility, test, announce."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from weibao.announcements.models import Announcement
from weibao.tickets.models import Review, SignOff, TicketEvent
from weibao.tickets.selectors import ticket_timeline
from weibao.tickets.services import procedure
from weibao.tickets.services._common import TransitionRefusedError
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import fresh, leader_of
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client_a):
    return leader_of(client_a)


@pytest.fixture
def proposal(staff, client_a, client_a_user):
    return make_ticket(
        actor=client_a_user, client=client_a, kind="optimization", channel="portal", title="低保审批增加批量导出"
    )


@pytest.fixture
def signed_proposal(proposal, leader):
    procedure.leader_signoff(
        actor=leader, ticket_id=proposal.pk, approve=True, opinion="同意提交厂商评审。", signer_name="张主任"
    )
    return fresh(proposal)


def test_the_leader_signs_before_the_vendor_reviews(staff, proposal, leader) -> None:
    assert proposal.status == Status.LEADER_SIGNOFF
    with pytest.raises(TransitionRefusedError, match="leader"):
        procedure.review_record(
            actor=staff, ticket_id=proposal.pk, decision="handle", opinion="x", reasonable=True, feasible=True
        )
    signoff = procedure.leader_signoff(
        actor=leader, ticket_id=proposal.pk, approve=True, opinion="同意", signer_name="张主任"
    )
    assert (signoff.form, signoff.approved, signoff.signer) == (SignOff.Form.LEADER, True, leader)
    assert fresh(proposal).status == Status.REGISTERED


def test_only_the_clients_leader_signs_off(staff, proposal, client_a_user) -> None:
    for someone in (client_a_user, staff):
        with pytest.raises(TransitionRefusedError, match="leader"):
            procedure.leader_signoff(
                actor=someone, ticket_id=proposal.pk, approve=True, opinion="同意", signer_name="某人"
            )
    assert not SignOff.objects.exists()


def test_a_leader_declining_says_why_and_the_request_is_rejected(proposal, leader) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.leader_signoff(actor=leader, ticket_id=proposal.pk, approve=False, opinion="", signer_name="张主任")
    assert "opinion" in exc.value.message_dict
    procedure.leader_signoff(
        actor=leader, ticket_id=proposal.pk, approve=False, opinion="本年度预算不足。", signer_name="张主任"
    )
    ticket = fresh(proposal)
    assert ticket.status == Status.REJECTED
    assert ticket.signoffs.get().approved is False


def test_the_review_states_reasonableness_and_feasibility(staff, signed_proposal) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(actor=staff, ticket_id=signed_proposal.pk, decision="handle", opinion="可实施")
    assert {"reasonable", "feasible"} <= exc.value.message_dict.keys()


def test_an_unreasonable_optimization_cannot_be_accepted(staff, signed_proposal) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=signed_proposal.pk,
            decision="handle",
            opinion="x",
            reasonable=False,
            feasible=True,
        )
    assert "decision" in exc.value.message_dict


def test_a_reasonable_and_feasible_optimization_cannot_be_rejected(staff, signed_proposal) -> None:
    with pytest.raises(ValidationError) as exc:
        procedure.review_record(
            actor=staff,
            ticket_id=signed_proposal.pk,
            decision="reject",
            opinion="x",
            reasonable=True,
            feasible=True,
        )
    assert "decision" in exc.value.message_dict


def test_a_rejection_shows_the_reason_to_the_proposer(staff, signed_proposal, client_a_user) -> None:
    reason = "批量导出涉及个人隐私数据，不符合数据安全要求。"
    review = procedure.review_record(
        actor=staff,
        ticket_id=signed_proposal.pk,
        decision="reject",
        opinion=reason,
        reasonable=False,
        feasible=True,
    )
    ticket = fresh(signed_proposal)
    assert ticket.status == Status.REJECTED
    assert (review.reasonable, review.feasible) == (False, True)
    seen = list(ticket_timeline(actor=client_a_user, ticket=ticket))
    assert [e.body for e in seen if e.kind == TicketEvent.Kind.STATUS and e.data["to"] == Status.REJECTED] == [reason]


def test_an_accepted_optimization_is_implemented_tested_and_announced(staff, signed_proposal, client_a_user) -> None:
    ticket_id = signed_proposal.pk
    procedure.review_record(
        actor=staff, ticket_id=ticket_id, decision="handle", opinion="合理可行。", reasonable=True, feasible=True
    )
    assert Review.objects.get().decision == "handle"
    procedure.ticket_resolve(actor=staff, ticket_id=ticket_id, resolution="已开发批量导出功能。")
    assert fresh(signed_proposal).status == Status.TESTING

    with pytest.raises(ValidationError) as exc:
        procedure.test_record(actor=staff, ticket_id=ticket_id, passed=False, notes="")
    assert "notes" in exc.value.message_dict
    procedure.test_record(actor=staff, ticket_id=ticket_id, passed=False, notes="导出超过1万行时超时。")
    assert fresh(signed_proposal).status == Status.IN_PROGRESS
    assert not fresh(signed_proposal).events.filter(kind=TicketEvent.Kind.ANNOUNCEMENT).exists()

    procedure.ticket_resolve(actor=staff, ticket_id=ticket_id, resolution="改为分批导出。")
    procedure.test_record(actor=staff, ticket_id=ticket_id, passed=True, notes="回归测试通过。")
    ticket = fresh(signed_proposal)
    assert ticket.status == Status.ACCEPTANCE
    announcement = ticket.events.get(kind=TicketEvent.Kind.ANNOUNCEMENT)
    draft = Announcement.objects.get(pk=announcement.data["announcement"])
    assert draft.status == Announcement.Status.DRAFT
    assert draft.source_request_id == ticket.pk
    assert list(draft.clients.all()) == [ticket.client]
    assert announcement in list(ticket_timeline(actor=client_a_user, ticket=ticket))


def test_tests_are_recorded_only_while_testing(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(TransitionRefusedError):
        procedure.test_record(actor=staff, ticket_id=ticket.pk, passed=True, notes="")


def test_resolving_needs_the_resolution(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x")
    with pytest.raises(ValidationError) as exc:
        procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution=" ")
    assert "resolution" in exc.value.message_dict
    assert fresh(ticket).status == Status.IN_PROGRESS


def test_a_client_user_cannot_resolve(staff, client_a, client_a_user) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="x")
    with pytest.raises(TransitionRefusedError, match="vendor"):
        procedure.ticket_resolve(actor=client_a_user, ticket_id=ticket.pk, resolution="自己修好了")
