"""Calendar pages: the overview, a calendar's working hours, holidays and make-up days, its year view."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.sla import selectors, services
from weibao.sla.access import can_manage_sla
from weibao.sla.clock import CalendarExhaustedError
from weibao.sla.forms import CalendarForm, DayForm, ExtendForm, IntervalsForm
from weibao.sla.models import Calendar, CalendarDay, Weekday
from weibao.sla.views._common import (
    actor_of,
    delete_flow,
    form_flow,
    form_page,
    get_or_404,
    posted,
    require_manager,
    staff_only,
)


@staff_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sla/index.html",
        {
            "calendars": selectors.calendar_list(),
            "policies": selectors.policy_list(),
            "can_manage": can_manage_sla(actor_of(request)),
        },
    )


# -- calendars ------------------------------------------------------------------


def _calendar_url(calendar: Calendar) -> str:
    return reverse("sla:calendar_detail", kwargs={"pk": calendar.pk})


@staff_only
def calendar_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = CalendarForm(posted(request))

    def save() -> tuple[str, str]:
        calendar = services.calendar_create(actor=actor_of(request), **form.cleaned_data)
        message = _("Calendar %(name)s created; now give it working hours.") % {"name": calendar.name}
        return message, reverse("sla:calendar_intervals", kwargs={"pk": calendar.pk})

    return form_flow(request, form, _("New calendar"), reverse("sla:index"), save)


@staff_only
@require_GET
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_or_404(selectors.calendar_get, pk)
    year = timezone.localdate().year
    weekly: dict[int, list[str]] = {}
    for interval in calendar.intervals.order_by("start"):
        end = "24:00" if interval.end == dt.time(0) else f"{interval.end:%H:%M}"
        weekly.setdefault(interval.weekday, []).append(f"{interval.start:%H:%M}–{end}")
    days = calendar.days.filter(date__year__gte=year - 1).order_by("date")
    return render(
        request,
        "sla/calendar_detail.html",
        {
            "calendar": calendar,
            "weekly": [(label, weekly.get(value, [])) for value, label in Weekday.choices],
            "days": days,
            "year": year,
            "day_form": DayForm(),
            "can_manage": can_manage_sla(actor_of(request)),
        },
    )


@staff_only
def calendar_update(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_or_404(selectors.calendar_get, pk)
    require_manager(request)
    form = CalendarForm(posted(request), instance=Calendar.objects.get(pk=pk))

    def save() -> tuple[str, str]:
        services.calendar_update(actor=actor_of(request), calendar=calendar, changes=form.cleaned_data)
        return _("Calendar saved."), _calendar_url(calendar)

    title = _("Edit calendar %(name)s") % {"name": calendar.name}
    return form_flow(request, form, title, _calendar_url(calendar), save)


@staff_only
def calendar_intervals(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_or_404(selectors.calendar_get, pk)
    require_manager(request)
    form = IntervalsForm(posted(request), calendar=calendar)
    title = _("Working hours of %(name)s") % {"name": calendar.name}
    if request.method != "POST" or not form.is_valid():
        return form_page(request, form, title, _calendar_url(calendar))
    try:
        services.calendar_set_intervals(
            actor=actor_of(request), calendar=calendar, intervals=form.cleaned_data["intervals"]
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("intervals", []):
            form.add_error(None, message)
        return form_page(request, form, title, _calendar_url(calendar))
    messages.success(request, _("Working hours saved."))
    return redirect(_calendar_url(calendar))


@staff_only
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_or_404(selectors.calendar_get, pk)
    require_manager(request)
    return delete_flow(
        request,
        calendar,
        _calendar_url(calendar),
        delete=lambda: services.calendar_delete(actor=actor_of(request), calendar=calendar),
        done=_("Calendar deleted."),
        then=reverse("sla:index"),
    )


@staff_only
def calendar_day_set(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_or_404(selectors.calendar_get, pk)
    require_manager(request)
    form = DayForm(posted(request))

    def save() -> tuple[str, str]:
        services.calendar_day_set(actor=actor_of(request), calendar=calendar, **form.cleaned_data)
        return _("Day saved."), _calendar_url(calendar)

    title = _("Holiday or make-up day in %(name)s") % {"name": calendar.name}
    return form_flow(request, form, title, _calendar_url(calendar), save)


@staff_only
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = CalendarDay.objects.select_related("calendar").filter(pk=pk).first()
    if day is None:
        raise Http404(_("Day not found."))
    require_manager(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.calendar_day_delete(actor=actor_of(request), day=day)
    messages.success(request, _("%(date)s is an ordinary day again.") % {"date": day.date.isoformat()})
    return redirect(_calendar_url(day.calendar))


@staff_only
def calendar_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Type holidays and make-up days (a new year), preview what changes, then save."""
    calendar = get_or_404(selectors.calendar_get, pk)
    require_manager(request)
    form = ExtendForm(posted(request))
    context: dict[str, Any] = {"calendar": calendar, "form": form, "preview": None}
    if request.method == "POST" and form.is_valid():
        entries = form.cleaned_data["text"]
        if "save" in request.POST:
            rows = services.calendar_days_apply(actor=actor_of(request), calendar=calendar, entries=entries)
            changed = sum(1 for row in rows if row.change != "same")
            messages.success(request, _("%(count)d days added or changed.") % {"count": changed})
            return redirect(_calendar_url(calendar))
        context["preview"] = services.calendar_days_preview(calendar=calendar, entries=entries)
    return render(request, "sla/calendar_extend.html", context)


def _month_weeks(
    year: int, month: int, working: frozenset[dt.date], days: dict[dt.date, CalendarDay]
) -> list[list[dict[str, Any] | None]]:
    weeks: list[list[dict[str, Any] | None]] = []
    for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row: list[dict[str, Any] | None] = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            special = days.get(day)
            if special is not None and special.kind == CalendarDay.Kind.WORKDAY:
                css = "makeup"
            elif special is not None:
                css = "holiday"
            elif day in working:
                css = "working"
            else:
                css = "weekend"
            row.append({"day": day, "css": css, "name": special.name if special else ""})
        weeks.append(row)
    return weeks


@staff_only
@require_GET
def calendar_year(request: HttpRequest, pk: int) -> HttpResponse:
    """Twelve month grids: working days, holidays with names, make-up days, days off."""
    calendar = get_or_404(selectors.calendar_get, pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, calendar.first_day.year), calendar.last_day.year)
    try:
        working = selectors.calendar_compiled(calendar_id=calendar.pk).working_days()
    except CalendarExhaustedError:  # pragma: no cover - the range is clamped above
        working = frozenset()
    days = {day.date: day for day in calendar.days.filter(date__year=year)}
    months = [
        {"name": dt.date(year, month, 1), "weeks": _month_weeks(year, month, working, days)} for month in range(1, 13)
    ]
    weekday_names = [label for _value, label in Weekday.choices]
    return render(
        request,
        "sla/calendar_year.html",
        {
            "calendar": calendar,
            "year": year,
            "months": months,
            "weekday_names": weekday_names,
            "previous": year - 1 if year > calendar.first_day.year else None,
            "next": year + 1 if year < calendar.last_day.year else None,
            "working_count": sum(1 for day in working if day.year == year),
        },
    )
