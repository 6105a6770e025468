"""The satisfaction survey by link: the token is the credential; one rating per request."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.tickets.models import Survey, Ticket
from weibao.tickets.services import procedure
from weibao.tickets.services.quality import survey_token_issue
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import fresh, ticket_awaiting_feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(client_a_user: User, staff: User, client_a: Client) -> Ticket:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a)
    procedure.ticket_archive(actor=staff, ticket_id=ticket.pk, note="归档")
    ticket = fresh(ticket)
    survey_token_issue(ticket=ticket)
    return ticket


def _url(ticket: Ticket) -> str:
    assert ticket.survey_token
    return reverse("portal:survey", kwargs={"token": ticket.survey_token})


def test_the_survey_link_works_without_signing_in(archived: Ticket) -> None:
    anonymous = HttpClient(enforce_csrf_checks=True)
    page = anonymous.get(_url(archived))
    assert page.status_code == 200
    text = page.content.decode()
    assert archived.number in text
    assert archived.title in text
    # Nothing else of the client is shown to whoever holds the link.
    assert archived.client.name not in text
    token = page.cookies["csrftoken"].value
    response = anonymous.post(_url(archived), {"rating": "4", "comment": "不错", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert response.context["done"]
    survey = Survey.objects.get(ticket=archived)
    assert (survey.rating, survey.comment, survey.via, survey.respondent) == (4, "不错", Survey.Via.LINK, None)


def test_a_wrong_token_is_404(archived: Ticket, client: HttpClient) -> None:
    assert client.get(reverse("portal:survey", kwargs={"token": "x" * 43})).status_code == 404
    assert client.post(reverse("portal:survey", kwargs={"token": "nope"}), {"rating": "5"}).status_code == 404
    assert not Survey.objects.exists()


def test_a_second_rating_is_refused_with_a_message(archived: Ticket, client: HttpClient) -> None:
    client.post(_url(archived), {"rating": "5"})
    page = client.get(_url(archived))
    assert page.context["refusal"]
    assert "<form" not in page.content.decode().split('id="main"')[1]
    again = client.post(_url(archived), {"rating": "1", "comment": "改主意了"})
    assert again.status_code == 400
    assert again.context["refusal"]
    assert Survey.objects.get(ticket=archived).rating == 5


def test_a_rating_must_be_one_to_five(archived: Ticket, client: HttpClient) -> None:
    response = client.post(_url(archived), {"rating": "6"})
    assert response.status_code == 400
    assert response.context["form"].errors["rating"]
    assert not Survey.objects.exists()


def test_a_request_not_yet_archived_cannot_be_rated_by_link(
    client_a_user: User, staff: User, client_a: Client, client: HttpClient
) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    survey_token_issue(ticket=ticket)
    page = client.get(_url(ticket))
    assert page.status_code == 200
    assert page.context["refusal"]
    client.post(_url(ticket), {"rating": "5"})
    assert not Survey.objects.exists()


def test_a_signed_in_client_user_rating_by_link_is_recorded_as_the_respondent(
    archived: Ticket, as_client_a: HttpClient, client_a_user: User
) -> None:
    as_client_a.post(_url(archived), {"rating": "3"})
    assert Survey.objects.get(ticket=archived).respondent == client_a_user
