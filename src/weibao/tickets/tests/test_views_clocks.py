"""Request pages show the clocks with live countdowns; staff re-apply and waive; the breaching-soon page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.tickets.models import SlaClock, Ticket
from weibao.tickets.services.clock_tick import clocks_tick
from weibao.tickets.tests.clock_fixtures import HOUR, MONDAY_9, always_calendar, policy_with
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(staff: User, client_a: Client, client_a_user: User) -> Ticket:
    policy_with("Pages", always_calendar(), {"response": HOUR, "resolve": 8 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        return make_ticket(actor=staff, client=client_a, requester=client_a_user)


def test_the_staff_page_shows_countdowns_history_and_the_actions(ticket: Ticket, as_staff: HttpClient) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=50), tick=False):
        clocks_tick()
        page = as_staff.get(reverse("tickets:detail", kwargs={"pk": ticket.pk})).content.decode()
    assert 'data-sla-due="2026-03-02T02:00:00+00:00"' in page or "data-sla-due=" in page
    assert "sla-countdown.js" in page
    assert 'class="sla-history"' in page
    assert "Warning" in page or "预警" in page
    assert reverse("tickets:sla_reapply", kwargs={"pk": ticket.pk}) in page
    assert reverse("tickets:sla_waive", kwargs={"pk": ticket.pk}) in page


def test_the_portal_page_shows_the_client_safe_part(ticket: Ticket, as_client_a: HttpClient) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=50), tick=False):
        clocks_tick()
        page = as_client_a.get(reverse("portal:detail", kwargs={"pk": ticket.pk})).content.decode()
    assert "data-sla-due=" in page
    assert "Warning" not in page
    assert "预警" not in page
    assert "sla/reapply" not in page
    assert "sla/waive" not in page
    assert "Pages" not in page  # the policy's name is the vendor's


def test_staff_waive_a_target_from_the_page(ticket: Ticket, as_admin: HttpClient) -> None:
    clock = SlaClock.objects.get(ticket=ticket, metric="resolve")
    url = reverse("tickets:sla_waive", kwargs={"pk": ticket.pk})
    refused = as_admin.post(url, {"clock": clock.pk, "reason": "", "agreed_by": ""})
    assert refused.status_code == 302
    clock.refresh_from_db()
    assert clock.state == "running"
    as_admin.post(url, {"clock": clock.pk, "reason": "双方同意", "agreed_by": "王主任"})
    clock.refresh_from_db()
    assert clock.state == "waived"


def test_a_clock_of_another_request_cannot_be_waived_through_this_one(
    ticket: Ticket, staff: User, client_a: Client, as_admin: HttpClient
) -> None:
    other = make_ticket(actor=staff, client=client_a)
    clock = SlaClock.objects.get(ticket=other, metric="resolve")
    url = reverse("tickets:sla_waive", kwargs={"pk": ticket.pk})
    as_admin.post(url, {"clock": clock.pk, "reason": "x", "agreed_by": "y"})
    clock.refresh_from_db()
    assert clock.state == "running"


def test_staff_reapply_the_policy_from_the_page(ticket: Ticket, as_staff: HttpClient) -> None:
    url = reverse("tickets:sla_reapply", kwargs={"pk": ticket.pk})
    as_staff.post(url, {"version": ticket.version})
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1
    as_staff.post(url, {"version": ticket.version})  # stale: refused, nothing written
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


def test_the_breaching_soon_page_lists_for_staff_and_refuses_clients(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    url = reverse("tickets:sla_breaching")
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=30), tick=False):
        page = as_staff.get(url, {"hours": 1}).content.decode()
        assert ticket.number in page
        assert as_staff.get(url, {"hours": "x"}).status_code == 200
        assert as_client_a.get(url).status_code in {302, 403}


def test_the_clock_panel_reads_in_chinese(ticket: Ticket, staff: User) -> None:
    http = HttpClient()
    http.force_login(staff)
    with translation.override("zh-hans"):
        page = http.get(
            reverse("tickets:detail", kwargs={"pk": ticket.pk}), headers={"accept-language": "zh-hans"}
        ).content.decode()
    assert "服务级别" in page
