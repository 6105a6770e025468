"""Printable forms of a request: the list of forms it has now, and each form as a PDF download.

The same URLs serve vendor staff and the request's client users; a request of another
client, and a form the request does not have yet, are both a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.pdf import pdf_response
from weibao.tickets import documents, selectors
from weibao.tickets.models import Ticket


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _ticket_or_404(request: HttpRequest, pk: int) -> Ticket:
    try:
        return selectors.ticket_get(actor=_actor(request), ticket_id=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def document_index(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_or_404(request, pk)
    context = {"ticket": ticket, "documents": documents.documents_available(ticket=ticket)}
    return render(request, "tickets/document_index.html", context)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    ticket = _ticket_or_404(request, pk)
    try:
        filename, content = documents.document_download(actor=_actor(request), ticket=ticket, form=form)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    response = pdf_response(filename, content)
    response["X-Content-Type-Options"] = "nosniff"
    # The client's data: never kept by a shared cache or the browser's back/forward cache.
    response["Cache-Control"] = "private, no-store"
    return response
