"""Two agents editing one request at once lose no update (PostgreSQL, 20 threads).

Each thread reads the request's version and writes against it, all released at
once by a barrier. The row lock serialises the writes; the version check refuses
any write made against a copy that another write has since changed. So every
write is either applied (and on the timeline) or refused with the conflict
message, and nothing is lost silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from weibao.accounts.models import User
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.services._common import TicketConflictError
from weibao.tickets.services.tickets import ticket_reply, ticket_transition, ticket_update
from weibao.tickets.tests.factories import make_ticket

THREADS = 20


def in_parallel(work: Callable[[int], object], count: int) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[n] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and separate connections")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_agents_editing_one_request_lose_no_update(staff: User, client_a) -> None:
    needs_postgresql()
    ticket = make_ticket(actor=staff, client=client_a)
    start = ticket.version

    def edit(n: int) -> object:
        seen = Ticket.objects.get(pk=ticket.pk).version
        return ticket_update(
            actor=staff, ticket_id=ticket.pk, changes={"title": f"并发修改 {n}"}, expected_version=seen
        )

    results = in_parallel(edit, THREADS)
    applied = [r for r in results if isinstance(r, Ticket)]
    refused = [r for r in results if isinstance(r, TicketConflictError)]
    other = [r for r in results if not isinstance(r, Ticket | TicketConflictError)]
    assert other == []
    assert len(applied) + len(refused) == THREADS
    assert applied, "at least one write must go through"
    assert all("Reload" in str(r) or "重新" in str(r) for r in refused)
    final = Ticket.objects.get(pk=ticket.pk)
    # Every applied write bumped the version once and left its entry on the timeline.
    assert final.version == start + len(applied)
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.CHANGED).count() == len(applied)
    assert final.title in {r.title for r in applied}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_unversioned_writers_are_serialised_and_all_applied(staff: User, client_a) -> None:
    needs_postgresql()
    ticket = make_ticket(actor=staff, client=client_a)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_handle")
    before = Ticket.objects.get(pk=ticket.pk).version

    results = in_parallel(lambda n: ticket_reply(actor=staff, ticket_id=ticket.pk, body=f"进展 {n}"), THREADS)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Ticket.objects.get(pk=ticket.pk).version == before + THREADS
    bodies = set(TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY).values_list("body", flat=True))
    assert len(bodies) == THREADS
