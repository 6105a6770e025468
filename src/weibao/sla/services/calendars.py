"""Writes to working calendars: the calendar, its weekly hours, its holidays and make-up days.

Each writes an audit row and sends ``calendar_changed`` on commit (running clocks on it are recomputed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.sla.access import require_manager
from weibao.sla.models import MIDNIGHT, Calendar, CalendarDay, WorkingInterval
from weibao.sla.services._common import ObjectInUseError, full_clean, locked_changed, snap, unknown_refuse
from weibao.sla.signals import calendar_changed
from weibao.sla.yeartext import DayEntry

CALENDAR_FIELDS = frozenset({"name", "time_zone", "always_on", "first_day", "last_day"})


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
    unknown_refuse(fields, CALENDAR_FIELDS)
    calendar = Calendar(name=name, time_zone=time_zone, always_on=always_on, **fields)
    errors: dict[str, list[str]] = {}
    try:
        full_clean(calendar, exclude=["stamp"])
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
        after=snap(calendar) | {"intervals": _intervals_snapshot(calendar)},
    )
    return calendar


@transaction.atomic
def calendar_update(*, actor: User, calendar: Calendar, changes: Mapping[str, Any]) -> Calendar:
    """Change name, time zone, 7×24 flag or the known range.

    Side effects: event ``sla.calendar.update``; ``calendar_changed`` on commit.
    """
    require_manager(actor)
    locked, before = locked_changed(Calendar, calendar.pk, changes, CALENDAR_FIELDS)
    full_clean(locked, exclude=["stamp"])
    locked.save()
    _calendar_touched(locked)
    event_record(actor=actor, action="sla.calendar.update", obj=locked, before=before, after=snap(locked))
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
    event_record(actor=actor, action="sla.calendar.delete", obj=calendar, before=snap(calendar), only_changes=False)
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
    before = snap(day) if day is not None else {}
    if day is None:
        day = CalendarDay(calendar=locked, date=date)
    day.kind = kind
    day.name = name
    full_clean(day, exclude=["calendar"])
    if not locked.first_day <= date <= locked.last_day:
        raise ValidationError(
            {
                "date": _("The day lies outside the calendar's range (%(first)s to %(last)s).")
                % {"first": locked.first_day, "last": locked.last_day}
            }
        )
    day.save()
    _calendar_touched(locked)
    event_record(actor=actor, action="sla.calendar.day_set", obj=locked, before=before, after=snap(day))
    return day


@transaction.atomic
def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    """Make ``day`` an ordinary day of its weekday again."""
    require_manager(actor)
    calendar = Calendar.objects.select_for_update().get(pk=day.calendar_id)
    event_record(actor=actor, action="sla.calendar.day_delete", obj=calendar, before=snap(day), only_changes=False)
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
