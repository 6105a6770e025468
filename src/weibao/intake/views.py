"""The review page: inbound messages kept out of requests, released or discarded by agents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from weibao.accounts.models import Role, User
from weibao.intake.models import InboundMessage
from weibao.intake.parsing import parse
from weibao.intake.services import Release, client_choices, message_discard, message_process

REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.AGENT})
REASONS = {
    "sender not on the request": gettext_lazy("sender not on the request"),
    "sender matches no client": gettext_lazy("sender matches no client"),
}


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.is_client_side or not (user.is_superuser or user.role in REVIEWER_ROLES):
        raise Http404
    return user


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    rows = InboundMessage.objects.filter(state=InboundMessage.State.QUARANTINED).defer("raw").order_by("-id")[:200]
    return render(
        request, "intake/review_list.html", {"rows": [(row, REASONS.get(row.reason, row.reason)) for row in rows]}
    )


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    row = get_object_or_404(InboundMessage, pk=pk)
    mail = parse(bytes(row.raw)) if row.raw else None
    return render(
        request,
        "intake/review_detail.html",
        {"row": row, "mail": mail, "clients": client_choices(), "reasons": REASONS},
    )


@login_required
@require_POST
def review_release(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _reviewer(request)
    row = get_object_or_404(InboundMessage, pk=pk, state=InboundMessage.State.QUARANTINED)
    raw_client = request.POST.get("client", "")
    valid = {pk for pk, _name in client_choices()}
    client_id = int(raw_client) if raw_client.isdigit() and int(raw_client) in valid else None
    if raw_client and client_id is None:
        messages.error(request, _("Client: choose one of the list."))
        return redirect("intake:review_detail", pk=row.pk)
    done = message_process(message_id=row.pk, release=Release(actor=actor, client_id=client_id))
    if done.state == InboundMessage.State.DONE:
        messages.success(request, _("The message is now a request."))
        return redirect("intake:review_list")
    messages.error(request, _("The message could not be released: %(reason)s") % {"reason": done.reason})
    return redirect("intake:review_detail", pk=row.pk)


@login_required
@require_POST
def review_discard(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _reviewer(request)
    row = get_object_or_404(InboundMessage, pk=pk)
    try:
        message_discard(actor=actor, message_id=row.pk)
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("The message was discarded."))
    return redirect("intake:review_list")
