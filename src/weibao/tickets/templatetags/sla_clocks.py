"""``{% sla_clocks ticket %}``: the request's service-level clocks with live countdowns and their history.

Staff see warnings, escalations, penalties and the re-apply / waive forms; client
users (the portal) see the client-safe part: each target, its state and deadline.
"""

from __future__ import annotations

from typing import Any

from django import template

from weibao.accounts.models import User
from weibao.tickets import clock_selectors
from weibao.tickets.models import SlaClock, Ticket
from weibao.tickets.services._common import is_dispatcher, is_worker

register = template.Library()


def _rows(clocks: list[SlaClock]) -> list[dict[str, Any]]:
    return [
        {
            "clock": c,
            "label": clock_selectors.metric_label(c.metric),
            "breach": getattr(c, "breach", None) if c.breached_at is not None else None,
        }
        for c in clocks
    ]


@register.inclusion_tag("tickets/_clocks.html", takes_context=True)
def sla_clocks(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    user = context["request"].user
    assert isinstance(user, User)
    ticket, clocks = clock_selectors.ticket_clocks(actor=user, ticket_id=ticket.pk)
    history = list(clock_selectors.clock_history(actor=user, ticket=ticket))
    labels = {c.pk: clock_selectors.metric_label(c.metric) for c in clocks}
    return {
        "ticket": ticket,
        "rows": _rows(clocks),
        "history": [(e, labels.get(e.clock_id, "")) for e in history],
        "staff": not user.is_client_side,
        "can_work": is_worker(user) and not ticket.is_closed,
        "can_waive": is_dispatcher(user),
        "csrf_token": context.get("csrf_token"),
    }
