"""Pages for calendars and SLA policies: vendor staff read, administrators and service managers change."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors
from weibao.sla import registry, selectors, services
from weibao.sla.access import can_manage_sla, can_read_sla
from weibao.sla.clock import CalendarExhaustedError
from weibao.sla.durations import duration_format
from weibao.sla.forms import (
    CalendarForm,
    DayForm,
    EscalationForm,
    ExtendForm,
    IntervalsForm,
    PolicyForm,
    TargetForm,
)
from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget, Weekday

View = Callable[..., HttpResponse]


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def staff_only(view: View) -> View:
    """Signed-in vendor staff only; client users get 403 (these objects belong to no client)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_sla(_actor(request)):
            raise PermissionDenied(_("Service levels are for vendor staff."))
        return view(request, *args, **kwargs)

    return wrapper


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_sla(_actor(request)):
        raise PermissionDenied(_("Only administrators and service managers may change service levels."))


def _get[T](getter: Callable[..., T], pk: int) -> T:
    try:
        return getter(pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, status: int = 200) -> HttpResponse:
    return render(request, "sla/form.html", {"form": form, "title": title, "cancel_url": cancel}, status=status)


def _confirm(request: HttpRequest, obj: object, cancel: str) -> HttpResponse:
    return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": cancel})


# -- overview -------------------------------------------------------------------


@staff_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sla/index.html",
        {
            "calendars": selectors.calendar_list(),
            "policies": selectors.policy_list(),
            "can_manage": can_manage_sla(_actor(request)),
        },
    )


# -- calendars ------------------------------------------------------------------


def _calendar_url(calendar: Calendar) -> str:
    return reverse("sla:calendar_detail", kwargs={"pk": calendar.pk})


@staff_only
def calendar_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CalendarForm(_posted(request))
    cancel = reverse("sla:index")
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, _("New calendar"), cancel)
    data = form.cleaned_data
    try:
        calendar = services.calendar_create(actor=_actor(request), **data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, _("New calendar"), cancel)
    messages.success(request, _("Calendar %(name)s created; now give it working hours.") % {"name": calendar.name})
    return redirect("sla:calendar_intervals", pk=calendar.pk)


@staff_only
@require_GET
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get(selectors.calendar_get, pk)
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
            "can_manage": can_manage_sla(_actor(request)),
        },
    )


@staff_only
def calendar_update(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get(selectors.calendar_get, pk)
    _require_manager(request)
    form = CalendarForm(_posted(request), instance=Calendar.objects.get(pk=pk))
    title = _("Edit calendar %(name)s") % {"name": calendar.name}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _calendar_url(calendar))
    try:
        services.calendar_update(actor=_actor(request), calendar=calendar, changes=form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _calendar_url(calendar))
    messages.success(request, _("Calendar saved."))
    return redirect(_calendar_url(calendar))


