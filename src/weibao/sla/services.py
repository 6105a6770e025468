"""Writes to calendars and SLA policies; each writes an audit row and sends its signal on commit."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.core.errors import WeibaoError
from weibao.core.snapshot import model_snapshot
from weibao.sla import registry
from weibao.sla.access import require_manager
from weibao.sla.models import MIDNIGHT, Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget, WorkingInterval
from weibao.sla.signals import calendar_changed, policy_changed
from weibao.sla.yeartext import DayEntry

CALENDAR_FIELDS = frozenset({"name", "time_zone", "always_on", "first_day", "last_day"})
POLICY_FIELDS = frozenset({"name", "description", "is_default"})
TARGET_FIELDS = frozenset({"kind", "level", "metric", "seconds", "calendar", "warn_percent", "penalty_amount"})
STEP_FIELDS = frozenset(
    {
        "order",
        "after_seconds",
        "raise_level",
        "notify_roles",
        "notify_assignee",
        "notify_on_duty",
        "reassign_team_id",
    }
)
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class ObjectInUseError(WeibaoError):
    """A calendar or policy still used by targets or contracts cannot be deleted."""

    status_code = 409


def _snap(obj: Model) -> dict[str, Any]:
    return model_snapshot(
        obj, [f.name for f in obj._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
    )


def _full_clean(obj: Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def _unknown(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable fields: {sorted(unknown)}")


# -- calendars ------------------------------------------------------------------


def _calendar_touched(calendar: Calendar) -> None:
    """New stamp (compiled copies go stale) and ``calendar_changed`` once the transaction commits."""
    calendar.stamp = uuid.uuid4()
    Calendar.objects.filter(pk=calendar.pk).update(stamp=calendar.stamp)
    calendar_id = calendar.pk
    transaction.on_commit(lambda: calendar_changed.send(sender=Calendar, calendar_id=calendar_id))


def _interval_errors(intervals: Sequence[tuple[int, dt.time, dt.time]]) -> list[str]:
    problems: list[str] = []
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in intervals:
        if not 1 <= weekday <= 7:
            problems.append(_("Weekday must be 1 (Monday) to 7 (Sunday), not %(day)s.") % {"day": weekday})
            continue
        if end != MIDNIGHT and end <= start:
            problems.append(
                _("The interval %(start)s–%(end)s must end after it starts.")
                % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            )
            continue
        by_day.setdefault(weekday, []).append((start, end))
    for spans in by_day.values():
        spans.sort()
        for (s1, e1), (s2, e2) in itertools.pairwise(spans):
            if e1 == MIDNIGHT or s2 < e1:
                problems.append(
                    _("The intervals %(a)s and %(b)s overlap.")
                    % {"a": f"{s1:%H:%M}–{e1:%H:%M}", "b": f"{s2:%H:%M}–{e2:%H:%M}"}
                )
    return problems


def _intervals_snapshot(calendar: Calendar) -> list[str]:
    return [
        f"{weekday} {start:%H:%M}-{end:%H:%M}"
        for weekday, start, end in calendar.intervals.order_by("weekday", "start").values_list(
            "weekday", "start", "end"
        )
    ]


@transaction.atomic
def calendar_create(
    *,
    actor: User,
    name: str,
    time_zone: str = "Asia/Shanghai",
    always_on: bool = False,
    intervals: Sequence[tuple[int, dt.time, dt.time]] = (),
    **fields: Any,
) -> Calendar:
    """Create a calendar with its weekly intervals.

    Side effects: event ``sla.calendar.create``. Raises PermissionDeniedError, ValidationError
    (field dict; ``intervals`` for overlapping or reversed intervals).
    """
    require_manager(actor)
    _unknown(fields, CALENDAR_FIELDS)
    calendar = Calendar(name=name, time_zone=time_zone, always_on=always_on, **fields)
    errors: dict[str, list[str]] = {}
    try:
        _full_clean(calendar, exclude=["stamp"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if problems := _interval_errors(intervals):
        errors["intervals"] = problems
    if errors:
        raise ValidationError(errors)
    calendar.save()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=w, start=s, end=e) for w, s, e in intervals
    )
    event_record(
        actor=actor,
        action="sla.calendar.create",
        obj=calendar,
        after=_snap(calendar) | {"intervals": _intervals_snapshot(calendar)},
    )
    return calendar


@transaction.atomic
def calendar_update(*, actor: User, calendar: Calendar, changes: Mapping[str, Any]) -> Calendar:
    """Change name, time zone, 7×24 flag or the known range.

    Side effects: event ``sla.calendar.update``; ``calendar_changed`` on commit.
    """
    require_manager(actor)
    _unknown(changes, CALENDAR_FIELDS)
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    before = _snap(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    _full_clean(locked, exclude=["stamp"])
    locked.save()
    _calendar_touched(locked)
    event_record(actor=actor, action="sla.calendar.update", obj=locked, before=before, after=_snap(locked))
    return locked


@transaction.atomic
def calendar_set_intervals(
    *, actor: User, calendar: Calendar, intervals: Sequence[tuple[int, dt.time, dt.time]]
) -> Calendar:
    """Replace the weekly working intervals of ``calendar``.

    Side effects: event ``sla.calendar.set_intervals``; ``calendar_changed`` on commit.
    Raises ValidationError on ``intervals`` (overlap, reversed, bad weekday).
    """
    require_manager(actor)
    if problems := _interval_errors(intervals):
        raise ValidationError({"intervals": problems})
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    before = _intervals_snapshot(locked)
    locked.intervals.all().delete()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=locked, weekday=w, start=s, end=e) for w, s, e in intervals
    )
    _calendar_touched(locked)
    event_record(
        actor=actor,
        action="sla.calendar.set_intervals",
        obj=locked,
        before={"intervals": before},
        after={"intervals": _intervals_snapshot(locked)},
    )
    return locked


@transaction.atomic
def calendar_delete(*, actor: User, calendar: Calendar) -> None:
    """Delete a calendar no target uses. Raises ObjectInUseError (409) otherwise."""
    require_manager(actor)
    if calendar.targets.exists():
        raise ObjectInUseError(
            _("Calendar %(name)s is used by SLA targets; change them first.") % {"name": calendar.name}
        )
    event_record(actor=actor, action="sla.calendar.delete", obj=calendar, before=_snap(calendar), only_changes=False)
    calendar_id = calendar.pk
    calendar.delete()
    transaction.on_commit(lambda: calendar_changed.send(sender=Calendar, calendar_id=calendar_id))


@transaction.atomic
def calendar_day_set(*, actor: User, calendar: Calendar, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Make ``date`` a holiday or a make-up working day (replacing what it was).

    Side effects: event ``sla.calendar.day_set``; ``calendar_changed`` on commit.
    """
    require_manager(actor)
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    day = CalendarDay.objects.filter(calendar=locked, date=date).first()
    before = _snap(day) if day is not None else {}
    if day is None:
        day = CalendarDay(calendar=locked, date=date)
    day.kind = kind
    day.name = name
    _full_clean(day, exclude=["calendar"])
    if not locked.first_day <= date <= locked.last_day:
        raise ValidationError(
            {
                "date": _("The day lies outside the calendar's range (%(first)s to %(last)s).")
                % {"first": locked.first_day, "last": locked.last_day}
            }
        )
    day.save()
    _calendar_touched(locked)
    event_record(actor=actor, action="sla.calendar.day_set", obj=locked, before=before, after=_snap(day))
    return day


