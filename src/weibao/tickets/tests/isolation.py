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
AGENT_ROUTES: dict[str, Params] = {
    "tickets:detail": ticket_pk,
    "tickets:update": ticket_pk,
    "tickets:transition": ticket_pk,
    "tickets:reply": ticket_pk,
    "tickets:assign": ticket_pk,
    "tickets:claim": ticket_pk,
    "tickets:return": ticket_pk,
    "tickets:follow": ticket_pk,
    "tickets:supervise": ticket_pk,
    **{
        f"tickets:{name}": ticket_pk
        for name in (
            "review",
            "resolve",
            "test",
            "archive",
            "task_order",
            "task_order_complete",
            "consent",
            "consent_revoke",
            "work_log",
            "data_change",
            "milestone",
            "complaint",
            "corrective_action",
            "corrective_action_complete",
            "link",
            "parent",
            "merge",
        )
    },
    "tickets:attachment": lambda archive: {"pk": attachment_id(archive)["attachment_id"]},
}
# Client portal pages (tickets/portal_urls.py).
PORTAL_ROUTES: dict[str, Params] = {
    "portal:detail": ticket_pk,
    "portal:reply": ticket_pk,
    "portal:withdraw": ticket_pk,
    "portal:signoff": ticket_pk,
    "portal:plan": ticket_pk,
    "portal:remote_consent": ticket_pk,
    "portal:acceptance": ticket_pk,
    "portal:feedback": ticket_pk,
    "portal:rate": ticket_pk,
    "portal:attachment": lambda archive: {"pk": attachment_id(archive)["attachment_id"]},
}
# Printable forms (PDF).
DOCUMENT_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "ticket_documents:index": ticket_pk,
    # Every request has its registration form from the start.
    "ticket_documents:form": lambda archive: {**ticket_pk(archive), "form": "registration"},
}
# Quality pages (surveys, callbacks, complaints).
QUALITY_ROUTES: dict[str, Params] = {}


def attachment_id(archive: Any) -> dict[str, int]:
    """A file the archive's client may see, on its request (made on first use)."""
    cached: int | None = getattr(archive, "_attachment_id", None)
    if cached is None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from weibao.tickets.services.tickets import ticket_reply

        ticket = archive_ticket(archive)  # makes the agent too
        agent = User.objects.get(username="isolation-agent")
        upload = SimpleUploadedFile("截图.txt", "登录失败截图说明".encode(), content_type="text/plain")
        event = ticket_reply(actor=agent, ticket_id=ticket.pk, body="", files=[upload])
        cached = event.attachments.get().pk
        archive._attachment_id = cached
    return {"attachment_id": cached}


TICKET_API: dict[str, Params] = {
    "ticket_get": ticket_id,
    "ticket_update": ticket_id,
    "ticket_transition": ticket_id,
    "ticket_actions": ticket_id,
    "ticket_timeline": ticket_id,
    "ticket_reply": ticket_id,
    "ticket_attach": ticket_id,
    "ticket_attachment_download": attachment_id,
    "ticket_assign": ticket_id,
    "ticket_claim": ticket_id,
    "ticket_return": ticket_id,
    "ticket_follow": ticket_id,
    "ticket_unfollow": ticket_id,
    "ticket_supervise": ticket_id,
}
PROCEDURE_API: dict[str, Params] = {}
QUALITY_API: dict[str, Params] = {}

ROUTES: dict[str, Params] = {**AGENT_ROUTES, **PORTAL_ROUTES, **DOCUMENT_ROUTES, **QUALITY_ROUTES}
API: dict[str, Params] = {**TICKET_API, **PROCEDURE_API, **QUALITY_API}
