"""The client's steps in the procedure: leader sign-off, the plan, remote access, acceptance, feedback, rating.

Each page shows its form while the step is possible, and otherwise says why not
(in the procedure's own words), so that a stale link explains itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weibao.core.errors import WeibaoError
from weibao.core.web import form_add_errors
from weibao.tickets.models import Survey, Ticket
from weibao.tickets.portal._common import actor_of, is_leader, portal_ticket, staff_elsewhere, step_refusal
from weibao.tickets.portal.requests import detail_url
from weibao.tickets.portal_forms import (
    AcceptanceForm,
    FeedbackForm,
    LeaderSignoffForm,
    PlanResponseForm,
    RemoteConsentForm,
    SurveyForm,
)
from weibao.tickets.procedure_selectors import charging_terms, procedure_records
from weibao.tickets.quality_selectors import survey_get
from weibao.tickets.services.procedure import acceptance_sign, feedback_give, leader_signoff, plan_respond
from weibao.tickets.services.quality import survey_submit
from weibao.tickets.services.work import remote_consent_record
from weibao.tickets.workflow import Action, Status


def _signed_initial(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    actor = actor_of(request)
    return {"signer_name": str(actor), "version": ticket.version}


def step_page(
    request: HttpRequest,
    ticket: Ticket,
    form: forms.Form,
    *,
    refusal: str,
    save: Callable[[dict[str, Any]], Any],
    message: str,
    title: str,
    submit_label: str,
    about_template: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """Show the step's form (or why it is not possible); on a valid POST call ``save`` (a service)."""
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        except WeibaoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect(detail_url(ticket))
    if request.method == "POST" and not refusal and form.errors:
        status = 400
    context = {
        "ticket": ticket,
        "form": form,
        "refusal": refusal,
        "title": title,
        "submit_label": submit_label,
        "about_template": about_template,
        **extra,
    }
    return render(request, "tickets/portal/step.html", context, status=status)


def _version(data: dict[str, Any]) -> int | None:
    value = data.get("version")
    return value if isinstance(value, int) else None


@login_required
@require_http_methods(["GET", "POST"])
def leader_signoff_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    refusal = step_refusal(ticket, actor, Action.LEADER_APPROVE)
    status = 200
    if not is_leader(actor):
        refusal = _("Only your organisation's leader may sign off this request.")
        status = 403
    form = LeaderSignoffForm(request.POST or None, initial=_signed_initial(request, ticket))
    return step_page(
        request,
        ticket,
        form,
        refusal=refusal,
        status=status,
        save=lambda data: leader_signoff(
            actor=actor,
            ticket_id=ticket.pk,
            approve=data["approve"],
            opinion=data["opinion"],
            signer_name=data["signer_name"],
            signature=data["signature"],
            expected_version=_version(data),
        ),
        message=_("Your decision was recorded."),
        title=_("Leader sign-off of %(number)s") % {"number": ticket.number},
        submit_label=_("Sign"),
        about_template="tickets/portal/_about_request.html",
        intro=_(
            "Optimization and data-maintenance requests are carried out only with the sign-off of the client's leader."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    records = procedure_records(actor=actor, ticket=ticket)
    plan = records.current_plan
    refusal = step_refusal(ticket, actor, Action.PLAN_CONFIRM)
    if not refusal and plan is None:
        refusal = _("There is no maintenance plan to answer.")
    form = PlanResponseForm(request.POST or None, initial=_signed_initial(request, ticket))
    return step_page(
        request,
        ticket,
        form,
        refusal=refusal,
        save=lambda data: plan_respond(
            actor=actor,
            ticket_id=ticket.pk,
            confirm=data["confirm"],
            reason=data["reason"],
            signer_name=data["signer_name"],
            signature=data["signature"],
            expected_version=_version(data),
        ),
        message=_("Your answer to the plan was recorded."),
        title=_("Maintenance plan of %(number)s") % {"number": ticket.number},
        submit_label=_("Sign and send"),
        about_template="tickets/portal/_about_plan.html",
        plan=plan,
        review=records.latest_review,
        terms=charging_terms(ticket) if plan is not None else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def remote_consent_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    refusal = (
        _("%(number)s is closed; remote access is no longer needed.") % {"number": ticket.number}
        if ticket.is_closed
        else ""
    )
    form = RemoteConsentForm(request.POST or None)
    return step_page(
        request,
        ticket,
        form,
        refusal=refusal,
        save=lambda data: remote_consent_record(
            actor=actor,
            ticket_id=ticket.pk,
            granted_by_name="",
            scope=data["scope"],
            minutes_allowed=data["minutes_allowed"],
        ),
        message=_("Remote access was allowed and recorded."),
        title=_("Allow remote access for %(number)s") % {"number": ticket.number},
        submit_label=_("Allow remote access"),
        intro=_(
            "The vendor's engineers connect to your systems only with your consent. Say what they may access "
            "and for how long; your name and the time are recorded."
        ),
        consents=procedure_records(actor=actor, ticket=ticket).consents,
        about_template="tickets/portal/_about_consents.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def acceptance_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    form = AcceptanceForm(request.POST or None, initial=_signed_initial(request, ticket))
    return step_page(
        request,
        ticket,
        form,
        refusal=step_refusal(ticket, actor, Action.ACCEPT),
        save=lambda data: acceptance_sign(
            actor=actor,
            ticket_id=ticket.pk,
            accepted=data["accept"],
            opinion=data["opinion"],
            signer_name=data["signer_name"],
            signature=data["signature"],
            expected_version=_version(data),
        ),
        message=_("Your acceptance decision was signed and recorded."),
        title=_("Acceptance of %(number)s") % {"number": ticket.number},
        submit_label=_("Sign the acceptance form"),
        about_template="tickets/portal/_about_request.html",
        intro=_("Check that the problem is solved, then accept or reject the work and sign."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    form = FeedbackForm(request.POST or None, initial=_signed_initial(request, ticket))
    return step_page(
        request,
        ticket,
        form,
        refusal=step_refusal(ticket, actor, Action.FEEDBACK),
        save=lambda data: feedback_give(
            actor=actor,
            ticket_id=ticket.pk,
            opinion=data["opinion"],
            rating=data["rating"],
            comment=data["comment"],
            signer_name=data["signer_name"],
            signature=data["signature"],
            expected_version=_version(data),
        ),
        message=_("Thank you for your feedback. The request is closed."),
        title=_("Feedback on %(number)s") % {"number": ticket.number},
        submit_label=_("Sign and send"),
        about_template="tickets/portal/_about_request.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_page(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    survey = survey_get(actor=actor, ticket_id=ticket.pk)
    refusal = ""
    if survey is not None:
        refusal = _("You rated this request %(rating)s of 5 already; a request is rated once.") % {
            "rating": survey.rating
        }
    elif ticket.state != Status.ARCHIVED:
        refusal = _("%(number)s can be rated once it is closed and archived.") % {"number": ticket.number}
    form = SurveyForm(request.POST or None)
    return step_page(
        request,
        ticket,
        form,
        refusal=refusal,
        save=lambda data: survey_submit(
            actor=actor, ticket_id=ticket.pk, rating=data["rating"], comment=data["comment"], via=Survey.Via.PORTAL
        ),
        message=_("Thank you for rating the service."),
        title=_("Rate the service on %(number)s") % {"number": ticket.number},
        submit_label=_("Send the rating"),
        about_template="tickets/portal/_about_request.html",
    )
