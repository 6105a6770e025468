"""Reads of calendars and policies.

Calendars and policies are vendor data with no client: every staff member may
read them, client users never (the views and API refuse them before calling here).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import ObjectNotFoundError
from weibao.sla.clock import Interval, WorkingCalendar
from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget

# calendar id -> (stamp, compiled); a stale stamp means the calendar was edited.
_compiled: dict[int, tuple[uuid.UUID, WorkingCalendar]] = {}
_compiled_lock = threading.Lock()


@dataclass(frozen=True)
class EscalationSpec:
    after_seconds: int
    raise_level: bool
    notify_roles: tuple[str, ...]
    notify_assignee: bool
    notify_on_duty: bool
    notify_user_ids: tuple[int, ...]
    reassign_team_id: int | None


@dataclass(frozen=True)
class TargetSpec:
    metric: str
    seconds: int
    calendar_id: int
    warn_percent: int
    penalty_amount: Decimal | None
    escalations: tuple[EscalationSpec, ...]


def calendar_compile(calendar: Calendar) -> WorkingCalendar:
    """Compile ``calendar`` from the database (two queries), bypassing the cache."""
    weekly: dict[int, list[Interval]] = defaultdict(list)
    for weekday, start, end in calendar.intervals.values_list("weekday", "start", "end"):
        weekly[weekday].append((start, end))
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in calendar.days.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).append(day)
    return WorkingCalendar.build(
        tz=calendar.time_zone,
        weekly=weekly,
        holidays=holidays,
        workdays=workdays,
        always=calendar.always_on,
        first=calendar.first_day,
        last=calendar.last_day,
    )


def calendar_compiled(*, calendar_id: int) -> WorkingCalendar:
    """The compiled calendar, cached in this process until the calendar changes.

    One query (the calendar's stamp) when the cached copy is fresh.
    Raises ObjectNotFoundError for an unknown id.
    """
    stamp = Calendar.objects.filter(pk=calendar_id).values_list("stamp", flat=True).first()
    if stamp is None:
        raise ObjectNotFoundError(_("Calendar not found."))
    cached = _compiled.get(calendar_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = Calendar.objects.get(pk=calendar_id)
    compiled = calendar_compile(calendar)
    with _compiled_lock:
        _compiled[calendar_id] = (calendar.stamp, compiled)
    return compiled


def calendar_list() -> QuerySet[Calendar]:
    return Calendar.objects.order_by("name")


def calendar_get(*, pk: int) -> Calendar:
    calendar = Calendar.objects.filter(pk=pk).first()
    if calendar is None:
        raise ObjectNotFoundError(_("Calendar not found."))
    return calendar


def policy_list() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.order_by("-is_default", "name")


def policy_get(*, pk: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=pk).first()
    if policy is None:
        raise ObjectNotFoundError(_("SLA policy not found."))
    return policy


def policy_default() -> SlaPolicy | None:
    """The policy for requests with no contract, if one is marked default."""
    return SlaPolicy.objects.filter(is_default=True).first()


def target_list(*, policy: SlaPolicy) -> QuerySet[SlaTarget]:
    return (
        SlaTarget.objects.filter(policy=policy)
        .select_related("calendar")
        .prefetch_related("escalations__notify_users")
        .order_by("kind", "level", "metric")
    )


def target_get(*, pk: int) -> SlaTarget:
    target = SlaTarget.objects.select_related("policy", "calendar").filter(pk=pk).first()
    if target is None:
        raise ObjectNotFoundError(_("SLA target not found."))
    return target


def escalation_get(*, pk: int) -> SlaEscalationStep:
    step = SlaEscalationStep.objects.select_related("target__policy").filter(pk=pk).first()
    if step is None:
        raise ObjectNotFoundError(_("Escalation step not found."))
    return step


def _escalation_spec(step: SlaEscalationStep) -> EscalationSpec:
    return EscalationSpec(
        after_seconds=step.after_seconds,
        raise_level=step.raise_level,
        notify_roles=tuple(str(role) for role in (step.notify_roles or [])),
        notify_assignee=step.notify_assignee,
        notify_on_duty=step.notify_on_duty,
        notify_user_ids=tuple(sorted(user.pk for user in step.notify_users.all())),
        reassign_team_id=step.reassign_team_id,
    )


def target_spec(target: SlaTarget) -> TargetSpec:
    """The frozen form of ``target`` (its escalations should be prefetched)."""
    steps = sorted(target.escalations.all(), key=lambda step: (step.order, step.pk))
    return TargetSpec(
        metric=target.metric,
        seconds=target.seconds,
        calendar_id=target.calendar_id,
        warn_percent=target.warn_percent,
        penalty_amount=target.penalty_amount,
        escalations=tuple(_escalation_spec(step) for step in steps),
    )


def policy_targets(*, policy_id: int, kind: str, level: int) -> list[TargetSpec]:
    """The target per metric that applies to a request of ``kind`` and ``level``.

    The most specific row wins: kind and level, then kind with any level, then
    any kind with the level, then any kind and any level. Ordered by metric.
    Three queries (targets, steps, step users).
    """
    rows = (
        SlaTarget.objects.filter(policy_id=policy_id)
        .filter(Q(kind=kind) | Q(kind=""))
        .filter(Q(level=level) | Q(level__isnull=True))
        .prefetch_related("escalations__notify_users")
    )
    best: dict[str, tuple[int, SlaTarget]] = {}
    for row in rows:
        rank = (2 if row.kind else 0) + (1 if row.level is not None else 0)
        held = best.get(row.metric)
        if held is None or rank > held[0]:
            best[row.metric] = (rank, row)
    return [target_spec(best[metric][1]) for metric in sorted(best)]
