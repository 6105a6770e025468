"""The queue page: named queues, filters, search, keyset pages, saved filters and bulk actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors
from weibao.tickets import selectors
from weibao.tickets.forms import BulkForm, QueueFilterForm, SavedFilterForm
from weibao.tickets.models import SavedFilter
from weibao.tickets.selectors import CursorError, Queue
from weibao.tickets.services import assignment, saved_filters
from weibao.tickets.services._common import is_dispatcher
from weibao.tickets.services.saved_filters import query_clean
from weibao.tickets.views._common import actor_of, flash_errors, safe_next, to_portal

# The tabs of the queue page, in the order an engineer looks at them.
TABS = [
    (Queue.MINE, gettext_lazy("Mine")),
    (Queue.TEAM, gettext_lazy("My teams")),
    (Queue.UNASSIGNED, gettext_lazy("Unassigned")),
    (Queue.WAITING, gettext_lazy("Waiting on client")),
    (Queue.FOLLOWED, gettext_lazy("Followed")),
    (Queue.SUPERVISED, gettext_lazy("Supervised")),
    (Queue.ALL_OPEN, gettext_lazy("All open")),
    (Queue.CLOSED, gettext_lazy("Closed")),
]
CURSOR = "after"


def queue_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    bulk: BulkForm | None = None,
    save: SavedFilterForm | None = None,
    selected: frozenset[int] = frozenset(),
) -> HttpResponse:
    """Render the queue for the filter in ``params``; bound forms with errors replace the blank ones."""
    actor = actor_of(request)
    filters = QueueFilterForm(params, actor=actor)
    filters.is_valid()
    ticket_filter = filters.ticket_filter()
    tickets = selectors.ticket_list(actor=actor, filters=ticket_filter)
    cursor = params.get(CURSOR, "")
    try:
        page = selectors.ticket_page(tickets, sort=ticket_filter.sort, cursor=cursor)
    except CursorError as exc:
        messages.error(request, str(exc))
        page = selectors.ticket_page(tickets, sort=ticket_filter.sort)
    query = params.copy()
    query.pop(CURSOR, None)
    query_string = query.urlencode()
    context: dict[str, Any] = {
        "filters": filters,
        "queue": ticket_filter.queue,
        "tabs": [(key, label, _with(query, queue=key)) for key, label in TABS],
        "page": page,
        "tickets": page.items,
        "query_string": query_string,
        "saved_filters": list(SavedFilter.objects.filter(owner=actor).order_by("name")),
        "save_form": save or SavedFilterForm(initial={"query": query_clean(query_string)}),
        "can_bulk": is_dispatcher(actor),
        "bulk_form": bulk or BulkForm(initial={"next": f"{reverse('tickets:queue')}?{params.urlencode()}"}),
        "selected": selected,
    }
    return render(request, "tickets/queue.html", context)


def _with(query: QueryDict, **changes: str) -> str:
    """``query`` with ``changes`` applied, as a link's query string."""
    changed = query.copy()
    for name, value in changes.items():
        changed[name] = value
    return f"?{changed.urlencode()}"


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if (away := to_portal(request)) is not None:
        return away
    return queue_page(request, request.GET)


def _back_params(request: HttpRequest, back: str) -> QueryDict:
    _path, _sep, query = back.partition("?")
    return QueryDict(query)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or close the ticked requests; all or none. Errors show on the queue page."""
    if (away := to_portal(request)) is not None:
        return away
    actor = actor_of(request)
    form = BulkForm(request.POST)
    back = safe_next(request, request.POST.get("next"), reverse("tickets:queue"))
    selected = frozenset(int(v) for v in request.POST.getlist("ticket") if v.isdigit() and len(v) < 18)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["op"] == BulkForm.ASSIGN:
                done = assignment.ticket_bulk_assign(
                    actor=actor,
                    ticket_ids=data["ticket_ids"],
                    assignee=data["assignee"],
                    team=data["team"],
                    note=data["note"],
                )
                message = _("%(n)s requests assigned.") % {"n": len(done)}
            else:
                done = assignment.ticket_bulk_close(actor=actor, ticket_ids=data["ticket_ids"], reason=data["reason"])
                message = _("%(n)s requests closed.") % {"n": len(done)}
        except ValidationError as exc:
            form_add_errors(form, exc)
        except WeibaoError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect(back)
    return queue_page(request, _back_params(request, back), bulk=form, selected=selected)


@login_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    if (away := to_portal(request)) is not None:
        return away
    form = SavedFilterForm(request.POST)
    query = query_clean(request.POST.get("query", ""))
    if form.is_valid():
        try:
            saved = saved_filters.saved_filter_create(
                actor=actor_of(request), name=form.cleaned_data["name"], query=query
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
            return redirect(f"{reverse('tickets:queue')}?{saved.query}")
    return queue_page(request, QueryDict(query), save=form)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest) -> HttpResponse:
    """Delete one of the user's own saved filters (its id in the form, so the URL names no object)."""
    if (away := to_portal(request)) is not None:
        return away
    raw = request.POST.get("id", "")
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    try:
        saved_filters.saved_filter_delete(actor=actor_of(request), saved_filter_id=int(raw))
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Saved filter deleted."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("tickets:queue")))
