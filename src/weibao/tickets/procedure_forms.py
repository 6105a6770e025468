"""HTML forms for the maintenance procedure's records on the staff request page (R1.4–R1.12, R7).

Field names are the services' argument names, so their ValidationErrors land on
the right field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weibao.tickets.forms import DATETIME_LOCAL, MultipleFileField, UserChoiceField, workers
from weibao.tickets.models import CorrectiveAction, MaintenancePlan, Milestone, Review, WorkLog

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
DATETIME_FORMATS = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Not stated")), ("1", _("Yes")), ("0", _("No"))]


def _version() -> forms.IntegerField:
    """The request's version the form was read at: a stale step is a conflict, not an overwrite."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)


def _yes_no(value: Any) -> bool | None:
    return {"1": True, "0": False}.get(str(value))


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReviewForm(forms.Form):
    """The technical review opinion, with the maintenance plan when one is needed."""

    version = _version()
    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Review opinion"), required=False, widget=_area())
    reasonable = forms.TypedChoiceField(
        label=_("Reasonable"), required=False, choices=YES_NO, coerce=_yes_no, empty_value=None
    )
    feasible = forms.TypedChoiceField(
        label=_("Feasible"), required=False, choices=YES_NO, coerce=_yes_no, empty_value=None
    )
    mode = forms.ChoiceField(label=_("Plan: mode"), required=False, choices=[("", "—"), *MaintenancePlan.Mode.choices])
    details = forms.CharField(label=_("Plan: details"), required=False, widget=_area())
    charging = forms.ChoiceField(
        label=_("Plan: paid or free"), required=False, choices=[("", "—"), *MaintenancePlan.Charging.choices]
    )
    charging_basis = forms.CharField(label=_("Plan: basis for charging"), required=False, max_length=200)
    amount = forms.DecimalField(
        label=_("Plan: amount (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    planned_start = forms.DateField(label=_("Plan: start"), required=False, widget=DATE_WIDGET)
    planned_end = forms.DateField(label=_("Plan: end"), required=False, widget=DATE_WIDGET)

    PLAN_FIELDS = ("mode", "details", "charging", "charging_basis", "amount", "planned_start", "planned_end")

    def __init__(self, *args: Any, decisions: list[str] | None = None, optimization: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if decisions is not None:
            field = self.fields["decision"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(value, label) for value, label in Review.Decision.choices if value in decisions]
        if not optimization:
            del self.fields["reasonable"]
            del self.fields["feasible"]

    def plan(self) -> dict[str, Any] | None:
        if self.cleaned_data.get("decision") != Review.Decision.PLAN:
            return None
        return {name: self.cleaned_data.get(name) for name in self.PLAN_FIELDS}

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PLAN_FIELDS and name != "version"]

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PLAN_FIELDS]


class ResolveForm(forms.Form):
    version = _version()
    resolution = forms.CharField(label=_("What was done"), required=False, widget=_area())


class TestForm(forms.Form):
    """Tests of an implemented optimization (R1.5)."""

    version = _version()
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Tests passed")), ("0", _("Tests failed"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label=_("Test notes"), required=False, widget=_area(2))


class ArchiveForm(forms.Form):
    version = _version()
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class TaskOrderForm(forms.Form):
    engineer = UserChoiceField(label=_("Engineer"), queryset=workers())
    content = forms.CharField(label=_("Work to do"), required=False, widget=_area(2))
    onsite = forms.BooleanField(label=_("On site"), required=False)
    planned_at = forms.DateTimeField(
        label=_("Planned for"), required=False, input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engineer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = workers()


class RecordIdForm(forms.Form):
    """Names one record of the request (task order, consent, corrective action) by its id."""

    record = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)


class TaskOrderCompleteForm(RecordIdForm):
    result = forms.CharField(label=_("Result"), required=False, widget=_area(2))


class ConsentForm(forms.Form):
    """A consent to remote access the client gave by phone, e-mail … (R1.9)."""

    granted_by_name = forms.CharField(label=_("Given by (client's person)"), required=False, max_length=100)
    granted_via = forms.CharField(
        label=_("Given via"), required=False, max_length=100, help_text=_("Phone call, e-mail, WeChat …")
    )
    scope = forms.CharField(label=_("Scope"), required=False, max_length=300)
    minutes_allowed = forms.IntegerField(label=_("Minutes allowed"), min_value=1, max_value=24 * 60)
    granted_at = forms.DateTimeField(
        label=_("Given at"), required=False, input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET
    )


class WorkLogForm(forms.Form):
    """Time spent (服务机时, R1.12); remote work cites a consent."""

    mode = forms.ChoiceField(label=_("Mode"), choices=WorkLog.Mode.choices)
    started_at = forms.DateTimeField(label=_("Started at"), input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    description = forms.CharField(label=_("Work done"), required=False, widget=_area(2))
    consent = forms.TypedChoiceField(label=_("Remote-access consent"), required=False, coerce=int, empty_value=None)
    task_order = forms.TypedChoiceField(label=_("Task order"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, consents: list[Any] = (), task_orders: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        consent = self.fields["consent"]
        assert isinstance(consent, forms.ChoiceField)
        consent.choices = [("", "—"), *((c.pk, f"{c.scope}（{c.granted_by_name}）") for c in consents)]
        order = self.fields["task_order"]
        assert isinstance(order, forms.ChoiceField)
        order.choices = [("", "—"), *((t.pk, t.number) for t in task_orders)]


class DataChangeForm(forms.Form):
    """What a data-maintenance request changed (R1.6)."""

    description = forms.CharField(label=_("What was changed"), required=False, widget=_area(2))
    before = forms.CharField(label=_("Before"), required=False, widget=_area(2))
    after = forms.CharField(label=_("After"), required=False, widget=_area(2))
    rows_affected = forms.IntegerField(label=_("Rows affected"), required=False, min_value=0, max_value=2**31)
    # The services name their upload argument "files"; Django keeps form.files apart.
    files = MultipleFileField(label=_("Before/after as files"))  # type: ignore[assignment]


class MilestoneForm(forms.Form):
    """A step of an emergency (R1.10) or a personalised change (R1.11)."""

    step = forms.ChoiceField(label=_("Step"), choices=Milestone.Step.choices)
    reached_at = forms.DateTimeField(
        label=_("Reached at"), required=False, input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, steps: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if steps is not None:
            field = self.fields["step"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(value, label) for value, label in Milestone.Step.choices if value in steps]


class ComplaintForm(forms.Form):
    """The complaint record (R1.7): tracker, content, handling, result, the client's satisfaction."""

    tracker = UserChoiceField(label=_("Tracker"), required=False, queryset=workers())
    about = forms.CharField(label=_("Complaint about"), required=False, max_length=200)
    handling = forms.CharField(label=_("Handling"), required=False, widget=_area(2))
    result = forms.CharField(label=_("Result"), required=False, widget=_area(2))
    satisfaction = forms.TypedChoiceField(
        label=_("Client satisfaction"),
        required=False,
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tracker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = workers()


class CorrectiveActionForm(forms.Form):
    """A corrective or preventive action (纠正预防措施) with owner and due date."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CorrectiveAction.Kind.choices)
    description = forms.CharField(
        label=pgettext_lazy("corrective or preventive", "Action"), required=False, widget=_area(2)
    )
    owner = UserChoiceField(label=_("Owner"), required=False, queryset=workers())
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = workers()


class CorrectiveActionCompleteForm(RecordIdForm):
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=2000)


class LinkForm(forms.Form):
    """Link (or unlink) a related request, by its number."""

    number = forms.CharField(label=_("Number of the related request"), max_length=40)
    link = forms.ChoiceField(choices=[("1", "1"), ("0", "0")], required=False, widget=forms.HiddenInput)


class ParentForm(forms.Form):
    """Put the request under a parent (one outage, many clients' requests); empty removes it."""

    number = forms.CharField(label=_("Number of the parent request"), required=False, max_length=40)


class MergeForm(forms.Form):
    """Close this request as a duplicate of another (of the same client)."""

    into_id = forms.CharField(label=_("Number of the request to keep"), max_length=40)
    reason = forms.CharField(label=_("Why they are duplicates"), required=False, max_length=2000)