@staff_only
def calendar_intervals(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get(selectors.calendar_get, pk)
    _require_manager(request)
    form = IntervalsForm(_posted(request), calendar=calendar)
    title = _("Working hours of %(name)s") % {"name": calendar.name}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _calendar_url(calendar))
    try:
        services.calendar_set_intervals(
            actor=_actor(request), calendar=calendar, intervals=form.cleaned_data["intervals"]
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("intervals", []):
            form.add_error(None, message)
        return _form_page(request, form, title, _calendar_url(calendar))
    messages.success(request, _("Working hours saved."))
    return redirect(_calendar_url(calendar))


@staff_only
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get(selectors.calendar_get, pk)
    _require_manager(request)
    if request.method != "POST":
        return _confirm(request, calendar, _calendar_url(calendar))
    try:
        services.calendar_delete(actor=_actor(request), calendar=calendar)
    except WeibaoError as exc:
        messages.error(request, exc.message)
        return redirect(_calendar_url(calendar))
    messages.success(request, _("Calendar deleted."))
    return redirect("sla:index")


@staff_only
def calendar_day_set(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get(selectors.calendar_get, pk)
    _require_manager(request)
    form = DayForm(_posted(request))
    title = _("Holiday or make-up day in %(name)s") % {"name": calendar.name}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _calendar_url(calendar))
    try:
        services.calendar_day_set(actor=_actor(request), calendar=calendar, **form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _calendar_url(calendar))
    messages.success(request, _("Day saved."))
    return redirect(_calendar_url(calendar))


@staff_only
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = CalendarDay.objects.select_related("calendar").filter(pk=pk).first()
    if day is None:
        raise Http404(_("Day not found."))
    _require_manager(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.calendar_day_delete(actor=_actor(request), day=day)
    messages.success(request, _("%(date)s is an ordinary day again.") % {"date": day.date.isoformat()})
    return redirect(_calendar_url(day.calendar))


@staff_only
def calendar_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Type holidays and make-up days (a new year), preview what changes, then save."""
    calendar = _get(selectors.calendar_get, pk)
    _require_manager(request)
    form = ExtendForm(_posted(request))
    context: dict[str, Any] = {"calendar": calendar, "form": form, "preview": None}
    if request.method == "POST" and form.is_valid():
        entries = form.cleaned_data["text"]
        if "save" in request.POST:
            rows = services.calendar_days_apply(actor=_actor(request), calendar=calendar, entries=entries)
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
    calendar = _get(selectors.calendar_get, pk)
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


# -- policies -------------------------------------------------------------------


def _policy_url(policy_id: int) -> str:
    return reverse("sla:policy_detail", kwargs={"pk": policy_id})


@staff_only
def policy_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = PolicyForm(_posted(request))
    cancel = reverse("sla:index")
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, _("New SLA policy"), cancel)
    try:
        policy = services.policy_create(actor=_actor(request), **form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, _("New SLA policy"), cancel)
    messages.success(request, _("Policy %(name)s created; now add its targets.") % {"name": policy.name})
    return redirect(_policy_url(policy.pk))


@staff_only
@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _get(selectors.policy_get, pk)
    targets = list(selectors.target_list(policy=policy))
    teams = dict(registry.teams())
    rows = [
        {
            "target": target,
            "kind_label": registry.request_kind_label(target.kind) if target.kind else _("Every kind"),
            "duration": duration_format(target.seconds),
            "steps": [
                {
                    "step": step,
                    "after": duration_format(step.after_seconds),
                    "team": teams.get(step.reassign_team_id, step.reassign_team_id) if step.reassign_team_id else None,
                }
                for step in target.escalations.all()
            ],
        }
        for target in targets
    ]
    return render(
        request,
        "sla/policy_detail.html",
        {
            "policy": policy,
            "rows": rows,
            "can_manage": can_manage_sla(_actor(request)),
            "contracts": policy.warranty_contracts.count() + policy.post_warranty_contracts.count(),
        },
    )


@staff_only
def policy_update(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _get(selectors.policy_get, pk)
    _require_manager(request)
    form = PolicyForm(_posted(request), instance=SlaPolicy.objects.get(pk=pk))
    title = _("Edit policy %(name)s") % {"name": policy.name}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _policy_url(pk))
    try:
        services.policy_update(actor=_actor(request), policy=policy, changes=form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _policy_url(pk))
    messages.success(request, _("Policy saved."))
    return redirect(_policy_url(pk))


@staff_only
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _get(selectors.policy_get, pk)
    _require_manager(request)
    if request.method != "POST":
        return _confirm(request, policy, _policy_url(pk))
    try:
        services.policy_delete(actor=_actor(request), policy=policy)
    except WeibaoError as exc:
        messages.error(request, exc.message)
        return redirect(_policy_url(pk))
    messages.success(request, _("Policy deleted."))
    return redirect("sla:index")


def _target_initial(target: SlaTarget) -> dict[str, Any]:
    return {
        "metric": target.metric,
        "kind": target.kind,
        "level": target.level or "",
        "seconds": target.seconds,
        "calendar": target.calendar_id,
        "warn_percent": target.warn_percent,
        "penalty_amount": target.penalty_amount,
    }


@staff_only
def target_create(request: HttpRequest, policy_pk: int) -> HttpResponse:
    policy = _get(selectors.policy_get, policy_pk)
    _require_manager(request)
    form = TargetForm(_posted(request))
    title = _("New target in %(name)s") % {"name": policy.name}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _policy_url(policy.pk))
    try:
        services.target_create(actor=_actor(request), policy=policy, **form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _policy_url(policy.pk))
    messages.success(request, _("Target added."))
    return redirect(_policy_url(policy.pk))


@staff_only
def target_update(request: HttpRequest, pk: int) -> HttpResponse:
    target = _get(selectors.target_get, pk)
    _require_manager(request)
    form = TargetForm(_posted(request), initial=_target_initial(target))
    title = _("Edit target")
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _policy_url(target.policy_id))
    try:
        services.target_update(actor=_actor(request), target=target, changes=form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _policy_url(target.policy_id))
    messages.success(request, _("Target saved."))
    return redirect(_policy_url(target.policy_id))


@staff_only
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = _get(selectors.target_get, pk)
    _require_manager(request)
    if request.method != "POST":
        return _confirm(request, target, _policy_url(target.policy_id))
    services.target_delete(actor=_actor(request), target=target)
    messages.success(request, _("Target deleted."))
    return redirect(_policy_url(target.policy_id))


def _step_initial(step: SlaEscalationStep) -> dict[str, Any]:
    return {
        "order": step.order,
        "after_seconds": step.after_seconds,
        "raise_level": step.raise_level,
        "notify_roles": step.notify_roles,
        "notify_assignee": step.notify_assignee,
        "notify_on_duty": step.notify_on_duty,
        "notify_users": list(step.notify_users.values_list("pk", flat=True)),
        "reassign_team_id": step.reassign_team_id or "",
    }


@staff_only
def escalation_create(request: HttpRequest, target_pk: int) -> HttpResponse:
    target = _get(selectors.target_get, target_pk)
    _require_manager(request)
    form = EscalationForm(_posted(request))
    title = _("New escalation step for %(target)s") % {"target": target}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _policy_url(target.policy_id))
    try:
        services.escalation_create(
            actor=_actor(request), target=target, notify_users=list(form.cleaned_data["notify_users"]), **form.values()
        )
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _policy_url(target.policy_id))
    messages.success(request, _("Escalation step added."))
    return redirect(_policy_url(target.policy_id))


@staff_only
def escalation_update(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get(selectors.escalation_get, pk)
    _require_manager(request)
    form = EscalationForm(_posted(request), initial=_step_initial(step))
    title = _("Edit escalation step")
    policy_id = step.target.policy_id
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, title, _policy_url(policy_id))
    values = form.values()
    if values.get("order") is None:
        values["order"] = step.order
    try:
        services.escalation_update(
            actor=_actor(request), step=step, changes=values, notify_users=list(form.cleaned_data["notify_users"])
        )
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, title, _policy_url(policy_id))
    messages.success(request, _("Escalation step saved."))
    return redirect(_policy_url(policy_id))


@staff_only
def escalation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get(selectors.escalation_get, pk)
    _require_manager(request)
    policy_id = step.target.policy_id
    if request.method != "POST":
        return _confirm(request, step, _policy_url(policy_id))
    services.escalation_delete(actor=_actor(request), step=step)
    messages.success(request, _("Escalation step deleted."))
    return redirect(_policy_url(policy_id))
