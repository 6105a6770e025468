"""Request pages show the clocks with live countdowns; staff re-apply and waive; the breaching-soon page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from weibao.accounts.models import AuditEvent, User
from weibao.contracts.models import DepositEntry
from weibao.customers.models import Client
from weibao.tickets.models import SlaBreach, SlaClock, Ticket
from weibao.tickets.services.clock_tick import clocks_tick
from weibao.tickets.tests.clock_fixtures import HOUR, MONDAY_9, always_calendar, policy_with
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.views.clocks import PenaltyWaiveForm

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


@pytest.fixture
def penalised(staff: User, client_a: Client, archive_a: object) -> SlaBreach:
    """A request under a contract whose response was missed: the breach posted a deposit penalty."""
    policy = policy_with("Penalised", always_calendar(), {"response": HOUR})
    contract = archive_a.contract  # type: ignore[attr-defined]
    contract.post_warranty_policy = policy
    contract.save()
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(actor=staff, client=client_a, deployment=archive_a.deployment)  # type: ignore[attr-defined]
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=61), tick=False):
        clocks_tick()
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.penalty_entry_id is not None
    return breach


def test_staff_waive_a_posted_penalty_from_the_clock_panel_with_reason_and_approver(
    penalised: SlaBreach, as_staff: HttpClient
) -> None:
    detail = reverse("tickets:detail", kwargs={"pk": penalised.ticket_id})
    url = reverse("tickets:sla_penalty_waive", kwargs={"pk": penalised.ticket_id})
    panel = as_staff.get(detail).content.decode()
    assert url in panel
    assert "500.00" in panel
    assert "-500.00" not in panel  # the penalty reads as an amount, not as the ledger's negative entry
    as_staff.post(url, {"breach": penalised.pk, "reason": "机房停电，双方确认", "approved_by": "王主任"})
    waiver = DepositEntry.objects.get(waived_entry_id=penalised.penalty_entry_id)
    assert waiver.amount == Decimal("500")
    assert waiver.approved_by == "王主任"
    assert AuditEvent.objects.filter(action="deposit.waive_penalty").count() == 1
    assert penalised.ticket.events.filter(data__penalty_waived=waiver.pk, internal=True).count() == 1
    page = as_staff.get(detail).content.decode()
    assert url not in page  # waived once: the form is gone


def test_a_penalty_waiver_without_a_reason_names_the_field_in_chinese_and_writes_nothing(
    penalised: SlaBreach, staff: User
) -> None:
    http = HttpClient()
    http.force_login(staff)
    url = reverse("tickets:sla_penalty_waive", kwargs={"pk": penalised.ticket_id})
    response = http.post(url, {"breach": penalised.pk, "reason": "  ", "approved_by": "王主任"}, follow=True)
    page = response.content.decode()
    with translation.override("zh-hans"):
        label = str(PenaltyWaiveForm().fields["reason"].label)
    assert f"{label}：这个字段是必填项。" in page  # the field is named, in Chinese
    assert not DepositEntry.objects.filter(waived_entry_id=penalised.penalty_entry_id).exists()
    missing = http.post(url, {"breach": penalised.pk, "reason": "停电", "approved_by": ""}, follow=True)
    assert "批准人：这个字段是必填项。" in missing.content.decode()
    assert not DepositEntry.objects.filter(waived_entry_id=penalised.penalty_entry_id).exists()


def test_only_contract_writers_waive_a_penalty_and_a_client_user_never_can(
    penalised: SlaBreach, as_auditor: HttpClient, as_client_a: HttpClient, as_staff: HttpClient
) -> None:
    url = reverse("tickets:sla_penalty_waive", kwargs={"pk": penalised.ticket_id})
    data = {"breach": penalised.pk, "reason": "停电", "approved_by": "王主任"}
    assert as_auditor.post(url, data).status_code == 403
    assert as_client_a.post(url, data).status_code in {302, 403, 404}
    assert url not in as_auditor.get(reverse("tickets:detail", kwargs={"pk": penalised.ticket_id})).content.decode()
    assert not DepositEntry.objects.filter(waived_entry_id=penalised.penalty_entry_id).exists()
    # A breach of another request cannot be waived through this one.
    other = make_ticket(
        actor=penalised.ticket.created_by or User.objects.get(username="staff"), client=penalised.ticket.client
    )
    wrong = reverse("tickets:sla_penalty_waive", kwargs={"pk": other.pk})
    assert as_staff.post(wrong, data).status_code == 404
    assert not DepositEntry.objects.filter(waived_entry_id=penalised.penalty_entry_id).exists()


def test_the_compliance_page_counts_met_and_missed_targets_per_client_and_period(
    penalised: SlaBreach, as_staff: HttpClient, client_a: Client, django_assert_max_num_queries: Any
) -> None:
    url = reverse("tickets:sla_compliance")
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        with django_assert_max_num_queries(10):
            page = as_staff.get(url, {"client": str(client_a.pk), "start": "2026-03-01", "end": "2026-03-02"})
        assert page.status_code == 200
        html = page.content.decode()
        assert "sla-compliance" in html
        assert "<td>1</td>" in html  # the missed response
        elsewhere = as_staff.get(url, {"start": "2026-01-01", "end": "2026-01-31"}).content.decode()
        assert "sla-compliance" not in elsewhere  # nothing started in January
        default = as_staff.get(url)  # no filter: the last 30 days
        assert "sla-compliance" in default.content.decode()


def test_a_compliance_period_that_ends_before_it_starts_names_the_end_field(as_staff: HttpClient) -> None:
    page = as_staff.get(
        reverse("tickets:sla_compliance"),
        {"start": "2026-03-10", "end": "2026-03-01"},
        headers={"accept-language": "zh-hans"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="alert"' in html
    assert "截止日期：结束时间必须晚于开始时间。" in html


def test_a_client_user_cannot_reach_the_compliance_page(as_client_a: HttpClient, client_a: Client) -> None:
    response = as_client_a.get(reverse("tickets:sla_compliance"), {"client": str(client_a.pk)})
    assert response.status_code in {302, 403}
    assert b"sla-compliance" not in response.content
