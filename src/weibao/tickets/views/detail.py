"""The request page: header, timeline, the actions possible now, and attachment downloads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.core.errors import ObjectNotFoundError
from weibao.core.exports import attachment_disposition
from weibao.tickets import selectors, workflow
from weibao.tickets.forms import PLAIN_ACTIONS, AssignForm, ReplyForm, ReturnForm, SuperviseForm, TransitionForm
from weibao.tickets.models import Attachment, Ticket
from weibao.tickets.services._common import is_dispatcher, is_worker
from weibao.tickets.views._common import actor_of, ticket_or_404, to_portal
from weibao.tickets.views._records import procedure_context
from weibao.tickets.views._timeline import timeline_rows


def action_forms(ticket: Ticket, bound: dict[str, forms.Form]) -> list[TransitionForm]:
    """One small form per plain step the procedure allows vendor staff now (the others write records)."""
    found = []
    for action in workflow.actions_available(status=ticket.state, kind=ticket.kind_enum, side=workflow.Side.STAFF):
        if action not in PLAIN_ACTIONS:
            continue
        form = bound.get(f"action-{action.value}")
        if not isinstance(form, TransitionForm):
            form = TransitionForm(action=action, initial={"version": ticket.version})
        found.append(form)
    return found


def render_detail(
    request: HttpRequest, ticket: Ticket, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The request page; ``bound`` forms (with their errors) replace the blank ones of the same key."""
    actor = actor_of(request)
    bound = bound or {}
    version = {"version": ticket.version}
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": timeline_rows(selectors.ticket_timeline(actor=actor, ticket=ticket)),
        "attachments": list(selectors.attachment_list(actor=actor, ticket=ticket).select_related("uploaded_by")),
        "can_work": is_worker(actor),
        "can_dispatch": is_dispatcher(actor),
        "following": ticket.followers.filter(pk=actor.pk).exists(),
        "action_forms": action_forms(ticket, bound),
        "reply_form": bound.get("reply") or ReplyForm(),
        "assign_form": bound.get("assign") or AssignForm(initial={**version, "team": ticket.team_id}),
        "return_form": bound.get("return") or ReturnForm(initial=version),
        "supervise_form": bound.get("supervise") or SuperviseForm(initial=version),
        "children": list(ticket.children.only("pk", "number", "title", "status")),
        "merged_requests": list(ticket.merged_requests.only("pk", "number", "title")),
        "related": list(ticket.related.only("pk", "number", "title", "status")),
        "parent": ticket.parent,
        "merged_into": ticket.merged_into,
        **procedure_context(actor, ticket, bound),
    }
    return render(request, "tickets/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_or_404(request, pk)
    if (away := to_portal(request, ticket)) is not None:
        return away
    return render_detail(request, ticket)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a request as a download no browser renders or sniffs; client users never get internal ones."""
    try:
        found: Attachment = selectors.attachment_get(actor=actor_of(request), attachment_id=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("The stored file is missing.")) from exc
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = attachment_disposition(found.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser ignored the headers above, the content could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
