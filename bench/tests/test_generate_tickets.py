"""The bulk loader writes requests that Weibao itself would have written (database tests)."""

from __future__ import annotations

import importlib.util

import generate_tickets
import pytest

from weibao.tickets.models import Ticket, TicketEvent, TicketSequence

pytestmark = pytest.mark.django_db

SKIP = {"updated_at", "version"}


def _columns(ticket: Ticket) -> dict[str, object]:
    return {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields if f.attname not in SKIP}


@pytest.mark.parametrize("method", ["orm", "raw"])
def test_saving_a_loaded_request_again_changes_no_column(method: str) -> None:
    generate_tickets.insert(source="domain", count=300, seed=5, batch=120, replace=False, api_user="b", method=method)
    for ticket in Ticket.objects.order_by("id")[:300]:
        before = _columns(ticket)
        ticket.save()
        ticket.refresh_from_db()
        assert _columns(ticket) == before, ticket.number


@pytest.mark.parametrize("method", ["orm", "raw"])
def test_every_request_gets_its_timeline_and_a_unique_number(method: str) -> None:
    info = generate_tickets.insert(
        source="domain", count=250, seed=6, batch=100, replace=False, api_user="b", method=method
    )
    assert info["tickets"] == Ticket.objects.count() == 250
    assert TicketEvent.objects.filter(kind="created").count() == 250
    closed = Ticket.objects.filter(closed_at__isnull=False).count()
    assert TicketEvent.objects.filter(kind="status").count() == closed
    assert Ticket.objects.values("number").distinct().count() == 250


def test_a_second_load_continues_each_days_numbers() -> None:
    for _ in range(2):
        generate_tickets.insert(
            source="domain", count=200, seed=7, batch=200, replace=False, api_user="b", method="raw"
        )
    assert Ticket.objects.values("number").distinct().count() == 400
    last = dict(TicketSequence.objects.values_list("day", "last"))
    for number in Ticket.objects.values_list("number", flat=True):
        day_text, seq = number.rsplit("-", 2)[1:]
        assert int(seq) <= last[next(d for d in last if d.strftime("%Y%m%d") == day_text)]


def test_replace_leaves_only_the_new_requests() -> None:
    generate_tickets.insert(source="domain", count=100, seed=8, batch=100, replace=False, api_user="b")
    info = generate_tickets.insert(source="domain", count=60, seed=9, batch=100, replace=True, api_user="b")
    assert info["deleted_before"] == 100
    assert Ticket.objects.count() == 60


@pytest.mark.skipif(importlib.util.find_spec("benchlib") is None, reason="the shared harness is not on PYTHONPATH")
def test_the_peer_workload_loads_with_its_statuses_and_queues() -> None:
    from benchlib import workload

    info = generate_tickets.insert(source="workload", count=500, seed=42, batch=200, replace=True, api_user="bench")
    assert info["tickets"] == 500
    wanted = workload.expected_counts(500, 42)["list"]
    assert Ticket.objects.filter(status="registered").count() == wanted["status=open"]
    assert Ticket.objects.filter(client__code="bench-queue-network").count() == wanted["queue=network"]
