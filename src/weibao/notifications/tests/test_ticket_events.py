"""The service desk's steps notify the right people (tickets.notify, wired into its services)."""

from __future__ import annotations

import pytest
from conftest import make_user

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.notifications import events
from weibao.notifications.models import Delivery, Notification
from weibao.tickets.services import procedure
from weibao.tickets.services.assignment import ticket_assign
from weibao.tickets.services.tickets import ticket_reply
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import leader_of, ticket_awaiting_acceptance, ticket_awaiting_feedback

pytestmark = pytest.mark.django_db


def _people(event: str) -> set[str]:
    return set(
        Delivery.objects.filter(notification__event=event, channel="inapp").values_list("user__username", flat=True)
    )


def test_a_new_request_reaches_the_service_desk_with_a_link_to_it(staff: User, client_a: Client) -> None:
    make_user("manager", Role.SERVICE_MANAGER)
    ticket = make_ticket(actor=staff, client=client_a)
    assert _people(events.REQUEST_CREATED) == {"staff", "manager"}
    notification = Notification.objects.get(event=events.REQUEST_CREATED)
    assert notification.link == f"/tickets/{ticket.pk}/"
    assert notification.client_id == client_a.pk
    assert notification.context["number"] == ticket.number


def test_a_request_registered_for_a_client_user_tells_them_with_a_portal_link(
    staff: User, client_a: Client, client_a_user: User
) -> None:
    make_ticket(actor=staff, client=client_a, requester=client_a_user)
    client_note = Notification.objects.get(event=events.REQUEST_CREATED, deliveries__user=client_a_user)
    assert client_note.link.startswith("/portal/")


def test_assignment_tells_the_new_assignee(staff: User, client_a: Client) -> None:
    engineer = make_user("engineer", Role.FIELD_ENGINEER)
    ticket = make_ticket(actor=staff, client=client_a)
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=engineer)
    assert _people(events.REQUEST_ASSIGNED) == {"engineer"}


def test_a_staff_reply_reaches_the_requester_but_an_internal_note_never_does(
    staff: User, client_a: Client, client_a_user: User
) -> None:
    ticket = make_ticket(actor=staff, client=client_a, requester=client_a_user)
    ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>internal canary</p>", internal=True)
    assert client_a_user.username not in _people(events.REQUEST_REPLIED)
    ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>Please restart the service.</p>")
    assert client_a_user.username in _people(events.REQUEST_REPLIED)
    for notification in Notification.objects.filter(deliveries__user=client_a_user):
        assert "canary" not in str(notification.context)


def test_a_client_reply_reaches_the_assignee(staff: User, client_a: Client, client_a_user: User) -> None:
    engineer = make_user("engineer", Role.FIELD_ENGINEER)
    ticket = make_ticket(actor=staff, client=client_a, requester=client_a_user)
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=engineer)
    ticket_reply(actor=client_a_user, ticket_id=ticket.pk, body="Still broken.")
    assert "engineer" in _people(events.REQUEST_REPLIED)
    assert client_a_user.username not in _people(events.REQUEST_REPLIED)


def test_resolving_asks_the_requester_and_the_client_leaders_for_acceptance(
    staff: User, client_a: Client, client_a_user: User
) -> None:
    leader_of(client_a)
    ticket_awaiting_acceptance(staff=staff, client=client_a, requester=client_a_user)
    assert _people(events.ACCEPTANCE_PENDING) == {client_a_user.username, "leader"}


def test_a_complaint_reaches_quality_staff(staff: User, client_a: Client) -> None:
    make_user("qa", Role.QUALITY)
    make_ticket(actor=staff, client=client_a, kind="complaint")
    assert _people(events.COMPLAINT_CREATED) == {"qa"}


def test_archiving_sends_the_requester_the_survey_link(staff: User, client_a: Client, client_a_user: User) -> None:
    ticket = ticket_awaiting_feedback(staff=staff, client_user=client_a_user, client=client_a, requester=client_a_user)
    procedure.feedback_give(actor=client_a_user, ticket_id=ticket.pk, opinion="好", signer_name="王丽")
    notification = Notification.objects.get(event=events.SURVEY_REQUESTED)
    ticket.refresh_from_db()
    assert notification.link == f"/portal/survey/{ticket.survey_token}/"
    assert _people(events.SURVEY_REQUESTED) == {client_a_user.username}
