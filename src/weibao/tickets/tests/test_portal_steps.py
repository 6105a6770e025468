"""The client's procedure steps in the portal: sign-off, plan, remote access, acceptance, feedback, rating."""

from __future__ import annotations

import pytest
from conftest import make_user
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import RemoteConsent, SignOff, Survey, Ticket
from weibao.tickets.services import procedure
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import (
    PLAN,
    fresh,
    png_data_url,
    ticket_awaiting_acceptance,
    ticket_awaiting_feedback,
    ticket_in_progress,
)
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client_a: Client) -> User:
    return make_user("leader", Role.CLIENT_LEADER, client=client_a)


@pytest.fixture
def as_leader(leader: User) -> HttpClient:
    http = HttpClient()
    http.force_login(leader)
    return http


def _url(name: str, ticket: Ticket) -> str:
    return reverse(f"portal:{name}", kwargs={"pk": ticket.pk})


# Leader sign-off (R1.5, R1.6) ------------------------------------------------------------


@pytest.fixture
def data_request(client_a_user: User, client_a: Client) -> Ticket:
    return make_ticket(actor=client_a_user, client=client_a, channel="portal", kind="data", title="更正历史数据")


def test_only_the_leader_may_sign_off(as_client_a: HttpClient, data_request: Ticket) -> None:
    shown = as_client_a.get(_url("signoff", data_request))
    assert shown.status_code == 403
    assert shown.context["refusal"]
    posted = as_client_a.post(_url("signoff", data_request), {"approve": "yes", "signer_name": "王丽"})
    assert posted.status_code == 403
    assert fresh(data_request).status == Status.LEADER_SIGNOFF
    assert not SignOff.objects.exists()


def test_the_leader_signs_off_with_a_drawn_signature(as_leader: HttpClient, data_request: Ticket) -> None:
    page = as_leader.get(_url("signoff", data_request))
    assert page.status_code == 200
    assert "data-signature-pad" in page.content.decode()
    response = as_leader.post(
        _url("signoff", data_request),
        {"approve": "yes", "opinion": "同意", "signer_name": "张主任", "signature": png_data_url()},
    )
    assert response.status_code == 302
    signoff = SignOff.objects.get(ticket=data_request)
    assert (signoff.form, signoff.approved, signoff.signer_name) == (SignOff.Form.LEADER, True, "张主任")
    assert signoff.signature.startswith("data:image/png;base64,")
    assert fresh(data_request).status == Status.REGISTERED


def test_declining_without_an_opinion_names_the_opinion_field(as_leader: HttpClient, data_request: Ticket) -> None:
    response = as_leader.post(_url("signoff", data_request), {"approve": "no", "opinion": "", "signer_name": "张主任"})
    assert response.status_code == 400
    assert response.context["form"].errors["opinion"]
    assert fresh(data_request).status == Status.LEADER_SIGNOFF


def test_the_leader_declines_with_a_reason(as_leader: HttpClient, data_request: Ticket) -> None:
    response = as_leader.post(
        _url("signoff", data_request), {"approve": "no", "opinion": "数据暂不处理", "signer_name": "张主任"}
    )
    assert response.status_code == 302
    assert fresh(data_request).status == Status.REJECTED


def test_the_request_page_offers_the_leader_the_sign_off(
    as_leader: HttpClient, as_client_a: HttpClient, data_request: Ticket
) -> None:
    assert _url("signoff", data_request) in as_leader.get(_url("detail", data_request)).content.decode()
    assert _url("signoff", data_request) not in as_client_a.get(_url("detail", data_request)).content.decode()


# The maintenance plan --------------------------------------------------------------------


@pytest.fixture
def planned(staff: User, client_a: Client, client_a_user: User) -> Ticket:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal")
    plan = {**PLAN, "charging": "free"}
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="plan", opinion="需要远程处理。", plan=plan)
    return fresh(ticket)


