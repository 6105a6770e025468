"""Writes from the request page: procedure steps, replies, assignment, follow, supervise, edit.

Each view looks the request up in the actor's scope first (another client's is a
404 for GET and POST alike), hands client users to the portal, and answers GET
with the request page. A refused step or a stale version shows its message on
the request page and changes nothing.
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

from weibao.accounts.models import User
from weibao.core.errors import WeibaoError
from weibao.core.web import form_add_errors
from weibao.tickets.forms import AssignForm, ReplyForm, ReturnForm, SuperviseForm, TicketUpdateForm, TransitionForm
from weibao.tickets.models import Ticket
from weibao.tickets.services import assignment
from weibao.tickets.services.tickets import ticket_reply, ticket_transition, ticket_update
from weibao.tickets.views._common import actor_of, detail_url, ticket_or_404, to_portal
from weibao.tickets.views.detail import render_detail

Run = Callable[[User, Ticket, dict[str, Any]], str]
GET_POST = ["GET", "POST"]


def post_action(
    request: HttpRequest,
    pk: int,
    *,
    key: str | Callable[[Any], str],
    form: Callable[[Ticket], forms.Form],
    run: Run,
    section: str = "",
) -> HttpResponse:
    """Validate ``form``, call the service through ``run`` (which returns the success message), redirect.

    Field errors come back on the bound form; a refusal, a conflict or a missing
    permission shows as a message with the page; nothing was changed.
    """
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    if request.method != "POST":
        return redirect(detail_url(ticket, section))
    bound = form(ticket)
    status = 200
    if bound.is_valid():
        try:
            message = run(actor_of(request), ticket, bound.cleaned_data)
        except ValidationError as exc:
            form_add_errors(bound, exc)
        except WeibaoError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
        else:
            messages.success(request, message)
            return redirect(detail_url(ticket, section))
    name = key if isinstance(key, str) else key(bound)
    return render_detail(request, ticket, bound={name: bound}, status=status)


@login_required
@require_http_methods(GET_POST)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """A plain step of the procedure (hold, resume, withdraw, close); steps with a record have their own forms."""
    form = TransitionForm(request.POST or None)

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        done = ticket_transition(
            actor=actor,
            ticket_id=ticket.pk,
            action=data["action"],
            reason=data.get("reason", ""),
            expected_version=data.get("version"),
        )
        return _("%(number)s: %(action)s — now “%(status)s”.") % {
            "number": done.number,
            "action": form.label,
            "status": done.get_status_display(),
        }

    return post_action(request, pk, key=form.prefix_id, form=lambda ticket: form, run=run)


@login_required
@require_http_methods(GET_POST)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply to the client or, ticked, an internal note; with attachments."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        ticket_reply(
            actor=actor, ticket_id=ticket.pk, body=data["body"], internal=data["internal"], files=data["files"]
        )
        return _("Internal note added.") if data["internal"] else _("Reply sent.")

    return post_action(
        request,
        pk,
        key="reply",
        form=lambda ticket: ReplyForm(request.POST, request.FILES),
        run=run,
        section="timeline",
    )


@login_required
@require_http_methods(GET_POST)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Dispatch (派单) or transfer to an engineer and/or a team."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        done = assignment.ticket_assign(
            actor=actor,
            ticket_id=ticket.pk,
            assignee=data["assignee"],
            team=data["team"],
            note=data["note"],
            expected_version=data.get("version"),
        )
        who = done.assignee or done.team
        return _("Assigned to %(who)s.") % {"who": who}

    return post_action(request, pk, key="assign", form=lambda ticket: AssignForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an unassigned request (认领)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        assignment.ticket_claim(actor=actor, ticket_id=ticket.pk)
        return _("You now work on this request.")

    return post_action(request, pk, key="claim", form=lambda ticket: forms.Form(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the request back to dispatch (打回) with a reason."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        assignment.ticket_return(
            actor=actor, ticket_id=ticket.pk, reason=data["reason"], expected_version=data.get("version")
        )
        return _("The request went back to dispatch.")

    return post_action(request, pk, key="return", form=lambda ticket: ReturnForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow (关注) or, with ``follow=0``, stop following."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        on = request.POST.get("follow", "1") != "0"
        assignment.ticket_follow(actor=actor, ticket_id=ticket.pk, follow=on)
        return _("You follow this request.") if on else _("You no longer follow this request.")

    return post_action(request, pk, key="follow", form=lambda ticket: forms.Form(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the request under supervision (督办)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        assignment.ticket_supervise(
            actor=actor, ticket_id=ticket.pk, note=data["note"], expected_version=data.get("version")
        )
        return _("The request is now supervised.")

    return post_action(request, pk, key="supervise", form=lambda ticket: SuperviseForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the details; the version read with the form makes a concurrent change a conflict, not a loss."""
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    # The form edits its own copy: the page header keeps showing the stored values.
    form = TicketUpdateForm(request.POST or None, instance=Ticket.objects.get(pk=ticket.pk))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket_update(
                actor=actor_of(request),
                ticket_id=ticket.pk,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        except WeibaoError as exc:  # a stale version (TicketConflictError) or a missing permission
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, _("%(number)s saved.") % {"number": ticket.number})
            return redirect(detail_url(ticket))
    return render(request, "tickets/update.html", {"form": form, "ticket": ticket}, status=status)
