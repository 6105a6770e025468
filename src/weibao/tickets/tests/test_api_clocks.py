"""The service-level clocks through the API: read, re-apply, waive, breaching soon, compliance; bad input; isolation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import translation

from weibao.accounts.models import User
from weibao.customers.models import Client
from weibao.tickets.models import SlaClock, Ticket
from weibao.tickets.services.clock_tick import clocks_tick
from weibao.tickets.tests.clock_fixtures import HOUR, MONDAY_9, always_calendar, policy_with
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def ticket(staff: User, client_a: Client, client_a_user: User) -> Ticket:
    policy_with("API", always_calendar(), {"response": HOUR, "resolve": 8 * HOUR}, default=True)
    with time_machine.travel(MONDAY_9, tick=False):
        return make_ticket(actor=staff, client=client_a, requester=client_a_user)


def test_staff_read_the_clocks_with_their_warnings_and_history(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.get(f"/api/v1/tickets/{ticket.pk}/clocks")
    assert response.status_code == 200
    body = response.json()
    assert [c["metric"] for c in body["clocks"]] == ["response", "resolve"]
    response_clock = body["clocks"][0]
    assert response_clock["state"] == "running"
    assert response_clock["warn_at"] is not None
    assert dt.datetime.fromisoformat(response_clock["due_at"]) == MONDAY_9 + dt.timedelta(hours=1)
    assert dt.datetime.fromisoformat(body["next_deadline"]) == MONDAY_9 + dt.timedelta(hours=1)
    assert [e["kind"] for e in body["history"]] == ["started", "started"]


def test_a_client_user_reads_the_client_safe_part_only(ticket: Ticket, as_client_a: HttpClient) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=50), tick=False):
        clocks_tick()
    body = as_client_a.get(f"/api/v1/tickets/{ticket.pk}/clocks").json()
    assert all(c["warn_at"] is None and c["escalations_done"] is None for c in body["clocks"])
    assert "warned" not in [e["kind"] for e in body["history"]]


def test_another_clients_request_or_clock_answers_404(ticket: Ticket, as_client_b: HttpClient) -> None:
    clock = SlaClock.objects.filter(ticket=ticket).first()
    assert clock is not None
    assert as_client_b.get(f"/api/v1/tickets/{ticket.pk}/clocks").status_code == 404
    waive = as_client_b.post(
        f"/api/v1/sla-clocks/{clock.pk}/waive", {"reason": "x", "agreed_by": "y"}, content_type=JSON
    )
    assert waive.status_code == 404
    assert as_client_b.post(f"/api/v1/tickets/{ticket.pk}/clocks/reapply", {}, content_type=JSON).status_code == 404


def test_a_waiver_without_reason_or_consenting_person_is_refused_by_field(ticket: Ticket, as_admin: HttpClient) -> None:
    clock = SlaClock.objects.get(ticket=ticket, metric="resolve")
    response = as_admin.post(f"/api/v1/sla-clocks/{clock.pk}/waive", {"reason": ""}, content_type=JSON)
    assert response.status_code in {400, 422}
    assert {"reason", "agreed_by"} <= set(response.json()["errors"])
    clock.refresh_from_db()
    assert clock.state == "running"
    ok = as_admin.post(
        f"/api/v1/sla-clocks/{clock.pk}/waive", {"reason": "双方同意", "agreed_by": "王主任"}, content_type=JSON
    )
    assert ok.status_code == 200
    assert ok.json()["state"] == "waived"
    assert ok.json()["waiver_agreed_by"] == "王主任"


def test_a_client_user_cannot_waive_their_own_clock(ticket: Ticket, as_client_a: HttpClient) -> None:
    clock = SlaClock.objects.get(ticket=ticket, metric="resolve")
    response = as_client_a.post(
        f"/api/v1/sla-clocks/{clock.pk}/waive", {"reason": "r", "agreed_by": "a"}, content_type=JSON
    )
    assert response.status_code == 403


def test_reapply_answers_the_clocks_and_refuses_a_stale_version(ticket: Ticket, as_staff: HttpClient) -> None:
    response = as_staff.post(f"/api/v1/tickets/{ticket.pk}/clocks/reapply", {}, content_type=JSON)
    assert response.status_code == 200
    assert len(response.json()["clocks"]) == 2
    stale = as_staff.post(f"/api/v1/tickets/{ticket.pk}/clocks/reapply", {"version": 1}, content_type=JSON)
    assert stale.status_code == 409


def test_breaching_soon_is_for_staff(ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=30), tick=False):
        listed = as_staff.get("/api/v1/sla-clocks/breaching-soon?hours=1")
        assert listed.status_code == 200
        assert [(r["number"], r["metric"]) for r in listed.json()] == [(ticket.number, "response")]
        assert as_client_a.get("/api/v1/sla-clocks/breaching-soon").status_code == 403
        bad = as_staff.get("/api/v1/sla-clocks/breaching-soon?hours=-1")
        assert bad.status_code == 422


def test_compliance_for_a_period_keeps_clients_apart_and_checks_the_period(
    ticket: Ticket, as_staff: HttpClient, as_client_a: HttpClient, client_b: Client
) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        clocks_tick()
    period = "start=2026-03-01T00:00:00Z&end=2026-03-03T00:00:00Z"
    rows = as_staff.get(f"/api/v1/sla-compliance?{period}").json()
    assert {r["metric"]: (r["met"], r["breached"]) for r in rows} == {"response": (0, 1), "resolve": (0, 0)}
    assert as_client_a.get(f"/api/v1/sla-compliance?{period}").status_code == 200
    assert as_client_a.get(f"/api/v1/sla-compliance?{period}&client_id={client_b.pk}").status_code == 404
    backwards = as_staff.get("/api/v1/sla-compliance?start=2026-03-03T00:00:00Z&end=2026-03-01T00:00:00Z")
    assert backwards.status_code in {400, 422}
    assert "end" in backwards.json()["errors"]
    assert as_staff.get("/api/v1/sla-compliance?start=yesterday&end=2026-03-01T00:00:00Z").status_code == 422


def test_compliance_without_a_period_covers_the_last_30_days(ticket: Ticket, as_staff: HttpClient) -> None:
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=2), tick=False):
        clocks_tick()
    with time_machine.travel(MONDAY_9 + dt.timedelta(days=29), tick=False):
        rows = as_staff.get("/api/v1/sla-compliance").json()
        assert {r["metric"]: r["breached"] for r in rows}["response"] == 1
    with time_machine.travel(MONDAY_9 + dt.timedelta(days=31), tick=False):
        rows = as_staff.get("/api/v1/sla-compliance").json()
        assert {r["metric"]: r["breached"] for r in rows}.get("response", 0) == 0


def test_a_waiver_refusal_reads_in_chinese(ticket: Ticket, admin: User) -> None:
    clock = SlaClock.objects.get(ticket=ticket, metric="resolve")
    http = HttpClient()
    http.force_login(admin)
    with translation.override("zh-hans"):
        response = http.post(
            f"/api/v1/sla-clocks/{clock.pk}/waive", {}, content_type=JSON, headers={"accept-language": "zh-hans"}
        )
    assert response.status_code in {400, 422}
    assert "豁免" in str(response.json())