@transaction.atomic
def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    """Make ``day`` an ordinary day of its weekday again."""
    require_manager(actor)
    calendar = Calendar.objects.select_for_update().get(pk=day.calendar_id)
    event_record(actor=actor, action="sla.calendar.day_delete", obj=calendar, before=_snap(day), only_changes=False)
    day.delete()
    _calendar_touched(calendar)


@dataclass(frozen=True)
class DayChange:
    """One row of the preview: what saving would do to ``date``."""

    date: dt.date
    kind: str
    name: str
    change: str  # "add", "change" or "same"
    old_kind: str | None
    old_name: str | None


def calendar_days_preview(*, calendar: Calendar, entries: Sequence[DayEntry]) -> list[DayChange]:
    """What applying ``entries`` to ``calendar`` would add or change, per date (no writes)."""
    dates = [entry.date for entry in entries]
    existing = {day.date: day for day in CalendarDay.objects.filter(calendar=calendar, date__in=dates)}
    rows: list[DayChange] = []
    for entry in entries:
        old = existing.get(entry.date)
        if old is None:
            change = "add"
        elif old.kind == entry.kind and old.name == entry.name:
            change = "same"
        else:
            change = "change"
        rows.append(
            DayChange(
                date=entry.date,
                kind=entry.kind,
                name=entry.name,
                change=change,
                old_kind=old.kind if old is not None else None,
                old_name=old.name if old is not None else None,
            )
        )
    return rows


