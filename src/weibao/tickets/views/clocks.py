"""Staff pages of the service-level clocks: re-apply the policy, waive a target or its penalty,
breaching soon, compliance per client, contract and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from weibao.contracts.models import Contract
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError, WeibaoError
from weibao.customers.models import Client
from weibao.tickets import clock_selectors
from weibao.tickets.models import SlaClock
from weibao.tickets.services.clock_acts import clock_waive, clocks_reapply
from weibao.tickets.services.clock_penalty import can_waive_penalty, clock_penalty_waive
from weibao.tickets.views._common import actor_of, detail_url, ticket_or_404, to_portal

BREACHING_LIMIT = 200
COMPLIANCE_DAYS = dt.timedelta(days=29)  # with today: the last 30 days


class ReapplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)


class WaiveForm(forms.Form):
    clock = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    agreed_by = forms.CharField(
        label=gettext_lazy("Agreed by (client side)"),
        max_length=150,
        help_text=gettext_lazy("Both sides agree to a waiver (R1.3): name the client's person."),
    )


class ComplianceForm(forms.Form):
    """Filters of the compliance page; the period is whole local days, the last 30 by default."""

    client = forms.ModelChoiceField(
        label=gettext_lazy("Client"), queryset=Client.objects.order_by("name"), required=False
    )
    contract = forms.ModelChoiceField(
        label=gettext_lazy("Contract"), queryset=Contract.objects.order_by("number"), required=False
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - COMPLIANCE_DAYS
        if end < start:
            self.add_error("end", _("The end must be after the start."))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start 00:00, end + 1 day 00:00)`` in the local time zone."""
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.cleaned_data["start"], dt.time(), tzinfo=zone)
        end = dt.datetime.combine(self.cleaned_data["end"] + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return start, end


class PenaltyWaiveForm(forms.Form):
    breach = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)
    approved_by = forms.CharField(label=gettext_lazy("Approved by"), max_length=100)


def _errors_message(exc: ValidationError | forms.Form, form: forms.Form | None = None) -> str:
    """Every error as one sentence, each prefixed with the label of the field it concerns."""
    errors: Any = exc.message_dict if isinstance(exc, ValidationError) else exc.errors
    fields = (form or (exc if isinstance(exc, forms.Form) else None) or forms.Form()).fields
    parts = []
    for name, messages_ in errors.items():
        label = fields[name].label if name in fields and fields[name].label else None
        text = " ".join(str(m) for m in messages_)
        parts.append(_("%(field)s: %(problem)s") % {"field": label, "problem": text} if label else text)
    return " ".join(parts)


@login_required
@require_http_methods(["GET", "POST"])
def reapply(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-apply the governing policy to the request's running clocks."""
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    if request.method != "POST":
        return redirect(detail_url(ticket, "sla"))
    form = ReapplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors_message(form))
        return redirect(detail_url(ticket, "sla"))
    try:
        clocks_reapply(actor=actor_of(request), ticket_id=ticket.pk, expected_version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, _errors_message(exc))
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The service-level policy was re-applied."))
    return redirect(detail_url(ticket, "sla"))


@login_required
@require_http_methods(["GET", "POST"])
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    """Waive one running target of the request, with the reason and the client's consenting person."""
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    if request.method != "POST":
        return redirect(detail_url(ticket, "sla"))
    form = WaiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors_message(form))
        return redirect(detail_url(ticket, "sla"))
    if not SlaClock.objects.filter(pk=form.cleaned_data["clock"], ticket=ticket).exists():
        messages.error(request, _("This clock is not one of this request's."))
        return redirect(detail_url(ticket, "sla"))
    try:
        clock_waive(
            actor=actor_of(request),
            clock_id=form.cleaned_data["clock"],
            reason=form.cleaned_data["reason"],
            agreed_by=form.cleaned_data["agreed_by"],
        )
    except ValidationError as exc:
        messages.error(request, _errors_message(exc, form))
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The target was waived."))
    return redirect(detail_url(ticket, "sla"))


@login_required
@require_http_methods(["GET", "POST"])
def penalty_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """Waive the deposit penalty a missed target posted, with the reason and the approver (R2.4)."""
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    if not can_waive_penalty(actor_of(request)):
        raise PermissionDenied(_("You may not change contracts."))
    if request.method != "POST":
        return redirect(detail_url(ticket, "sla"))
    form = PenaltyWaiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors_message(form))
        return redirect(detail_url(ticket, "sla"))
    try:
        clock_penalty_waive(
            actor=actor_of(request),
            ticket_id=ticket.pk,
            breach_id=form.cleaned_data["breach"],
            reason=form.cleaned_data["reason"],
            approved_by=form.cleaned_data["approved_by"],
        )
    except ValidationError as exc:
        messages.error(request, _errors_message(exc, form))
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The penalty was waived and its amount returned to the deposit."))
    return redirect(detail_url(ticket, "sla"))


@login_required
@require_GET
def breaching(request: HttpRequest) -> HttpResponse:
    """Requests whose warning passed or whose deadline falls within the chosen hours, soonest first."""
    try:
        hours = min(max(int(request.GET.get("hours") or 4), 0), 24 * 31)
    except ValueError:
        hours = 4
    try:
        clocks = list(clock_selectors.breaching_soon(actor=actor_of(request), hours=hours)[:BREACHING_LIMIT])
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    rows = [(c, clock_selectors.metric_label(c.metric)) for c in clocks]
    return render(
        request,
        "tickets/breaching.html",
        {"rows": rows, "hours": hours, "limit": BREACHING_LIMIT, "choices": [1, 4, 8, 24, 72]},
    )


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """Targets met, breached and waived per metric, for a client and/or contract and a period (vendor staff)."""
    actor = actor_of(request)
    if actor.is_client_side:
        raise PermissionDenied(_("Only vendor staff see service-level compliance here."))
    form = ComplianceForm(request.GET)  # every filter is optional: no filter is the last 30 days
    rows: list[clock_selectors.MetricCompliance] = []
    if form.is_valid():
        start, end = form.period()
        client = form.cleaned_data.get("client")
        contract = form.cleaned_data.get("contract")
        try:
            rows = clock_selectors.sla_compliance(
                actor=actor,
                start=start,
                end=end,
                client_id=client.pk if client else None,
                contract_id=contract.pk if contract else None,
            )
        except ObjectNotFoundError as exc:
            raise Http404(exc.message) from exc
    met, breached = sum(r.met for r in rows), sum(r.breached for r in rows)
    totals = {
        "met": met,
        "breached": breached,
        "waived": sum(r.waived for r in rows),
        "met_percent": round(100 * met / (met + breached), 1) if met + breached else None,
    }
    return render(request, "tickets/sla_compliance.html", {"form": form, "rows": rows, "totals": totals})
