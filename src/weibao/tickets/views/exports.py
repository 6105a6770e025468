"""The queue's filtered list as an Excel or CSV download.

Only fields of the request itself are exported: never its timeline, so never an
internal note. Every text cell goes through ``weibao.core.exports.cell_safe``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.core.exports import csv_response, xlsx_response
from weibao.tickets import selectors
from weibao.tickets.forms import QueueFilterForm
from weibao.tickets.models import Channel, Level, Ticket
from weibao.tickets.models.tickets import KIND_CHOICES, STATUS_CHOICES
from weibao.tickets.views._common import actor_of, to_portal

# More rows than this is a data dump, not a list someone reads; narrow the filter instead.
EXPORT_MAX_ROWS = 50_000
FORMATS = ("xlsx", "csv")


def _header() -> list[str]:
    return [
        _("Number"),
        _("Summary"),
        _("Client"),
        _("Deployment"),
        _("Type"),
        _("Level"),
        _("Status"),
        _("Channel"),
        _("Assignee"),
        _("Team"),
        _("Contact"),
        _("Caller"),
        _("Caller's number"),
        _("Registered at"),
        _("Next deadline"),
        _("Closed at"),
        _("Times reopened"),
    ]


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def export_rows(tickets: Any, limit: int | None = None) -> Iterator[list[Any]]:
    """One row per request, at most ``limit`` (EXPORT_MAX_ROWS); a last row says so when more matched."""
    limit = EXPORT_MAX_ROWS if limit is None else limit
    # Labels are made text now: rows are read while the response streams.
    kinds = {value: str(label) for value, label in KIND_CHOICES}
    statuses = {value: str(label) for value, label in STATUS_CHOICES}
    channels = {value: str(label) for value, label in Channel.choices}
    levels = {value: str(label) for value, label in Level.choices}
    more_message = _("Only the first %(n)s requests are exported; narrow the filter to export the rest.") % {"n": limit}
    queryset = tickets.select_related("contact")[: limit + 1]
    for count, ticket in enumerate(queryset.iterator(chunk_size=2000), start=1):
        if count > limit:
            yield [more_message]
            return
        assert isinstance(ticket, Ticket)
        yield [
            ticket.number,
            ticket.title,
            ticket.client.name,
            ticket.deployment.name if ticket.deployment else "",
            kinds.get(ticket.kind, ticket.kind),
            levels.get(ticket.level, str(ticket.level)),
            statuses.get(ticket.status, ticket.status),
            channels.get(ticket.channel, ticket.channel),
            _person(ticket.assignee),
            ticket.team.name if ticket.team else "",
            ticket.contact.name if ticket.contact else "",
            ticket.caller_name,
            ticket.caller_phone,
            ticket.created_at,
            ticket.next_deadline,
            ticket.closed_at,
            ticket.reopen_count,
        ]


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """The queue's current filter (any tab, search and sort) as ``?format=xlsx`` (default) or ``csv``."""
    if (away := to_portal(request)) is not None:
        return away
    actor = actor_of(request)
    filters = QueueFilterForm(request.GET, actor=actor)
    filters.is_valid()
    tickets = selectors.ticket_list(actor=actor, filters=filters.ticket_filter())
    kind = request.GET.get("format", "xlsx")
    if kind not in FORMATS:
        return HttpResponse(_("Unknown export format."), status=400, content_type="text/plain; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = _("requests")
    if kind == "csv":
        return csv_response(f"{name}-{stamp}.csv", _header(), export_rows(tickets))
    return xlsx_response(f"{name}-{stamp}.xlsx", _("Requests"), _header(), export_rows(tickets))
