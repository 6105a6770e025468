"""Reads of the service-level clocks: a request's clocks and history, breaching soon, compliance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.contracts.models import Contract, DepositEntry
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.customers.scope import client_id_of, scoped
from weibao.sla.models import Metric
from weibao.tickets.models import SlaBreach, SlaClock, SlaClockEvent, Ticket
from weibao.tickets.selectors import ticket_get

# History kinds a client user sees; warnings, escalations and recomputations stay internal.
CLIENT_HISTORY = frozenset(
    {
        SlaClockEvent.Kind.STARTED,
        SlaClockEvent.Kind.PAUSED,
        SlaClockEvent.Kind.RESUMED,
        SlaClockEvent.Kind.MET,
        SlaClockEvent.Kind.BREACHED,
        SlaClockEvent.Kind.WAIVED,
        SlaClockEvent.Kind.CANCELLED,
    }
)
METRIC_ORDER = [m.value for m in Metric]


def metric_label(metric: str) -> str:
    try:
        return str(Metric(metric).label)
    except ValueError:
        return metric


def ticket_clocks(*, actor: User, ticket_id: int) -> tuple[Ticket, list[SlaClock]]:
    """The request (scoped: another client's is ObjectNotFoundError) and its clocks in metric order."""
    ticket = ticket_get(actor=actor, ticket_id=ticket_id)
    clocks = sorted(
        SlaClock.objects.filter(ticket=ticket).select_related("breach"),
        key=lambda c: (METRIC_ORDER.index(c.metric) if c.metric in METRIC_ORDER else 99, c.pk),
    )
    return ticket, clocks


def penalty_entries(breaches: list[SlaBreach]) -> dict[int, DepositEntry]:
    """The deposit penalties posted for ``breaches`` by id, each with ``is_waived``; no query when none posted one."""
    ids = [b.penalty_entry_id for b in breaches if b.penalty_entry_id is not None]
    if not ids:
        return {}
    entries = DepositEntry.objects.filter(pk__in=ids).annotate(
        is_waived=Exists(DepositEntry.objects.filter(waived_entry=OuterRef("pk")))
    )
    return {e.pk: e for e in entries}


def clock_history(*, actor: User, ticket: Ticket) -> QuerySet[SlaClockEvent]:
    """The history of a request's clocks as ``actor`` may see it (client users: not the internal kinds)."""
    events = SlaClockEvent.objects.filter(ticket=ticket).select_related("clock").order_by("id")
    if actor.is_client_side:
        events = events.filter(kind__in=CLIENT_HISTORY)
    return events


def breaching_soon(*, actor: User, hours: int = 4, now: dt.datetime | None = None) -> QuerySet[SlaClock]:
    """Running clocks not yet breached whose warning passed or whose deadline is within ``hours``.

    Vendor staff only (PermissionDeniedError for client users). Soonest first.
    """
    if actor.is_client_side or not actor.is_active:
        raise PermissionDeniedError(_("Only vendor staff see the requests about to miss a target."))
    now = now or timezone.now()
    return (
        SlaClock.objects.filter(state=SlaClock.State.RUNNING, breached_at__isnull=True, due_at__isnull=False)
        .filter(Q(warn_at__lte=now) | Q(warned_at__isnull=False) | Q(due_at__lte=now + dt.timedelta(hours=hours)))
        .select_related("ticket", "ticket__client", "ticket__assignee")
        .order_by("due_at", "id")
    )


@dataclass(frozen=True)
class MetricCompliance:
    metric: str
    label: str
    met: int
    breached: int
    waived: int

    @property
    def counted(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        return round(100 * self.met / self.counted, 1) if self.counted else None

    @property
    def breached_percent(self) -> float | None:
        return round(100 * self.breached / self.counted, 1) if self.counted else None


def sla_compliance(
    *,
    actor: User,
    start: dt.datetime,
    end: dt.datetime,
    client_id: int | None = None,
    contract_id: int | None = None,
) -> list[MetricCompliance]:
    """Met, breached and waived clocks per metric among those started in ``[start, end)``.

    *Met*: stopped on time; *breached*: missed, whether or not it has stopped since;
    *waived*: ended by agreement (counted apart, not in the percentages). Running
    clocks still on time are not counted. A client user sees only their own client:
    another client or another client's contract is ObjectNotFoundError.
    """
    if actor.is_client_side:
        own = client_id_of(actor)
        if client_id is not None and client_id != own:
            raise ObjectNotFoundError(_("Not found."))
        client_id = own
        if own is None:
            return []
    if contract_id is not None and not scoped(Contract.objects.filter(pk=contract_id), actor).exists():
        raise ObjectNotFoundError(_("Not found."))
    clocks = SlaClock.objects.filter(started_at__gte=start, started_at__lt=end)
    if client_id is not None:
        clocks = clocks.filter(ticket__client_id=client_id)
    if contract_id is not None:
        clocks = clocks.filter(contract_id=contract_id)
    rows = clocks.values("metric").annotate(
        met=Count("id", filter=Q(state=SlaClock.State.MET, breached_at__isnull=True)),
        breached=Count("id", filter=Q(breached_at__isnull=False) & ~Q(state=SlaClock.State.WAIVED)),
        waived=Count("id", filter=Q(state=SlaClock.State.WAIVED)),
    )
    found = {row["metric"]: row for row in rows}
    return [
        MetricCompliance(
            metric=m,
            label=metric_label(m),
            met=found[m]["met"],
            breached=found[m]["breached"],
            waived=found[m]["waived"],
        )
        for m in sorted(found, key=lambda m: METRIC_ORDER.index(m) if m in METRIC_ORDER else 99)
    ]
