"""The client's signatures: plan confirmation, acceptance, feedback; the drawn signature's checks."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.models import AuditEvent
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets.models import MaintenancePlan, SignOff, Survey, Ticket, TicketEvent
from weibao.tickets.services import procedure
from weibao.tickets.services._common import TransitionRefusedError
from weibao.tickets.services._procedure import MAX_SIGNATURE_BYTES
from weibao.tickets.tests.procedure_factories import (
    PLAN,
    fresh,
    png_bytes,
    png_data_url,
    ticket_awaiting_acceptance,
    ticket_awaiting_feedback,
    ticket_awaiting_plan,
)
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_client_confirms_the_plan_and_work_starts(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_plan(staff=staff, client=client_a)
    plan = procedure.plan_respond(
        actor=client_a_user, ticket_id=ticket.pk, confirm=True, signer_name="王丽", signature=png_data_url()
    )
    assert (plan.confirmed_by, plan.declined_reason) == (client_a_user, "")
    assert plan.confirmed_at is not None
    signoff = SignOff.objects.get()
    assert (signoff.form, signoff.approved, signoff.signer_name) == (SignOff.Form.PLAN, True, "王丽")
    assert signoff.signature.startswith("data:image/png;base64,")
    event = fresh(ticket).events.get(kind=TicketEvent.Kind.SIGNED)
    assert event.data["record_id"] == signoff.pk
    assert event.data["form"] == "plan"
    assert fresh(ticket).status == Status.IN_PROGRESS


def test_a_declined_plan_goes_back_to_review_with_the_reason(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_plan(staff=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.plan_respond(actor=client_a_user, ticket_id=ticket.pk, confirm=False, signer_name="王丽")
    assert "reason" in exc.value.message_dict
    procedure.plan_respond(
        actor=client_a_user, ticket_id=ticket.pk, confirm=False, reason="工期太长，请缩短。", signer_name="王丽"
    )
    plan = MaintenancePlan.objects.get()
    assert plan.declined_reason == "工期太长，请缩短。"
    assert plan.confirmed_by is None
    assert fresh(ticket).status == Status.REGISTERED
    assert SignOff.objects.get().approved is False
    assert AuditEvent.objects.filter(action="maintenance_plan.decline").count() == 1
    procedure.review_record(
        actor=staff, ticket_id=ticket.pk, decision="plan", opinion="缩短工期。", plan={**PLAN, "charging": "free"}
    )
    assert MaintenancePlan.objects.count() == 2


def test_vendor_staff_cannot_answer_for_the_client(staff, client_a) -> None:
    ticket = ticket_awaiting_plan(staff=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="client"):
        procedure.plan_respond(actor=staff, ticket_id=ticket.pk, confirm=True, signer_name="王丽")
    with pytest.raises(TransitionRefusedError, match="client"):
        procedure.acceptance_sign(actor=staff, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王丽")
    assert not SignOff.objects.exists()


def test_a_plan_is_answered_only_while_it_awaits_confirmation(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(TransitionRefusedError, match="not possible"):
        procedure.plan_respond(actor=client_a_user, ticket_id=ticket.pk, confirm=True, signer_name="王丽")


def test_another_clients_user_cannot_sign(staff, client_a, client_b_user) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(ObjectNotFoundError):
        procedure.acceptance_sign(
            actor=client_b_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="李四"
        )


@pytest.mark.parametrize("name", ["", "   "])
def test_every_signature_needs_the_signers_name(staff, client_a, client_a_user, name) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.acceptance_sign(actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name=name)
    assert "signer_name" in exc.value.message_dict
    assert fresh(ticket).status == Status.ACCEPTANCE


def test_a_signers_name_longer_than_the_form_allows_is_refused(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.acceptance_sign(
            actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王" * 101
        )
    assert "signer_name" in exc.value.message_dict


@pytest.mark.parametrize(
    ("signature", "says"),
    [
        ("data:image/jpeg;base64," + b64(b"\xff\xd8\xff\xe0" + b"0" * 40), "PNG image"),
        ("https://example.com/sig.png", "PNG image"),
        ("data:image/png;base64,@@not base64@@", "base64"),
        ("data:image/png;base64," + b64(b"GIF89a" + b"0" * 40), "not a PNG"),
        ("data:image/png;base64," + b64(b"\x89PNG\r\n\x1a\n"), "not a PNG"),
        ("data:image/png;base64," + b64(png_bytes(padding=MAX_SIGNATURE_BYTES)), "larger than 200 KB"),
        ("data:image/png;base64," + "A" * (MAX_SIGNATURE_BYTES * 2), "larger than 200 KB"),
    ],
)
def test_a_drawn_signature_must_be_a_real_png_of_at_most_200_kb(
    staff, client_a, client_a_user, signature, says
) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.acceptance_sign(
            actor=client_a_user,
            ticket_id=ticket.pk,
            accepted=True,
            opinion="",
            signer_name="王丽",
            signature=signature,
        )
    assert says in exc.value.message_dict["signature"][0]
    assert not SignOff.objects.exists()


def test_a_png_just_under_the_limit_is_kept(staff, client_a, client_a_user) -> None:
    signature = png_data_url(padding=MAX_SIGNATURE_BYTES - 200)
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    procedure.acceptance_sign(
        actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王丽", signature=signature
    )
    assert SignOff.objects.get().signature == signature
    # The audit row records who signed, not the picture.
    audit = AuditEvent.objects.get(action="signoff.create")
    assert "signature" not in audit.after


def test_rejecting_the_fix_needs_a_reason_and_reopens_the_request(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.acceptance_sign(
            actor=client_a_user, ticket_id=ticket.pk, accepted=False, opinion="", signer_name="王丽"
        )
    assert "opinion" in exc.value.message_dict
    procedure.acceptance_sign(
        actor=client_a_user, ticket_id=ticket.pk, accepted=False, opinion="仍无法登录。", signer_name="王丽"
    )
    ticket = fresh(ticket)
    assert (ticket.status, ticket.reopen_count) == (Status.IN_PROGRESS, 1)
    status = ticket.events.filter(kind=TicketEvent.Kind.STATUS).last()
    assert status is not None
    assert status.body == "仍无法登录。"


def test_acceptance_is_signed_only_while_awaiting_it(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_plan(staff=staff, client=client_a)
    with pytest.raises(TransitionRefusedError):
        procedure.acceptance_sign(
            actor=client_a_user, ticket_id=ticket.pk, accepted=True, opinion="", signer_name="王丽"
        )


def test_feedback_with_a_rating_archives_and_answers_the_survey(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    signoff = procedure.feedback_give(
        actor=client_a_user, ticket_id=ticket.pk, opinion="满意。", signer_name="王丽", rating=4, comment="较快"
    )
    assert signoff.form == SignOff.Form.FEEDBACK
    assert fresh(ticket).status == Status.ARCHIVED
    survey = Survey.objects.get()
    assert (survey.rating, survey.comment, survey.via) == (4, "较快", "portal")
    assert fresh(ticket).events.filter(kind=TicketEvent.Kind.RATED).count() == 1


def test_feedback_without_a_rating_leaves_the_survey_for_later(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.feedback_give(actor=client_a_user, ticket_id=ticket.pk, opinion="满意。", signer_name="王丽")
    assert fresh(ticket).status == Status.ARCHIVED
    assert not Survey.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", 4.5])
def test_a_rating_outside_one_to_five_is_refused_and_nothing_is_written(staff, client_a, client_a_user, rating) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.feedback_give(
            actor=client_a_user, ticket_id=ticket.pk, opinion="满意", signer_name="王丽", rating=rating
        )
    assert "rating" in exc.value.message_dict
    assert fresh(ticket).status == Status.FEEDBACK
    assert not SignOff.objects.filter(form=SignOff.Form.FEEDBACK).exists()


def test_feedback_needs_an_opinion(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    with pytest.raises(ValidationError) as exc:
        procedure.feedback_give(actor=client_a_user, ticket_id=ticket.pk, opinion="", signer_name="")
    assert {"opinion", "signer_name"} <= exc.value.message_dict.keys()


def test_staff_archive_a_request_whose_client_gives_no_feedback(staff, client_a, client_a_user) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    with pytest.raises(TransitionRefusedError, match="vendor"):
        procedure.ticket_archive(actor=client_a_user, ticket_id=ticket.pk)
    archived = procedure.ticket_archive(actor=staff, ticket_id=ticket.pk, note="客户七日内未反馈。")
    assert archived.status == Status.ARCHIVED
    assert Ticket.objects.get(pk=ticket.pk).closed_at is not None


def test_archiving_waits_for_the_acceptance(staff, client_a) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    with pytest.raises(TransitionRefusedError):
        procedure.ticket_archive(actor=staff, ticket_id=ticket.pk)
