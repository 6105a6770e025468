"""Registering requests by hand: the hotline call (R1.1) and the general "new request" form.

The caller's number is looked up among the contacts as it is typed (htmx asks
``caller_lookup`` for the "who is it for" part of the form); without script the
"Look up" button does the same with a full page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.accounts.models import User
from weibao.core.errors import WeibaoError
from weibao.core.web import form_add_errors
from weibao.customers.models import Client, Contact, Deployment
from weibao.customers.scope import visible_clients
from weibao.customers.selectors import contact_list, deployment_list
from weibao.tickets import selectors
from weibao.tickets.forms import HotlineForm, PartyMixin, TicketCreateForm, id_or_none
from weibao.tickets.models import Channel, Ticket
from weibao.tickets.selectors import TicketFilter
from weibao.tickets.services.tickets import ticket_create
from weibao.tickets.views._common import actor_of, detail_url, to_portal

MAX_MATCHES = 10
RECENT_REQUESTS = 5
FORMS: dict[str, type[HotlineForm] | type[TicketCreateForm]] = {"hotline": HotlineForm, "create": TicketCreateForm}


@dataclass
class Proposal:
    """Who a request is probably for, from the caller's number and what the agent chose."""

    phone: str = ""
    matches: list[Contact] = field(default_factory=list)
    client: Client | None = None
    contact: Contact | None = None
    deployment: Deployment | None = None
    caller_name: str = ""
    open_requests: list[Ticket] = field(default_factory=list)

    def initial(self) -> dict[str, Any]:
        values: dict[str, Any] = {"caller_phone": self.phone}
        if self.client is not None:
            values["client"] = self.client.pk
        if self.contact is not None:
            values["contact"] = self.contact.pk
        if self.deployment is not None:
            values["deployment"] = self.deployment.pk
        if self.caller_name:
            values["caller_name"] = self.caller_name
        return values


def _int(params: Any, name: str) -> int | None:
    return id_or_none(params.get(name))


def caller_proposal(actor: User, params: Any) -> Proposal:
    """Propose client, contact and deployment: the agent's choice first, else what the number says.

    One matching contact (or several of one client) proposes that client; one
    contact of the client and one deployment of it are chosen outright.
    """
    phone = str(params.get("caller_phone") or params.get("phone") or "").strip()[:32]
    proposal = Proposal(phone=phone, caller_name=str(params.get("caller_name") or "").strip()[:100])
    if sum(ch.isdigit() for ch in phone) >= 3:
        proposal.matches = list(contact_list(actor=actor, phone=phone).order_by("client__name", "name")[:MAX_MATCHES])
    chosen_client = _int(params, "client")
    if chosen_client is not None:
        proposal.client = visible_clients(actor).filter(pk=chosen_client).first()
    elif proposal.matches and len({c.client_id for c in proposal.matches}) == 1:
        proposal.client = proposal.matches[0].client
    if proposal.client is None:
        return proposal
    client = proposal.client
    own_matches = [c for c in proposal.matches if c.client_id == client.pk]
    chosen_contact = _int(params, "contact")
    if chosen_contact is not None:
        proposal.contact = contact_list(actor=actor, client_id=client.pk).filter(pk=chosen_contact).first()
    elif len(own_matches) == 1:
        proposal.contact = own_matches[0]
    deployments = list(deployment_list(actor=actor, client_id=client.pk).order_by("name")[:2])
    chosen_deployment = _int(params, "deployment")
    if chosen_deployment is not None:
        proposal.deployment = deployment_list(actor=actor, client_id=client.pk).filter(pk=chosen_deployment).first()
    elif len(deployments) == 1:
        proposal.deployment = deployments[0]
    if not proposal.caller_name and proposal.contact is not None:
        proposal.caller_name = proposal.contact.name
    open_filter = TicketFilter(client_id=client.pk, sort="newest")
    proposal.open_requests = list(selectors.ticket_list(actor=actor, filters=open_filter)[:RECENT_REQUESTS])
    return proposal


def _render(request: HttpRequest, template: str, form: PartyMixin, proposal: Proposal) -> HttpResponse:
    return render(request, template, {"form": form, "proposal": proposal, "form_name": form.FORM_NAME})


@login_required
@require_GET
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """The "who is it for" part of an intake form, proposed from the number and the agent's choices."""
    if (away := to_portal(request)) is not None:
        return away
    actor = actor_of(request)
    form_class = FORMS.get(request.GET.get("form", ""), HotlineForm)
    proposal = caller_proposal(actor, request.GET)
    initial = {**{k: v for k, v in request.GET.items() if k in form_class.base_fields}, **proposal.initial()}
    form = form_class(initial=initial, actor=actor, client=proposal.client)
    return _render(request, "tickets/_party.html", form, proposal)


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """Log a hotline call in under a minute; ``?phone=`` (from a telephony pop-up) starts the lookup."""
    if (away := to_portal(request)) is not None:
        return away
    actor = actor_of(request)
    if request.method == "POST" and "lookup" not in request.POST:
        form = HotlineForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            contact = data["contact"]
            try:
                ticket = ticket_create(
                    actor=actor,
                    client=data["client"],
                    deployment=data["deployment"],
                    contact=contact,
                    channel=Channel.HOTLINE,
                    kind=data["kind"],
                    level=data["level"],
                    title=data["title"],
                    description=data["description"],
                    caller_name=data["caller_name"] or (contact.name if contact else ""),
                    caller_phone=data["caller_phone"],
                    call_started_at=data["call_started_at"],
                    call_seconds=data["call_seconds"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            except WeibaoError as exc:
                form.add_error(None, exc.message)
            else:
                return _created(request, ticket)
        return _render(request, "tickets/hotline.html", form, caller_proposal(actor, request.POST))
    params = request.POST if request.method == "POST" else request.GET
    proposal = caller_proposal(actor, params)
    initial = {**{k: v for k, v in params.items() if k in HotlineForm.base_fields and v}, **proposal.initial()}
    form = HotlineForm(initial=initial, actor=actor, client=proposal.client)
    return _render(request, "tickets/hotline.html", form, proposal)


def _created(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    messages.success(request, _("Request %(number)s registered.") % {"number": ticket.number})
    return redirect(detail_url(ticket))


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A request logged by hand with its channel, optionally on a client user's behalf (代提单)."""
    if (away := to_portal(request)) is not None:
        return away
    actor = actor_of(request)
    if request.method == "POST" and "lookup" not in request.POST:
        form = TicketCreateForm(request.POST, request.FILES, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_create(
                    actor=actor,
                    client=data["client"],
                    deployment=data["deployment"],
                    contact=data["contact"],
                    requester=data["requester"],
                    channel=data["channel"],
                    kind=data["kind"],
                    level=data["level"],
                    title=data["title"],
                    description=data["description"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    files=data["files"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            except WeibaoError as exc:
                form.add_error(None, exc.message)
            else:
                return _created(request, ticket)
        return _render(request, "tickets/create.html", form, caller_proposal(actor, request.POST))
    params: QueryDict = request.POST if request.method == "POST" else request.GET
    proposal = caller_proposal(actor, params)
    initial = {**{k: v for k, v in params.items() if k in TicketCreateForm.base_fields and v}, **proposal.initial()}
    form = TicketCreateForm(initial=initial, actor=actor, client=proposal.client)
    return _render(request, "tickets/create.html", form, proposal)
