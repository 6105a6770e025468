"""Waiving the deposit penalty a missed target posted, from the request (R2.4).

A missed response (or a target with its own amount) deducts a penalty from the
contract's deposit (``clock_tick._penalty``); the breach keeps the entry's id. Both
sides may agree that the miss was not the vendor's doing (a power cut, the client
unreachable): the penalty is then waived on the ledger with a reason and the name of
whoever approved it, and the request's timeline records it (internal).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.contracts.models import DepositEntry
from weibao.contracts.services.deposit import deposit_waive_penalty
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import SlaBreach, TicketEvent


def can_waive_penalty(actor: User) -> bool:
    """Who may waive a penalty: whoever may change contracts and their deposit ledger."""
    return actor.can_write_archive and not actor.is_client_side


@transaction.atomic
def clock_penalty_waive(*, actor: User, ticket_id: int, breach_id: int, reason: str, approved_by: str) -> DepositEntry:
    """Waive the penalty posted for breach ``breach_id`` of request ``ticket_id``; returns the waiver entry.

    Raises ObjectNotFoundError (a request the actor cannot see, a breach not of this
    request or without a penalty), PermissionDeniedError (not a contract writer),
    ValidationError (``reason`` or ``approved_by`` missing), DepositEntryNotWaivableError
    (already waived). Side effects: the waiver entry and its audit event
    ``deposit.waive_penalty`` (``deposit_waive_penalty``), an internal timeline entry.
    """
    from weibao.tickets.services._common import ticket_lock, timeline_add

    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    if not can_waive_penalty(actor):
        raise PermissionDeniedError(_("You may not change contracts."))
    breach = SlaBreach.objects.filter(pk=breach_id, ticket=ticket).first()
    if breach is None or breach.penalty_entry_id is None:
        raise ObjectNotFoundError(_("Not found."))
    entry = DepositEntry.objects.select_related("contract").get(pk=breach.penalty_entry_id)
    waiver = deposit_waive_penalty(actor=actor, entry=entry, reason=reason, approved_by=approved_by)
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.CHANGED,
        internal=True,
        body=_("Penalty of %(amount)s CNY for the missed target %(metric)s waived, approved by %(who)s: %(reason)s")
        % {
            "amount": -entry.amount,
            "metric": breach.metric,
            "who": waiver.approved_by,
            "reason": waiver.reason,
        },
        data={"sla_breach": breach.pk, "penalty_waived": waiver.pk},
    )
    return waiver