@transaction.atomic
def calendar_days_apply(*, actor: User, calendar: Calendar, entries: Sequence[DayEntry]) -> list[DayChange]:
    """Add or change the days ``entries`` name; days not named are left as they are.

    The calendar's range grows to the end of the last year named (so a new year can
    be added) and back to the start of the first one.
    Side effects: one event ``sla.calendar.days_apply`` listing the changes; ``calendar_changed`` on commit.
    """
    require_manager(actor)
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    rows = calendar_days_preview(calendar=locked, entries=entries)
    wanted = [row for row in rows if row.change != "same"]
    before_range = {"first_day": locked.first_day.isoformat(), "last_day": locked.last_day.isoformat()}
    if entries:
        last = dt.date(max(entry.date for entry in entries).year, 12, 31)
        first = dt.date(min(entry.date for entry in entries).year, 1, 1)
        locked.last_day = max(locked.last_day, last)
        locked.first_day = min(locked.first_day, first)
        locked.save(update_fields=["first_day", "last_day", "updated_at"])
    CalendarDay.objects.filter(calendar=locked, date__in=[row.date for row in wanted]).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar=locked, date=row.date, kind=row.kind, name=row.name) for row in wanted
    )
    _calendar_touched(locked)
    event_record(
        actor=actor,
        action="sla.calendar.days_apply",
        obj=locked,
        before=before_range | {"days": {row.date.isoformat(): row.old_kind for row in wanted if row.old_kind}},
        after={
            "first_day": locked.first_day.isoformat(),
            "last_day": locked.last_day.isoformat(),
            "days": {row.date.isoformat(): f"{row.kind} {row.name}".strip() for row in wanted},
        },
        only_changes=False,
    )
    return rows


# -- policies ---------------------------------------------------------------------


def _policy_touched(policy_id: int) -> None:
    transaction.on_commit(lambda: policy_changed.send(sender=SlaPolicy, policy_id=policy_id))


def _clear_other_defaults(policy: SlaPolicy) -> None:
    if policy.is_default:
        SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)


@transaction.atomic
def policy_create(*, actor: User, name: str, description: str = "", is_default: bool = False) -> SlaPolicy:
    """Create a policy; marking it default unmarks the previous default. Event ``sla.policy.create``."""
    require_manager(actor)
    policy = SlaPolicy(name=name, description=description, is_default=is_default)
    _full_clean(policy, exclude=["is_default"])
    _clear_other_defaults(policy)
    policy.save()
    event_record(actor=actor, action="sla.policy.create", obj=policy, after=_snap(policy))
    _policy_touched(policy.pk)
    return policy


