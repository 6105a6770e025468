"""``{% sla_clocks ticket %}``: the request's service-level clocks with live countdowns and their history.

Staff see warnings, escalations, penalties and the re-apply / waive forms (and, for
contract writers, the form that waives a posted penalty); client
users (the portal) see the client-safe part: each target, its state and deadline.
"""

from __future__ import annotations

from typing import Any

from django import template

from weibao.accounts.models import User
from weibao.tickets import clock_selectors
from weibao.tickets.models import SlaClock, Ticket
from weibao.tickets.services._common import is_dispatcher, is_worker
from weibao.tickets.services.clock_penalty import can_waive_penalty

register = template.Library()


def _rows(clocks: list[SlaClock], *, penalties: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "clock": c,
            "label": clock_selectors.metric_label(c.metric),
            "breach": getattr(c, "breach", None) if c.breached_at is not None else None,
            "penalty": None,
        }
        for c in clocks
    ]
    if penalties:
        # One query, and only when a missed target posted a penalty.
        entries = clock_selectors.penalty_entries([r["breach"] for r in rows if r["breach"] is not None])
        for row in rows:
            if row["breach"] is not None and (entry := entries.get(row["breach"].penalty_entry_id)) is not None:
                row["penalty"] = entry
                row["penalty_amount"] = -entry.amount  # a deduction is stored negative
    return rows


@register.inclusion_tag("tickets/_clocks.html", takes_context=True)
def sla_clocks(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    user = context["request"].user
    assert isinstance(user, User)
    ticket, clocks = clock_selectors.ticket_clocks(actor=user, ticket_id=ticket.pk)
    history = list(clock_selectors.clock_history(actor=user, ticket=ticket))
    labels = {c.pk: clock_selectors.metric_label(c.metric) for c in clocks}
    return {
        "ticket": ticket,
        "rows": _rows(clocks, penalties=not user.is_client_side),
        "history": [(e, labels.get(e.clock_id, "")) for e in history],
        "staff": not user.is_client_side,
        "can_work": is_worker(user) and not ticket.is_closed,
        "can_waive": is_dispatcher(user),
        "can_waive_penalty": can_waive_penalty(user),
        "csrf_token": context.get("csrf_token"),
    }
