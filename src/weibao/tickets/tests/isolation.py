"""Client-isolation coverage of the service-desk pages and API (see tests/test_client_isolation.py).

Each group of pages keeps its own dict; ``ROUTES`` and ``API`` merge them. The
archive has no request, so ``archive_ticket`` makes one for the archive's client
(once per archive) through the real service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weibao.accounts.models import Role, User
from weibao.tickets.models import Ticket

Params = Callable[[Any], dict[str, int]]


def archive_ticket(archive: Any) -> Ticket:
    """The archive's client's request, made on first use."""
    cached: Ticket | None = getattr(archive, "_ticket", None)
    if cached is not None:
        return cached
    from weibao.tickets.services.tickets import ticket_create

    agent, _created = User.objects.get_or_create(username="isolation-agent", defaults={"role": Role.AGENT})
    ticket = ticket_create(
        actor=agent,
        client=archive.client,
        title="隔离检查用工单",
        kind="fault",
        channel="hotline",
        deployment=archive.deployment,
        contact=archive.contact,
    )
    archive._ticket = ticket
    return ticket


def ticket_pk(archive: Any) -> dict[str, int]:
    return {"pk": archive_ticket(archive).pk}


def ticket_id(archive: Any) -> dict[str, int]:
    return {"ticket_id": archive_ticket(archive).pk}


# Staff pages (tickets/urls.py).
AGENT_ROUTES: dict[str, Params] = {}
# Client portal pages (tickets/portal_urls.py).
PORTAL_ROUTES: dict[str, Params] = {}
# Printable forms (PDF).
DOCUMENT_ROUTES: dict[str, Params] = {}
# Quality pages (surveys, callbacks, complaints).
QUALITY_ROUTES: dict[str, Params] = {}

TICKET_API: dict[str, Params] = {}
PROCEDURE_API: dict[str, Params] = {}
QUALITY_API: dict[str, Params] = {}

ROUTES: dict[str, Params] = {**AGENT_ROUTES, **PORTAL_ROUTES, **DOCUMENT_ROUTES, **QUALITY_ROUTES}
API: dict[str, Params] = {**TICKET_API, **PROCEDURE_API, **QUALITY_API}
