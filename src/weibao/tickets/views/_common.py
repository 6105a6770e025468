"""What every staff page shares: the actor, the scoped lookup, the portal hand-over, errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets import selectors
from weibao.tickets.models import Ticket


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def ticket_or_404(request: HttpRequest, pk: int) -> Ticket:
    """The request as the actor may see it; another client's is a 404 exactly as a missing one."""
    try:
        return selectors.ticket_get(actor=actor_of(request), ticket_id=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def portal_url(name: str, **kwargs: Any) -> str:
    """The client portal's page ``portal:<name>``; the home page while the portal has no such page."""
    try:
        return reverse(f"portal:{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return reverse("core:home")


def to_portal(request: HttpRequest, ticket: Ticket | None = None) -> HttpResponseRedirect | None:
    """Client users are served by the portal: send them to its page for the same request (or list)."""
    if not actor_of(request).is_client_side:
        return None
    if ticket is None:
        return redirect(portal_url("list"))
    return redirect(portal_url("detail", pk=ticket.pk))


def detail_url(ticket: Ticket | int, section: str = "") -> str:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return reverse("tickets:detail", kwargs={"pk": pk}) + (f"#{section}" if section else "")


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """``value`` when it is a path on this site, else ``default``: no open redirects."""
    if value and value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return default


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of a service's ValidationError, as flat text for a page message."""
    return [str(message) for message in exc.messages]


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)
