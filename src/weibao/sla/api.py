"""REST API of the sla app, mounted under /api/v1/: calendars, policies, targets, escalation steps.

Vendor staff read; administrators and service managers write; client users get 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import Instant, error_responses
from weibao.core.errors import ObjectNotFoundError
from weibao.sla import selectors, services
from weibao.sla.access import require_manager, require_reader
from weibao.sla.clock import CalendarExhaustedError
from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget
from weibao.sla.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    DayChangeOut,
    DayIn,
    DayOut,
    DaysTextIn,
    DeadlineOut,
    EscalationIn,
    EscalationOut,
    EscalationPatch,
    IntervalsIn,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    TargetIn,
    TargetOut,
    TargetPatch,
    TargetSpecOut,
    text_time,
)
from weibao.sla.yeartext import YearTextError, year_text_parse

router = Router(tags=["service levels"])

LIST = error_responses(401, 403, 422, 429)
READ = error_responses(401, 403, 404, 422, 429)
CREATE = error_responses(400, 401, 403, 404, 409, 422, 429)
WRITE = error_responses(400, 401, 403, 404, 409, 422, 429)
DELETE = error_responses(401, 403, 404, 409, 422, 429)


def _reader(request: HttpRequest) -> User:
    actor = acting_user(request)
    require_reader(actor)
    return actor


def _manager(request: HttpRequest) -> User:
    actor = acting_user(request)
    require_manager(actor)
    return actor


def _no_nulls(changes: dict[str, Any], nullable: Iterable[str] = ()) -> None:
    """A null for a field that cannot be empty is an error naming the field."""
    allowed = set(nullable)
    errors = {name: [_("This field cannot be null.")] for name, value in changes.items() if value is None}
    errors = {name: msgs for name, msgs in errors.items() if name not in allowed}
    if errors:
        raise ValidationError(errors)


def _calendar_field(pk: int, field: str = "calendar") -> Calendar:
    calendar = Calendar.objects.filter(pk=pk).first()
    if calendar is None:
        raise ValidationError({field: _("No such calendar: %(id)s.") % {"id": pk}})
    return calendar


def _users(ids: Iterable[int]) -> list[User]:
    wanted = set(ids)
    found = list(User.objects.filter(pk__in=wanted))
    missing = wanted - {u.pk for u in found}
    if missing:
        raise ValidationError(
            {"notify_users": _("No such user: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    return found


def _calendar(pk: int) -> Calendar:
    calendar = Calendar.objects.prefetch_related("intervals").filter(pk=pk).first()
    if calendar is None:
        raise ObjectNotFoundError(_("Calendar not found."))
    return calendar


def _policy(pk: int) -> SlaPolicy:
    policy = SlaPolicy.objects.prefetch_related("targets__escalations__notify_users").filter(pk=pk).first()
    if policy is None:
        raise ObjectNotFoundError(_("SLA policy not found."))
    return policy


def _target(pk: int) -> SlaTarget:
    target = SlaTarget.objects.prefetch_related("escalations__notify_users").filter(pk=pk).first()
    if target is None:
        raise ObjectNotFoundError(_("SLA target not found."))
    return target


# -- calendars ------------------------------------------------------------------


@router.get("/sla/calendars", response={200: list[CalendarOut], **LIST}, operation_id="sla_calendar_list")
def calendar_list(request: HttpRequest) -> QuerySet[Calendar]:
    _reader(request)
    return selectors.calendar_list().prefetch_related("intervals")


@router.post("/sla/calendars", response={201: CalendarOut, **CREATE}, operation_id="sla_calendar_create")
def calendar_create(request: HttpRequest, payload: CalendarIn) -> Status[Calendar]:
    actor = _manager(request)
    data = payload.model_dump()
    intervals = [(i["weekday"], text_time(i["start"]), text_time(i["end"])) for i in data.pop("intervals")]
    for name in ("first_day", "last_day"):
        if data[name] is None:
            del data[name]
    calendar = services.calendar_create(actor=actor, intervals=intervals, **data)
    return Status(201, _calendar(calendar.pk))


@router.get("/sla/calendars/{calendar_id}", response={200: CalendarOut, **READ}, operation_id="sla_calendar_get")
def calendar_get(request: HttpRequest, calendar_id: int) -> Calendar:
    _reader(request)
    return _calendar(calendar_id)


@router.patch("/sla/calendars/{calendar_id}", response={200: CalendarOut, **WRITE}, operation_id="sla_calendar_update")
def calendar_update(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Calendar:
    actor = _manager(request)
    calendar = _calendar(calendar_id)
    changes = payload.model_dump(exclude_unset=True)
    _no_nulls(changes)
    services.calendar_update(actor=actor, calendar=calendar, changes=changes)
    return _calendar(calendar_id)


@router.put(
    "/sla/calendars/{calendar_id}/intervals",
    response={200: CalendarOut, **WRITE},
    operation_id="sla_calendar_set_intervals",
)
def calendar_set_intervals(request: HttpRequest, calendar_id: int, payload: IntervalsIn) -> Calendar:
    """Replace the weekly working intervals ("HH:MM"); an end of 24:00 (or 00:00) is midnight at the end of the day."""
    actor = _manager(request)
    calendar = _calendar(calendar_id)
    intervals = [(i.weekday, text_time(i.start), text_time(i.end)) for i in payload.intervals]
    services.calendar_set_intervals(actor=actor, calendar=calendar, intervals=intervals)
    return _calendar(calendar_id)


@router.delete("/sla/calendars/{calendar_id}", response={204: None, **DELETE}, operation_id="sla_calendar_delete")
def calendar_delete(request: HttpRequest, calendar_id: int) -> Status[None]:
    """Delete a calendar; refused (409) while targets use it."""
    actor = _manager(request)
    services.calendar_delete(actor=actor, calendar=_calendar(calendar_id))
    return Status(204, None)


@router.get(
    "/sla/calendars/{calendar_id}/days", response={200: list[DayOut], **READ}, operation_id="sla_calendar_day_list"
)
def calendar_day_list(request: HttpRequest, calendar_id: int, year: int | None = None) -> QuerySet[CalendarDay]:
    """Holidays and make-up working days, optionally of one year."""
    _reader(request)
    days = _calendar(calendar_id).days.order_by("date")
    return days.filter(date__year=year) if year is not None else days


@router.post(
    "/sla/calendars/{calendar_id}/days",
    response={201: DayOut, **CREATE},
    operation_id="sla_calendar_day_set",
)
def calendar_day_set(request: HttpRequest, calendar_id: int, payload: DayIn) -> Status[CalendarDay]:
    """Make a date a holiday or a make-up working day (replacing what it was)."""
    actor = _manager(request)
    day = services.calendar_day_set(actor=actor, calendar=_calendar(calendar_id), **payload.model_dump())
    return Status(201, day)


@router.delete("/sla/calendar-days/{day_id}", response={204: None, **DELETE}, operation_id="sla_calendar_day_delete")
def calendar_day_delete(request: HttpRequest, day_id: int) -> Status[None]:
    actor = _manager(request)
    day = CalendarDay.objects.filter(pk=day_id).first()
    if day is None:
        raise ObjectNotFoundError(_("Day not found."))
    services.calendar_day_delete(actor=actor, day=day)
    return Status(204, None)


@router.post(
    "/sla/calendars/{calendar_id}/days/text",
    response={200: list[DayChangeOut], **WRITE},
    operation_id="sla_calendar_days_text",
)
def calendar_days_text(request: HttpRequest, calendar_id: int, payload: DaysTextIn) -> list[services.DayChange]:
    """Holidays and make-up days in the text form (docs/subsystems/sla.md): a preview, or saved with ``save``."""
    actor = _manager(request)
    calendar = _calendar(calendar_id)
    try:
        entries = year_text_parse(payload.text)
    except YearTextError as exc:
        raise ValidationError({"text": [str(error) for error in exc.errors]}) from exc
    if payload.save:
        return services.calendar_days_apply(actor=actor, calendar=calendar, entries=entries)
    return services.calendar_days_preview(calendar=calendar, entries=entries)


@router.get(
    "/sla/calendars/{calendar_id}/deadline",
    response={200: DeadlineOut, **READ},
    operation_id="sla_calendar_deadline",
)
def calendar_deadline(
    request: HttpRequest,
    calendar_id: int,
    start: Instant | None = Query(None, example="2026-09-30T17:00:00+08:00"),  # type: ignore[type-arg]  # noqa: B008
    seconds: int = Query(0, example=14400),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """The instant ``seconds`` of working time after ``start`` (default now) on this calendar.

    With the defaults: the next working instant from now.
    """
    _reader(request)
    start = start or timezone.now()
    if not 0 <= seconds <= 366 * 86400:
        raise ValidationError({"seconds": _("Give 0 to 31622400 seconds.")})
    _calendar(calendar_id)
    compiled = selectors.calendar_compiled(calendar_id=calendar_id)
    try:
        deadline = compiled.add(start, seconds)
    except CalendarExhaustedError as exc:
        # The start (or the working time after it) lies outside the calendar's known days.
        raise ValidationError({"start": [str(exc)]}) from exc
    return {"calendar": calendar_id, "start": start, "seconds": seconds, "deadline": deadline}


# -- policies -------------------------------------------------------------------


@router.get("/sla/policies", response={200: list[PolicyOut], **LIST}, operation_id="sla_policy_list")
def policy_list(request: HttpRequest) -> QuerySet[SlaPolicy]:
    _reader(request)
    return selectors.policy_list().prefetch_related("targets__escalations__notify_users")


@router.post("/sla/policies", response={201: PolicyOut, **CREATE}, operation_id="sla_policy_create")
def policy_create(request: HttpRequest, payload: PolicyIn) -> Status[SlaPolicy]:
    actor = _manager(request)
    policy = services.policy_create(actor=actor, **payload.model_dump())
    return Status(201, _policy(policy.pk))


@router.get("/sla/policies/{policy_id}", response={200: PolicyOut, **READ}, operation_id="sla_policy_get")
def policy_get(request: HttpRequest, policy_id: int) -> SlaPolicy:
    _reader(request)
    return _policy(policy_id)


@router.patch("/sla/policies/{policy_id}", response={200: PolicyOut, **WRITE}, operation_id="sla_policy_update")
def policy_update(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> SlaPolicy:
    actor = _manager(request)
    changes = payload.model_dump(exclude_unset=True)
    _no_nulls(changes)
    services.policy_update(actor=actor, policy=_policy(policy_id), changes=changes)
    return _policy(policy_id)


@router.delete("/sla/policies/{policy_id}", response={204: None, **DELETE}, operation_id="sla_policy_delete")
def policy_delete(request: HttpRequest, policy_id: int) -> Status[None]:
    """Delete a policy; refused (409) while contracts bind it."""
    actor = _manager(request)
    services.policy_delete(actor=actor, policy=_policy(policy_id))
    return Status(204, None)


@router.get(
    "/sla/policies/{policy_id}/applicable",
    response={200: list[TargetSpecOut], **READ},
    operation_id="sla_policy_applicable",
)
def policy_applicable(request: HttpRequest, policy_id: int, kind: str = "", level: int = 3) -> list[dict[str, Any]]:
    """The target per metric that applies to a request of ``kind`` and ``level`` (most specific wins)."""
    _reader(request)
    _policy(policy_id)
    return [asdict(spec) for spec in selectors.policy_targets(policy_id=policy_id, kind=kind, level=level)]


@router.post("/sla/policies/{policy_id}/targets", response={201: TargetOut, **CREATE}, operation_id="sla_target_create")
def target_create(request: HttpRequest, policy_id: int, payload: TargetIn) -> Status[SlaTarget]:
    actor = _manager(request)
    policy = _policy(policy_id)
    data = payload.model_dump()
    data["calendar"] = _calendar_field(data["calendar"])
    target = services.target_create(actor=actor, policy=policy, **data)
    return Status(201, _target(target.pk))


@router.get("/sla/targets/{target_id}", response={200: TargetOut, **READ}, operation_id="sla_target_get")
def target_get(request: HttpRequest, target_id: int) -> SlaTarget:
    _reader(request)
    return _target(target_id)


@router.patch("/sla/targets/{target_id}", response={200: TargetOut, **WRITE}, operation_id="sla_target_update")
def target_update(request: HttpRequest, target_id: int, payload: TargetPatch) -> SlaTarget:
    actor = _manager(request)
    target = _target(target_id)
    changes = payload.model_dump(exclude_unset=True)
    _no_nulls(changes, nullable=("level", "penalty_amount"))
    if "calendar" in changes:
        changes["calendar"] = _calendar_field(changes["calendar"])
    services.target_update(actor=actor, target=target, changes=changes)
    return _target(target_id)


@router.delete("/sla/targets/{target_id}", response={204: None, **DELETE}, operation_id="sla_target_delete")
def target_delete(request: HttpRequest, target_id: int) -> Status[None]:
    actor = _manager(request)
    services.target_delete(actor=actor, target=_target(target_id))
    return Status(204, None)


@router.post(
    "/sla/targets/{target_id}/escalations",
    response={201: EscalationOut, **CREATE},
    operation_id="sla_escalation_create",
)
def escalation_create(request: HttpRequest, target_id: int, payload: EscalationIn) -> Status[SlaEscalationStep]:
    actor = _manager(request)
    target = _target(target_id)
    data = payload.model_dump()
    users = _users(data.pop("notify_users"))
    step = services.escalation_create(actor=actor, target=target, notify_users=users, **data)
    return Status(201, step)


@router.patch(
    "/sla/escalations/{escalation_id}", response={200: EscalationOut, **WRITE}, operation_id="sla_escalation_update"
)
def escalation_update(request: HttpRequest, escalation_id: int, payload: EscalationPatch) -> SlaEscalationStep:
    actor = _manager(request)
    step = selectors.escalation_get(pk=escalation_id)
    changes = payload.model_dump(exclude_unset=True)
    _no_nulls(changes, nullable=("reassign_team_id",))
    user_ids = changes.pop("notify_users", None)
    users = _users(user_ids) if user_ids is not None else None
    return services.escalation_update(actor=actor, step=step, changes=changes, notify_users=users)


@router.delete("/sla/escalations/{escalation_id}", response={204: None, **DELETE}, operation_id="sla_escalation_delete")
def escalation_delete(request: HttpRequest, escalation_id: int) -> Status[None]:
    actor = _manager(request)
    services.escalation_delete(actor=actor, step=selectors.escalation_get(pk=escalation_id))
    return Status(204, None)
