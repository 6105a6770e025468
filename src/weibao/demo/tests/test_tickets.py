"""The demo's service requests stand at different places in the procedure, each with its story."""

from __future__ import annotations

import pytest

from weibao.accounts.models import User
from weibao.demo.loader import DEFAULT_PASSWORD, demo_load
from weibao.tickets.models import Survey, Team, Ticket, TicketEvent
from weibao.tickets.selectors import TicketFilter, ticket_list

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_the_procedure_and_a_second_load_adds_none() -> None:
    demo_load(password=DEFAULT_PASSWORD)
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"registered", "leader_signoff", "in_progress", "acceptance", "archived", "pending_client"} <= statuses
    assert Team.objects.count() == 3
    assert Survey.objects.filter(rating=5).exists()
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE, internal=True).exists()
    count = Ticket.objects.count()
    again = demo_load(password=DEFAULT_PASSWORD)
    assert Ticket.objects.count() == count
    assert again.created["tickets"] == 0


def test_the_demo_client_user_sees_only_their_own_requests() -> None:
    demo_load(password=DEFAULT_PASSWORD)
    user = User.objects.get(username="mrxc.staff")
    visible = ticket_list(actor=user, filters=TicketFilter(queue="all"))
    assert visible.count() == 4
    assert {t.client.code for t in visible} == {"mrxc"}
