"""HTML forms for calendars and policies; the services do the deciding."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import CLIENT_ROLES, Role, User
from weibao.sla import registry
from weibao.sla.durations import duration_format, duration_parse
from weibao.sla.models import Calendar, CalendarDay, Level, Metric, SlaPolicy, Weekday
from weibao.sla.yeartext import DayEntry, YearTextError, year_text_parse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})$")


class DurationField(forms.CharField):
    """A duration typed as 15m / 4h / 1h30m / 2d; cleans to seconds."""

    def prepare_value(self, value: Any) -> Any:
        return duration_format(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return duration_parse(str(text))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CalendarForm(forms.ModelForm[Calendar]):
    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "always_on", "first_day", "last_day"]
        widgets = {"first_day": DATE_WIDGET, "last_day": DATE_WIDGET}


def spans_parse(text: str) -> list[tuple[dt.time, dt.time]]:
    """``09:00-12:00, 13:00-18:00`` into intervals; ``24:00`` and ``00:00`` as an end mean midnight."""
    spans: list[tuple[dt.time, dt.time]] = []
    for piece in re.split(r"[,，;；\s]+(?=\d)", text.strip()):
        if not piece:
            continue
        match = _SPAN.match(piece.strip())
        if match is None:
            raise ValueError(gettext("Write intervals such as 09:00-12:00, 13:00-18:00, not “%s”.") % piece)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start = dt.time(h1, m1)
            end = dt.time(0, 0) if (h2, m2) == (24, 0) else dt.time(h2, m2)
        except ValueError as exc:
            raise ValueError(gettext("“%s” is not a time of day.") % piece) from exc
        spans.append((start, end))
    return spans


def spans_format(spans: list[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(f"{s:%H:%M}-{'24:00' if e == dt.time(0) else f'{e:%H:%M}'}" for s, e in spans)


class IntervalsForm(forms.Form):
    """One line of intervals per weekday."""

    def __init__(self, *args: Any, calendar: Calendar, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for interval in calendar.intervals.order_by("start"):
            current.setdefault(interval.weekday, []).append((interval.start, interval.end))
        for weekday in Weekday:
            self.fields[f"day{weekday.value}"] = forms.CharField(
                label=weekday.label,
                required=False,
                max_length=200,
                initial=spans_format(current.get(weekday.value, [])),
                help_text=_("e.g. 09:00-12:00, 13:00-18:00; empty: no working time") if weekday.value == 1 else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        intervals: list[tuple[int, dt.time, dt.time]] = []
        for weekday in Weekday:
            name = f"day{weekday.value}"
            try:
                intervals.extend((weekday.value, s, e) for s, e in spans_parse(data.get(name) or ""))
            except ValueError as exc:
                self.add_error(name, str(exc))
        data["intervals"] = intervals
        return data


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class ExtendForm(forms.Form):
    text = forms.CharField(
        label=_("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
        max_length=20000,
        help_text=_(
            "One statement per line, e.g. 春节 2027-02-06..2027-02-13 放假; 2027-02-14 上班. # starts a comment."
        ),
    )

    def clean_text(self) -> list[DayEntry]:
        try:
            return year_text_parse(self.cleaned_data["text"])
        except YearTextError as exc:
            raise forms.ValidationError([str(error) for error in exc.errors]) from exc


class PolicyForm(forms.ModelForm[SlaPolicy]):
    class Meta:
        model = SlaPolicy
        fields = ["name", "description", "is_default"]


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    kind = forms.ChoiceField(label=_("Request kind"), required=False)
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Every level")), *Level.choices],
    )
    seconds = DurationField(label=_("Within"), help_text=_("Working time on the calendar: 15m, 4h, 1h30m, 2d (48h)."))
    calendar = forms.ModelChoiceField(label=_("Calendar"), queryset=Calendar.objects.order_by("name"))
    warn_percent = forms.IntegerField(
        label=_("Warn at (percent of the time used)"), min_value=1, max_value=99, initial=75
    )
    penalty_amount = forms.DecimalField(
        label=_("Penalty per miss (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Every kind")), *registry.request_kinds()]


def _staff_roles() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Role.choices if value not in CLIENT_ROLES]


class EscalationForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=99, required=False)
    after_seconds = DurationField(
        label=_("After the miss"), required=False, help_text=_("Wall-clock time; empty: at once.")
    )
    raise_level = forms.BooleanField(label=_("Raise the level"), required=False)
    notify_roles = forms.MultipleChoiceField(
        label=_("Notify roles"), required=False, choices=_staff_roles, widget=forms.CheckboxSelectMultiple
    )
    notify_assignee = forms.BooleanField(label=_("Notify the assignee"), required=False)
    notify_on_duty = forms.BooleanField(label=_("Notify the on-duty contact"), required=False)
    notify_users = forms.ModelMultipleChoiceField(
        label=_("Notify people"),
        required=False,
        queryset=User.objects.filter(is_active=True).exclude(role__in=CLIENT_ROLES).order_by("username"),
    )
    reassign_team_id = forms.TypedChoiceField(label=_("Reassign to team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["reassign_team_id"]
        assert isinstance(team, forms.TypedChoiceField)
        team.choices = [("", _("No reassignment")), *registry.teams()]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("notify_users", None)
        data["after_seconds"] = data.get("after_seconds") or 0
        data["notify_roles"] = list(data.get("notify_roles") or [])
        return data
