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


def _archive_record(archive: Any, name: str, make: Callable[[Ticket, User], Any]) -> int:
    """The id of a record ``make`` writes on the archive's request, made on first use."""
    cache: dict[str, int] = archive.__dict__.setdefault("_ticket_records", {})
    if name not in cache:
        ticket = archive_ticket(archive)
        cache[name] = make(ticket, User.objects.get(username="isolation-agent")).pk
    return cache[name]


def task_order_id(archive: Any) -> dict[str, int]:
    from weibao.tickets.models import TaskOrder

    def make(ticket: Ticket, agent: User) -> TaskOrder:
        number = f"{ticket.number}-T90"
        return TaskOrder.objects.create(ticket=ticket, number=number, engineer=agent, content="巡检", created_by=agent)

    return {"task_order_id": _archive_record(archive, "task_order", make)}


def consent_id(archive: Any) -> dict[str, int]:
    from django.utils import timezone

    from weibao.tickets.models import RemoteConsent

    def make(ticket: Ticket, agent: User) -> RemoteConsent:
        return RemoteConsent.objects.create(
            ticket=ticket,
            granted_by_name="王主任",
            granted_via="电话",
            scope="远程查看日志",
            minutes_allowed=60,
            granted_at=timezone.now(),
            recorded_by=agent,
        )

    return {"consent_id": _archive_record(archive, "remote_consent", make)}


def corrective_action_id(archive: Any) -> dict[str, int]:
    from django.utils import timezone

    from weibao.tickets.models import CorrectiveAction

    def make(ticket: Ticket, agent: User) -> CorrectiveAction:
        return CorrectiveAction.objects.create(
            ticket=ticket, kind="corrective", description="补充巡检", owner=agent, due_on=timezone.localdate()
        )

    return {"action_id": _archive_record(archive, "corrective_action", make)}


def callback_id(archive: Any) -> dict[str, int]:
    import datetime as dt

    from weibao.tickets.models import CallbackTask

    def make(ticket: Ticket, agent: User) -> CallbackTask:
        return CallbackTask.objects.create(ticket=ticket, week=dt.date(2026, 11, 16))

    return {"callback_id": _archive_record(archive, "callback", make)}


PROCEDURE_API: dict[str, Params] = {
    **{
        f"ticket_{name}": ticket_id
        for name in (
            "review",
            "plan_respond",
            "leader_signoff",
            "task_order_create",
            "remote_consent_create",
            "work_log_create",
            "data_change_create",
            "milestone_create",
            "resolve",
            "test",
            "acceptance",
            "feedback",
            "archive",
            "records",
        )
    },
    "ticket_task_order_complete": task_order_id,
    "ticket_remote_consent_revoke": consent_id,
}
QUALITY_API: dict[str, Params] = {
    **{
        f"ticket_{name}": ticket_id
        for name in (
            "complaint_get",
            "complaint_update",
            "corrective_action_list",
            "corrective_action_create",
            "survey_get",
            "links",
            "link",
            "set_parent",
            "merge",
        )
    },
    "ticket_corrective_action_complete": corrective_action_id,
    "ticket_callback_record": callback_id,
}


def clock_id(archive: Any) -> dict[str, int]:
    """A service-level clock of the archive's request (its policy's, or one made here)."""
    from django.utils import timezone

    from weibao.sla.models import Calendar
    from weibao.tickets.models import SlaClock

    def make(ticket: Ticket, agent: User) -> SlaClock:
        found = ticket.sla_clocks.order_by("id").first()
        if found is not None:
            return found
        calendar = Calendar.objects.get_or_create(name="隔离检查日历", defaults={"always_on": True})[0]
        return SlaClock.objects.create(
            ticket=ticket,
            metric="response",
            level=3,
            calendar_id=calendar.pk,
            target_seconds=3600,
            started_at=timezone.now(),
            segment_start=timezone.now(),
        )

    return {"clock_id": _archive_record(archive, "sla_clock", make)}


CLOCK_API: dict[str, Params] = {
    "ticket_clocks": ticket_id,
    "ticket_clocks_reapply": ticket_id,
    "sla_clock_waive": clock_id,
}
CLOCK_ROUTES: dict[str, Params] = {
    "tickets:sla_reapply": ticket_pk,
    "tickets:sla_waive": ticket_pk,
    "tickets:sla_penalty_waive": ticket_pk,
}

ROUTES: dict[str, Params] = {**AGENT_ROUTES, **PORTAL_ROUTES, **DOCUMENT_ROUTES, **QUALITY_ROUTES, **CLOCK_ROUTES}
API: dict[str, Params] = {**TICKET_API, **PROCEDURE_API, **QUALITY_API, **CLOCK_API}
