"""REST API of the service-level clocks: a request's clocks, re-apply, waive, breaching soon, compliance.

Client users see their own requests' clocks without the vendor's internals
(warnings, penalties, escalations, waiver details); the other operations are for
vendor staff, except compliance, which a client user reads for their own client.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import READ_ERRORS, WRITE_ERRORS, error_responses
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.scope import scoped
from weibao.tickets import clock_selectors
from weibao.tickets.models import SlaClock, Ticket
from weibao.tickets.schemas_clocks import (
    BreachingFilters,
    BreachingOut,
    ClockOut,
    ClocksOut,
    ComplianceFilters,
    ComplianceOut,
    ReapplyIn,
    WaiveIn,
)
from weibao.tickets.services import clock_acts as clock_services

router = Router()

COMPLIANCE_DEFAULT_PERIOD = dt.timedelta(days=30)


def clock_out(clock: SlaClock, actor: User) -> dict[str, Any]:
    breach = getattr(clock, "breach", None) if clock.breached_at is not None else None
    out: dict[str, Any] = {
        "id": clock.pk,
        "metric": clock.metric,
        "metric_label": clock_selectors.metric_label(clock.metric),
        "state": clock.state,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "stopped_at": clock.stopped_at,
        "target_seconds": clock.target_seconds,
        "used_seconds": clock.used_seconds,
        "breached": clock.breached_at is not None,
        "late_seconds": breach.late_seconds if breach is not None else None,
        "policy_name": clock.policy_name,
    }
    if not actor.is_client_side:
        out.update(
            warn_at=clock.warn_at,
            penalty_amount=clock.penalty_amount,
            escalations_done=clock.escalations_done,
            waiver_reason=clock.waiver_reason,
            waiver_agreed_by=clock.waiver_agreed_by,
        )
    return out


def _clocks_out(actor: User, ticket_id: int) -> dict[str, Any]:
    ticket, clocks = clock_selectors.ticket_clocks(actor=actor, ticket_id=ticket_id)
    history = clock_selectors.clock_history(actor=actor, ticket=ticket)
    return {
        "ticket_id": ticket.pk,
        "next_deadline": ticket.next_deadline,
        "clocks": [clock_out(c, actor) for c in clocks],
        "history": [
            {
                "id": e.pk,
                "clock_id": e.clock_id,
                "metric": e.clock.metric,
                "kind": e.kind,
                "at": e.at,
                "due_at": e.due_at,
                "actor_label": e.actor_label,
            }
            for e in history
        ],
    }


@router.get("/tickets/{ticket_id}/clocks", response={200: ClocksOut, **READ_ERRORS}, operation_id="ticket_clocks")
def ticket_clocks(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """The request's service-level clocks and their history (client users: the client-safe part)."""
    return _clocks_out(acting_user(request), ticket_id)


@router.post(
    "/tickets/{ticket_id}/clocks/reapply",
    response={200: ClocksOut, **WRITE_ERRORS},
    operation_id="ticket_clocks_reapply",
)
def ticket_clocks_reapply(request: HttpRequest, ticket_id: int, payload: ReapplyIn) -> dict[str, Any]:
    """Re-apply the governing policy to the request's running clocks (vendor staff; an event is recorded)."""
    actor = acting_user(request)
    clock_services.clocks_reapply(actor=actor, ticket_id=ticket_id, expected_version=payload.version)
    return _clocks_out(actor, ticket_id)


@router.post("/sla-clocks/{clock_id}/waive", response={200: ClockOut, **WRITE_ERRORS}, operation_id="sla_clock_waive")
def sla_clock_waive(request: HttpRequest, clock_id: int, payload: WaiveIn) -> dict[str, Any]:
    """End a running clock as waived: ``reason`` and ``agreed_by`` (the client's consenting person) are required."""
    actor = acting_user(request)
    if not scoped(Ticket.objects.filter(sla_clocks__pk=clock_id), actor).exists():
        raise ObjectNotFoundError(_("Not found."))
    clock = clock_services.clock_waive(
        actor=actor, clock_id=clock_id, reason=payload.reason, agreed_by=payload.agreed_by
    )
    return clock_out(clock, actor)


@router.get(
    "/sla-clocks/breaching-soon",
    response={200: list[BreachingOut], **error_responses(401, 403, 422, 429)},
    operation_id="sla_breaching_soon",
)
def sla_breaching_soon(request: HttpRequest, filters: Query[BreachingFilters]) -> list[dict[str, Any]]:
    """Running clocks whose warning passed or whose deadline is within ``hours`` (vendor staff), soonest first."""
    clocks = clock_selectors.breaching_soon(actor=acting_user(request), hours=filters.hours)[: filters.limit]
    return [
        {
            "clock_id": c.pk,
            "ticket_id": c.ticket_id,
            "number": c.ticket.number,
            "title": c.ticket.title,
            "client_id": c.ticket.client_id,
            "metric": c.metric,
            "due_at": c.due_at,
            "warned": c.warned_at is not None,
            "assignee_id": c.ticket.assignee_id,
        }
        for c in clocks
    ]


@router.get(
    "/sla-compliance",
    response={200: list[ComplianceOut], **error_responses(401, 404, 422, 429)},
    operation_id="sla_compliance",
)
def sla_compliance(request: HttpRequest, filters: Query[ComplianceFilters]) -> list[dict[str, Any]]:
    """Met, breached and waived clocks per metric started in ``[start, end)``, for a client and/or contract.

    Without ``end`` the period ends now; without ``start`` it is the 30 days before ``end``.

    Client users read their own client only (another client or its contract: 404).
    """
    end = filters.end or timezone.now()
    start = filters.start or end - COMPLIANCE_DEFAULT_PERIOD
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    rows = clock_selectors.sla_compliance(
        actor=acting_user(request),
        start=start,
        end=end,
        client_id=filters.client_id,
        contract_id=filters.contract_id,
    )
    return [
        {
            "metric": r.metric,
            "label": r.label,
            "met": r.met,
            "breached": r.breached,
            "waived": r.waived,
            "met_percent": r.met_percent,
            "breached_percent": r.breached_percent,
        }
        for r in rows
    ]
