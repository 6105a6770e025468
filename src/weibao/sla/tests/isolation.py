"""Calendars and SLA policies belong to no client: covered as shared (client users get 403, not 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget


def _calendar(_archive: Any) -> int:
    return Calendar.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _policy(_archive: Any) -> int:
    return SlaPolicy.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _target(_archive: Any) -> int:
    return SlaTarget.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _step(_archive: Any) -> int:
    return SlaEscalationStep.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _day(_archive: Any) -> int:
    return CalendarDay.objects.order_by("pk").values_list("pk", flat=True).first() or 1


SHARED_ROUTES: dict[str, Callable[[Any], dict[str, int]]] = {
    "sla:calendar_detail": lambda a: {"pk": _calendar(a)},
    "sla:calendar_update": lambda a: {"pk": _calendar(a)},
    "sla:calendar_intervals": lambda a: {"pk": _calendar(a)},
    "sla:calendar_delete": lambda a: {"pk": _calendar(a)},
    "sla:calendar_day_set": lambda a: {"pk": _calendar(a)},
    "sla:calendar_extend": lambda a: {"pk": _calendar(a)},
    "sla:calendar_year": lambda a: {"pk": _calendar(a)},
    "sla:calendar_day_delete": lambda a: {"pk": _day(a)},
    "sla:policy_detail": lambda a: {"pk": _policy(a)},
    "sla:policy_update": lambda a: {"pk": _policy(a)},
    "sla:policy_delete": lambda a: {"pk": _policy(a)},
    "sla:target_create": lambda a: {"policy_pk": _policy(a)},
    "sla:target_update": lambda a: {"pk": _target(a)},
    "sla:target_delete": lambda a: {"pk": _target(a)},
    "sla:escalation_create": lambda a: {"target_pk": _target(a)},
    "sla:escalation_update": lambda a: {"pk": _step(a)},
    "sla:escalation_delete": lambda a: {"pk": _step(a)},
}

SHARED_API: dict[str, Callable[[Any], dict[str, int]]] = {
    "sla_calendar_get": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_update": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_set_intervals": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_delete": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_day_list": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_day_set": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_days_text": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_deadline": lambda a: {"calendar_id": _calendar(a)},
    "sla_calendar_day_delete": lambda a: {"day_id": _day(a)},
    "sla_policy_get": lambda a: {"policy_id": _policy(a)},
    "sla_policy_update": lambda a: {"policy_id": _policy(a)},
    "sla_policy_delete": lambda a: {"policy_id": _policy(a)},
    "sla_policy_applicable": lambda a: {"policy_id": _policy(a)},
    "sla_target_create": lambda a: {"policy_id": _policy(a)},
    "sla_target_get": lambda a: {"target_id": _target(a)},
    "sla_target_update": lambda a: {"target_id": _target(a)},
    "sla_target_delete": lambda a: {"target_id": _target(a)},
    "sla_escalation_create": lambda a: {"target_id": _target(a)},
    "sla_escalation_update": lambda a: {"escalation_id": _step(a)},
    "sla_escalation_delete": lambda a: {"escalation_id": _step(a)},
}
