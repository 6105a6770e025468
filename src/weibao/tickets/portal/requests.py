"""The client's requests: the list, opening one, its page, replying, withdrawing, files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.sanitize import text_to_html
from weibao.core.web import form_add_errors
from weibao.customers import selectors as customer_selectors
from weibao.customers.scope import visible_clients
from weibao.customers.uploads import attachment_disposition
from weibao.tickets import selectors
from weibao.tickets.models import Attachment, Channel, Ticket
from weibao.tickets.portal._common import (
    CLIENT_TURN,
    actor_of,
    client_steps,
    found,
    guidance,
    may_withdraw,
    portal_ticket,
    staff_elsewhere,
    step_refusal,
)
from weibao.tickets.portal._timeline import IMAGE_TYPES, timeline_entries
from weibao.tickets.portal_forms import ReplyForm, RequestCreateForm, WithdrawForm, files_errors_renamed
from weibao.tickets.procedure_selectors import procedure_records
from weibao.tickets.quality_selectors import survey_get
from weibao.tickets.selectors import CursorError, Queue, Sort, TicketFilter
from weibao.tickets.services.tickets import ticket_create, ticket_reply, ticket_transition
from weibao.tickets.workflow import Action

# Tab -> (queue, statuses); "waiting" means waiting on the client, the reader.
TABS: dict[str, tuple[str, list[str]]] = {
    "open": (Queue.ALL_OPEN, []),
    "waiting": (Queue.ALL, sorted(CLIENT_TURN)),
    "closed": (Queue.CLOSED, []),
}


def detail_url(ticket: Ticket, anchor: str = "") -> str:
    return reverse("portal:detail", kwargs={"pk": ticket.pk}) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    if (elsewhere := staff_elsewhere(request)) is not None:
        return elsewhere
    actor = actor_of(request)
    tab = request.GET.get("tab") or "open"
    if tab not in TABS:
        tab = "open"
    queue, statuses = TABS[tab]
    q = (request.GET.get("q") or "").strip()[:200]
    mine = request.GET.get("mine") == "1"
    tickets = selectors.ticket_list(
        actor=actor, filters=TicketFilter(queue=queue, status=statuses, q=q, sort=Sort.NEWEST)
    )
    if mine:
        tickets = tickets.filter(requester=actor)
    try:
        page = selectors.ticket_page(tickets, sort=Sort.NEWEST, cursor=request.GET.get("after") or "")
    except CursorError as exc:
        messages.error(request, str(exc))
        page = selectors.ticket_page(tickets, sort=Sort.NEWEST)
    waiting = selectors.ticket_list(
        actor=actor, filters=TicketFilter(queue=Queue.ALL, status=TABS["waiting"][1])
    ).count()
    context = {
        "page": page,
        "tab": tab,
        "q": q,
        "mine": mine,
        "waiting_count": waiting,
        "client_turn": CLIENT_TURN,
        "client": visible_clients(actor).first(),
    }
    return render(request, "tickets/portal/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    if (elsewhere := staff_elsewhere(request)) is not None:
        return elsewhere
    actor = actor_of(request)
    client = visible_clients(actor).first()
    if client is None:
        message = _("Your account is not linked to a client yet; ask the vendor to link it.")
        return render(request, "tickets/portal/refused.html", {"message": message}, status=403)
    deployments = customer_selectors.deployment_list(actor=actor).order_by("name")
    form = RequestCreateForm(request.POST or None, request.FILES or None, deployments=deployments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_create(
                actor=actor,
                client=client,
                title=data["title"],
                kind=data["kind"],
                channel=Channel.PORTAL,
                level=data["level"],
                description=text_to_html(data["description"]),
                deployment=data["deployment"],
                files=data["attachments"],
            )
        except ValidationError as exc:
            form_add_errors(form, files_errors_renamed(exc))
        else:
            messages.success(request, _("Request %(number)s is open.") % {"number": ticket.number})
            return redirect(detail_url(ticket))
    return render(request, "tickets/portal/create.html", {"form": form, "client": client})


def detail_response(request: HttpRequest, ticket: Ticket, *, reply_form: ReplyForm | None = None) -> HttpResponse:
    """The request page; a refused reply shows again here with its errors."""
    actor = actor_of(request)
    events = selectors.ticket_timeline(actor=actor, ticket=ticket)
    attachments = selectors.attachment_list(actor=actor, ticket=ticket)
    entries, loose_files = timeline_entries(events, attachments)
    context = {
        "ticket": ticket,
        "guidance": guidance(ticket, actor),
        "steps": client_steps(ticket, actor),
        "entries": entries,
        "loose_files": loose_files,
        "image_types": IMAGE_TYPES,
        "reply_form": reply_form or ReplyForm(),
        "records": procedure_records(actor=actor, ticket=ticket),
        "survey": survey_get(actor=actor, ticket_id=ticket.pk),
        "client_turn": CLIENT_TURN,
        "merged_into": _merged_into(ticket, actor),
    }
    status = 400 if reply_form is not None and reply_form.errors else 200
    return render(request, "tickets/portal/detail.html", context, status=status)


def _merged_into(ticket: Ticket, actor: Any) -> Ticket | None:
    if ticket.merged_into_id is None:
        return None
    try:
        return selectors.ticket_get(actor=actor, ticket_id=ticket.merged_into_id)
    except WeibaoError:
        return None


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    return detail_response(request, ticket)


@login_required
@require_http_methods(["GET", "POST"])
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    if request.method != "POST":
        return redirect(detail_url(ticket, "reply"))
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ticket_reply(
                actor=actor_of(request),
                ticket_id=ticket.pk,
                body=text_to_html(form.cleaned_data["body"]) if form.cleaned_data["body"].strip() else "",
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form_add_errors(form, files_errors_renamed(exc))
        except WeibaoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your message was added to the request."))
            return redirect(detail_url(ticket, "timeline"))
    return detail_response(request, portal_ticket(request, pk), reply_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = portal_ticket(request, pk)
    if (elsewhere := staff_elsewhere(request, ticket)) is not None:
        return elsewhere
    actor = actor_of(request)
    refusal = step_refusal(ticket, actor, Action.WITHDRAW)
    if not refusal and not may_withdraw(ticket, actor):
        refusal = _("Only the person who opened the request or their leader may withdraw it.")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            ticket_transition(
                actor=actor, ticket_id=ticket.pk, action=Action.WITHDRAW, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        except WeibaoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The request was withdrawn."))
            return redirect(detail_url(ticket))
    context = {
        "ticket": ticket,
        "form": form,
        "refusal": refusal,
        "title": _("Withdraw %(number)s") % {"number": ticket.number},
        "submit_label": _("Withdraw the request"),
        "danger": True,
    }
    return render(request, "tickets/portal/step.html", context)


def attachment_response(attachment: Attachment, *, inline: bool) -> FileResponse:
    """The stored file as a download; a picture may show inline (screenshots in the timeline)."""
    handle = found(_open, attachment=attachment)
    show = inline and attachment.content_type in IMAGE_TYPES
    response = FileResponse(handle, content_type=attachment.content_type if show else "application/octet-stream")
    disposition = attachment_disposition(attachment.original_name)
    response["Content-Disposition"] = disposition.replace("attachment;", "inline;", 1) if show else disposition
    response["X-Content-Type-Options"] = "nosniff"
    # Even a file a browser did render could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _open(*, attachment: Attachment) -> Any:
    try:
        return attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise ObjectNotFoundError(_("The stored file is missing.")) from exc


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    # Internal files are not found for client users: the selector leaves them out.
    attachment = found(selectors.attachment_get, actor=actor_of(request), attachment_id=pk)
    if (elsewhere := staff_elsewhere(request, attachment.ticket)) is not None:
        return elsewhere
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")
