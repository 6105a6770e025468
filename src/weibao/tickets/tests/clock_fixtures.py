"""Calendars and policies for the clock tests, written straight to the sla models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from weibao.sla.models import Calendar, SlaEscalationStep, SlaPolicy, SlaTarget, WorkingInterval

# Monday 2026-03-02, 09:00 in Shanghai.
MONDAY_9 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
HOUR = 3600


def office_calendar(name: str = "Office hours") -> Calendar:
    """Monday to Friday 09:00–12:00 and 13:00–18:00, Asia/Shanghai."""
    calendar = Calendar.objects.create(name=f"Test {name}", time_zone="Asia/Shanghai")
    for weekday in range(1, 6):
        WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(12))
        WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start=dt.time(13), end=dt.time(18))
    return calendar


def always_calendar(name: str = "Test 7x24") -> Calendar:
    return Calendar.objects.create(name=name, always_on=True)


def no_default_policy() -> None:
    SlaPolicy.objects.filter(is_default=True).update(is_default=False)


def policy_with(
    name: str,
    calendar: Calendar,
    targets: dict[str, int],
    *,
    default: bool = False,
    level: int | None = None,
    escalate: dict[str, object] | None = None,
    penalty: Decimal | None = None,
) -> SlaPolicy:
    """A policy with ``targets`` (metric -> seconds); ``escalate`` adds one step to each target."""
    if default:
        SlaPolicy.objects.filter(is_default=True).update(is_default=False)
    policy = SlaPolicy.objects.get_or_create(name=name, defaults={"is_default": default})[0]
    for metric, seconds in targets.items():
        target = SlaTarget.objects.create(
            policy=policy, metric=metric, seconds=seconds, calendar=calendar, level=level, penalty_amount=penalty
        )
        if escalate is not None:
            SlaEscalationStep.objects.create(target=target, order=1, **escalate)
    return policy