@transaction.atomic
def policy_update(*, actor: User, policy: SlaPolicy, changes: Mapping[str, Any]) -> SlaPolicy:
    """Change name, description or the default mark. Event ``sla.policy.update``; ``policy_changed``."""
    require_manager(actor)
    _unknown(changes, POLICY_FIELDS)
    locked = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    before = _snap(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    _full_clean(locked, exclude=["is_default"])
    _clear_other_defaults(locked)
    locked.save()
    event_record(actor=actor, action="sla.policy.update", obj=locked, before=before, after=_snap(locked))
    _policy_touched(locked.pk)
    return locked


@transaction.atomic
def policy_delete(*, actor: User, policy: SlaPolicy) -> None:
    """Delete a policy no contract binds. Raises ObjectInUseError (409) otherwise."""
    require_manager(actor)
    event_record(actor=actor, action="sla.policy.delete", obj=policy, before=_snap(policy), only_changes=False)
    policy_id = policy.pk
    try:
        with transaction.atomic():
            policy.delete()
    except ProtectedError as exc:
        raise ObjectInUseError(
            _("Policy %(name)s is bound by contracts; unbind it there first.") % {"name": policy.name}
        ) from exc
    _policy_touched(policy_id)


def _target_errors(target: SlaTarget) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        _full_clean(target)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    kinds = {value for value, _label in registry.request_kinds()}
    if target.kind and not (target.kind in kinds if kinds else _KIND_RE.match(target.kind)):
        errors.setdefault("kind", []).append(_("Unknown request kind: %(kind)s.") % {"kind": target.kind})
    return errors


@transaction.atomic
def target_create(
    *,
    actor: User,
    policy: SlaPolicy,
    metric: str,
    seconds: int,
    calendar: Calendar,
    kind: str = "",
    level: int | None = None,
    warn_percent: int = 75,
    penalty_amount: Decimal | None = None,
) -> SlaTarget:
    """Add a target to ``policy``. Event ``sla.target.create``; ``policy_changed`` on commit.

    Raises ValidationError (field dict: a second target for the same kind, level and metric,
    an unknown kind, a duration under a minute, a warning threshold outside 1–99).
    """
    require_manager(actor)
    target = SlaTarget(
        policy=policy,
        kind=kind,
        level=level,
        metric=metric,
        seconds=seconds,
        calendar=calendar,
        warn_percent=warn_percent,
        penalty_amount=penalty_amount,
    )
    if errors := _target_errors(target):
        raise ValidationError(errors)
    target.save()
    event_record(actor=actor, action="sla.target.create", obj=target, after=_snap(target))
    _policy_touched(policy.pk)
    return target


@transaction.atomic
def target_update(*, actor: User, target: SlaTarget, changes: Mapping[str, Any]) -> SlaTarget:
    """Change a target. Event ``sla.target.update``; ``policy_changed`` on commit."""
    require_manager(actor)
    _unknown(changes, TARGET_FIELDS)
    locked = SlaTarget.objects.select_for_update().get(pk=target.pk)
    before = _snap(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    if errors := _target_errors(locked):
        raise ValidationError(errors)
    locked.save()
    event_record(actor=actor, action="sla.target.update", obj=locked, before=before, after=_snap(locked))
    _policy_touched(locked.policy_id)
    return locked


@transaction.atomic
def target_delete(*, actor: User, target: SlaTarget) -> None:
    """Delete a target and its escalation steps. Event ``sla.target.delete``."""
    require_manager(actor)
    event_record(actor=actor, action="sla.target.delete", obj=target, before=_snap(target), only_changes=False)
    policy_id = target.policy_id
    target.delete()
    _policy_touched(policy_id)


def _step_errors(step: SlaEscalationStep, users: Sequence[User] | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        _full_clean(step)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    roles = step.notify_roles
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        errors.setdefault("notify_roles", []).append(_("Give a list of role names."))
    elif unknown := sorted(set(roles) - set(Role.values)):
        errors.setdefault("notify_roles", []).append(_("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)})
    if users is not None and (clients := [str(u) for u in users if u.is_client_side]):
        errors.setdefault("notify_users", []).append(
            _("Only vendor staff can be notified of escalations, not: %(names)s.") % {"names": "、".join(clients)}
        )
    return errors


def _step_snapshot(step: SlaEscalationStep) -> dict[str, Any]:
    return _snap(step) | {"notify_users": sorted(step.notify_users.values_list("pk", flat=True))}


@transaction.atomic
def escalation_create(
    *,
    actor: User,
    target: SlaTarget,
    notify_users: Sequence[User] = (),
    **fields: Any,
) -> SlaEscalationStep:
    """Add an escalation step to ``target``. Event ``sla.escalation.create``; ``policy_changed``.

    ``fields`` are STEP_FIELDS; ``order`` defaults to after the last step.
    """
    require_manager(actor)
    _unknown(fields, STEP_FIELDS)
    if fields.get("order") is None:
        last = target.escalations.order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 1
    step = SlaEscalationStep(target=target, **fields)
    if errors := _step_errors(step, notify_users):
        raise ValidationError(errors)
    step.save()
    step.notify_users.set(notify_users)
    event_record(actor=actor, action="sla.escalation.create", obj=step, after=_step_snapshot(step))
    _policy_touched(target.policy_id)
    return step


@transaction.atomic
def escalation_update(
    *,
    actor: User,
    step: SlaEscalationStep,
    changes: Mapping[str, Any],
    notify_users: Sequence[User] | None = None,
) -> SlaEscalationStep:
    """Change an escalation step. Event ``sla.escalation.update``; ``policy_changed``."""
    require_manager(actor)
    _unknown(changes, STEP_FIELDS)
    locked = SlaEscalationStep.objects.select_for_update().get(pk=step.pk)
    before = _step_snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    if errors := _step_errors(locked, notify_users):
        raise ValidationError(errors)
    locked.save()
    if notify_users is not None:
        locked.notify_users.set(notify_users)
    event_record(actor=actor, action="sla.escalation.update", obj=locked, before=before, after=_step_snapshot(locked))
    _policy_touched(locked.target.policy_id)
    return locked


@transaction.atomic
def escalation_delete(*, actor: User, step: SlaEscalationStep) -> None:
    require_manager(actor)
    event_record(actor=actor, action="sla.escalation.delete", obj=step, before=_step_snapshot(step), only_changes=False)
    policy_id = step.target.policy_id
    step.delete()
    _policy_touched(policy_id)