def test_the_plan_page_shows_the_plan_and_confirming_starts_the_work(as_client_a: HttpClient, planned: Ticket) -> None:
    page = as_client_a.get(_url("plan", planned))
    assert str(PLAN["details"]) in page.content.decode()
    form = page.context["form"]
    response = as_client_a.post(
        _url("plan", planned), {"confirm": "yes", "signer_name": "王丽", "version": form.initial["version"]}
    )
    assert response.status_code == 302
    assert fresh(planned).status == Status.IN_PROGRESS
    assert planned.plans.get().confirmed_at is not None


def test_declining_the_plan_needs_a_reason(as_client_a: HttpClient, planned: Ticket) -> None:
    response = as_client_a.post(_url("plan", planned), {"confirm": "no", "reason": "", "signer_name": "王丽"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    done = as_client_a.post(_url("plan", planned), {"confirm": "no", "reason": "时间不合适", "signer_name": "王丽"})
    assert done.status_code == 302
    assert fresh(planned).status == Status.REGISTERED


def test_a_plan_changed_since_the_page_was_shown_is_not_confirmed(
    as_client_a: HttpClient, planned: Ticket, staff: User
) -> None:
    shown_version = as_client_a.get(_url("plan", planned)).context["form"].initial["version"]
    from weibao.tickets.services.tickets import ticket_reply

    ticket_reply(actor=staff, ticket_id=planned.pk, body="方案有调整，请查看。")
    response = as_client_a.post(
        _url("plan", planned), {"confirm": "yes", "signer_name": "王丽", "version": shown_version}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert fresh(planned).status == Status.PLAN_PENDING


# Remote access (R1.9) ---------------------------------------------------------------------


def test_the_client_grants_remote_access_with_scope_and_minutes(
    as_client_a: HttpClient, client_a_user: User, staff: User, client_a: Client
) -> None:
    ticket = ticket_in_progress(staff=staff, client=client_a)
    response = as_client_a.post(
        _url("remote_consent", ticket), {"scope": "生产环境应用服务器", "minutes_allowed": "90"}
    )
    assert response.status_code == 302
    consent = RemoteConsent.objects.get(ticket=ticket)
    assert (consent.granted_by, consent.scope, consent.minutes_allowed) == (client_a_user, "生产环境应用服务器", 90)
    assert "生产环境应用服务器" in as_client_a.get(_url("detail", ticket)).content.decode()


def test_remote_access_minutes_out_of_range_are_named(as_client_a: HttpClient, staff: User, client_a: Client) -> None:
    ticket = ticket_in_progress(staff=staff, client=client_a)
    response = as_client_a.post(_url("remote_consent", ticket), {"scope": "服务器", "minutes_allowed": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors["minutes_allowed"]
    empty = as_client_a.post(_url("remote_consent", ticket), {"scope": "", "minutes_allowed": "30"})
    assert empty.context["form"].errors["scope"]
    assert not RemoteConsent.objects.exists()


# Acceptance ----------------------------------------------------------------------------------


def test_the_client_accepts_the_work_with_a_drawn_signature(
    as_client_a: HttpClient, staff: User, client_a: Client
) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    page = as_client_a.get(_url("acceptance", ticket)).content.decode()
    assert "data-signature-pad" in page
    assert "<canvas" in page
    assert "data-signature-clear" in page
    assert "tickets/portal/portal.js" in page
    assert "已清理过期会话" in page  # the resolution to check
    signature = png_data_url(width=120, height=40)
    response = as_client_a.post(
        _url("acceptance", ticket),
        {"accept": "yes", "opinion": "验证通过", "signer_name": "王丽", "signature": signature},
    )
    assert response.status_code == 302
    signoff = SignOff.objects.get(ticket=ticket, form=SignOff.Form.ACCEPTANCE)
    assert signoff.approved
    assert signoff.signature == signature
    assert signoff.signer_name == "王丽"
    assert fresh(ticket).status == Status.FEEDBACK


def test_rejecting_the_fix_needs_an_opinion_and_reopens_the_work(
    as_client_a: HttpClient, staff: User, client_a: Client
) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    refused = as_client_a.post(_url("acceptance", ticket), {"accept": "no", "signer_name": "王丽"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["opinion"]
    done = as_client_a.post(_url("acceptance", ticket), {"accept": "no", "opinion": "仍然白屏", "signer_name": "王丽"})
    assert done.status_code == 302
    ticket = fresh(ticket)
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.reopen_count == 1


@pytest.mark.parametrize(
    "signature",
    ["data:image/jpeg;base64,/9j/4AAQ", "data:image/png;base64,bm90IGEgcG5n", "javascript:alert(1)"],
)
def test_a_signature_that_is_not_a_png_is_named_at_the_signature_field(
    as_client_a: HttpClient, staff: User, client_a: Client, signature: str
) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    response = as_client_a.post(
        _url("acceptance", ticket), {"accept": "yes", "signer_name": "王丽", "signature": signature}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["signature"]
    assert fresh(ticket).status == Status.ACCEPTANCE


def test_signing_needs_a_name(as_client_a: HttpClient, staff: User, client_a: Client) -> None:
    ticket = ticket_awaiting_acceptance(staff=staff, client=client_a)
    response = as_client_a.post(_url("acceptance", ticket), {"accept": "yes", "signer_name": ""})
    assert response.context["form"].errors["signer_name"]


def test_a_step_that_is_not_due_explains_itself_and_changes_nothing(
    as_client_a: HttpClient, client_a_user: User, client_a: Client
) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal")
    page = as_client_a.get(_url("acceptance", ticket))
    assert page.status_code == 200
    assert page.context["refusal"]
    response = as_client_a.post(_url("acceptance", ticket), {"accept": "yes", "signer_name": "王丽"})
    assert response.status_code == 200
    assert fresh(ticket).status == Status.REGISTERED


# Feedback and rating ----------------------------------------------------------------------


def test_feedback_with_opinion_and_rating_closes_the_request(
    as_client_a: HttpClient, client_a_user: User, staff: User, client_a: Client
) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    response = as_client_a.post(
        _url("feedback", ticket),
        {"opinion": "响应及时", "rating": "4", "comment": "工程师很耐心", "signer_name": "王丽"},
    )
    assert response.status_code == 302
    assert fresh(ticket).status == Status.ARCHIVED
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.rating, survey.comment, survey.via) == (4, "工程师很耐心", Survey.Via.PORTAL)
    page = as_client_a.get(_url("detail", ticket))
    assert page.context["survey"] == survey
    assert _url("rate", ticket) not in page.content.decode()


def test_feedback_without_a_rating_names_the_rating_field(
    as_client_a: HttpClient, client_a_user: User, staff: User, client_a: Client
) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    response = as_client_a.post(_url("feedback", ticket), {"opinion": "好", "rating": "9", "signer_name": "王丽"})
    assert response.status_code == 400
    assert response.context["form"].errors["rating"]


def test_an_archived_request_is_rated_once_in_the_portal(
    as_client_a: HttpClient, client_a_user: User, staff: User, client_a: Client
) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.ticket_archive(actor=staff, ticket_id=ticket.pk, note="客户未反馈")
    assert _url("rate", ticket) in as_client_a.get(_url("detail", ticket)).content.decode()
    response = as_client_a.post(_url("rate", ticket), {"rating": "5", "comment": "很好"})
    assert response.status_code == 302
    assert Survey.objects.get(ticket=ticket).rating == 5
    again = as_client_a.get(_url("rate", ticket))
    assert again.context["refusal"]
    as_client_a.post(_url("rate", ticket), {"rating": "1"})
    assert Survey.objects.get(ticket=ticket).rating == 5
