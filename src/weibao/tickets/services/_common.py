"""What every service-desk write shares: sides, permission, the row lock, events."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError, WeibaoError
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import scoped
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.services.clocks import clocks_follow, clocks_on_record
from weibao.tickets.workflow import Side, TransitionRefused

# Vendor roles that work on requests; auditors and security officers only read.
WORKER_ROLES = frozenset(
    {Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT, Role.FIELD_ENGINEER, Role.OM_ENGINEER, Role.QUALITY}
)
# Vendor roles that may dispatch to others, bulk-close, merge and supervise.
DISPATCHER_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT})

# Fields of a request recorded in the audit trail's before/after.
AUDITED_FIELDS = [
    "number",
    "client",
    "deployment",
    "contact",
    "channel",
    "kind",
    "level",
    "title",
    "status",
    "team",
    "assignee",
    "charging",
    "supervised",
    "parent",
    "merged_into",
    "next_deadline",
]


class TicketConflictError(WeibaoError):
    """The request changed since the caller read it; nothing was written."""

    status_code = 409


class TransitionRefusedError(WeibaoError):
    """The procedure does not allow this step now; the message says why."""

    status_code = 409


def side_of(actor: User) -> Side:
    if not actor.is_client_side:
        return Side.STAFF
    return Side.LEADER if actor.role == Role.CLIENT_LEADER else Side.CLIENT


def is_worker(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in WORKER_ROLES)


def is_dispatcher(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in DISPATCHER_ROLES)


def require_worker(actor: User) -> None:
    if not is_worker(actor):
        raise PermissionDeniedError(_("You may not work on service requests."))


def require_dispatcher(actor: User) -> None:
    if not is_dispatcher(actor):
        raise PermissionDeniedError(_("Only service managers and agents may do this."))


def ticket_lock(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """The request, locked for the rest of the transaction.

    Scope first: a request of another client is ObjectNotFoundError, exactly as a
    missing one. With ``expected_version``, a request changed since the caller read
    it raises TicketConflictError instead of overwriting the other change.
    """
    if not actor.is_active:
        raise ObjectNotFoundError(_("Not found."))
    ticket = scoped(Ticket.objects.select_for_update(of=("self",)), actor).filter(pk=ticket_id).first()
    if ticket is None:
        raise ObjectNotFoundError(_("Not found."))
    if expected_version is not None and ticket.version != expected_version:
        last = ticket.events.order_by("-id").only("actor_label", "created_at").first()
        who = last.actor_label if last is not None else _("someone")
        raise TicketConflictError(
            _(
                "%(number)s was changed by %(who)s while you were editing it (your copy is version %(yours)s, "
                "the request is now at version %(now)s). Reload it and apply your change again."
            )
            % {"number": ticket.number, "who": who, "yours": expected_version, "now": ticket.version}
        )
    return ticket


def refuse(exc: TransitionRefused) -> TransitionRefusedError:
    return TransitionRefusedError(str(exc))


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return model_snapshot(ticket, AUDITED_FIELDS)


def timeline_add(
    *,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    body: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append one timeline entry; the caller is inside the change's transaction."""
    label = actor.get_full_name() or actor.get_username() if actor is not None else _("system")
    return TicketEvent.objects.create(
        ticket=ticket, actor=actor, actor_label=label[:150], kind=kind, body=body, internal=internal, data=data or {}
    )


def ticket_save(
    *,
    ticket: Ticket,
    actor: User | None,
    action: str,
    before: dict[str, Any],
    fields: list[str] | None = None,
) -> None:
    """Save a locked request with its version bumped, and write the audit row."""
    ticket.version += 1
    fields = clocks_follow(ticket=ticket, actor=actor, action=action, before=before, fields=fields)
    if fields is None:
        ticket.save()
    else:
        ticket.save(update_fields=[*fields, "version", "updated_at"])
    event_record(
        actor=actor,
        action=action,
        obj=ticket,
        client_id=ticket.client_id,
        before=before,
        after=snapshot(ticket),
    )


def record_audit(*, actor: User | None, action: str, record: Model, ticket: Ticket) -> None:
    """The audit row for a procedure record written on ``ticket`` (its fields as ``after``)."""
    fields = [f.name for f in record._meta.concrete_fields if f.name not in {"signature"}]
    clocks_on_record(ticket=ticket, actor=actor, action=action, record=record)
    event_record(
        actor=actor, action=action, obj=record, client_id=ticket.client_id, after=model_snapshot(record, fields)
    )
