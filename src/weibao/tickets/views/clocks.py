"""Staff pages of the service-level clocks: re-apply the policy, waive a target, requests breaching soon."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from weibao.core.errors import PermissionDeniedError, WeibaoError
from weibao.tickets import clock_selectors
from weibao.tickets.models import SlaClock
from weibao.tickets.services.clocks import clock_waive, clocks_reapply
from weibao.tickets.views._common import actor_of, detail_url, ticket_or_404, to_portal

BREACHING_LIMIT = 200


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


def _errors_message(exc: ValidationError | forms.Form) -> str:
    errors: Any = exc.message_dict if isinstance(exc, ValidationError) else exc.errors
    return " ".join(str(m) for messages_ in errors.values() for m in messages_)


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
        messages.error(request, _errors_message(exc))
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The target was waived."))
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
