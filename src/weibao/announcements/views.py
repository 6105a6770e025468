"""Announcement pages: staff write, publish and withdraw; client users read (and leave a receipt)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.accounts.models import User
from weibao.announcements import selectors, services
from weibao.announcements.forms import AnnouncementForm
from weibao.announcements.models import Announcement
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors

PAGE = 100


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _get_or_404(request: HttpRequest, pk: int) -> Announcement:
    try:
        return selectors.announcement_get(actor=_actor(request), pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def _writer(request: HttpRequest) -> User:
    actor = _actor(request)
    if actor.is_client_side:
        raise Http404(_("Not found."))
    if not services.can_announce(actor):
        raise PermissionDenied(_("You may not write announcements."))
    return actor


@login_required
@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    """Staff: every announcement with its state; client users: theirs, unread ones marked."""
    actor = _actor(request)
    announcements = list(selectors.announcement_list(actor=actor)[:PAGE])
    template = "announcements/portal_list.html" if actor.is_client_side else "announcements/list.html"
    return render(request, template, {"announcements": announcements, "can_write": services.can_announce(actor)})


@login_required
@require_GET
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement; a client user's first visit records the read receipt."""
    actor = _actor(request)
    announcement = _get_or_404(request, pk)
    if actor.is_client_side:
        services.announcement_mark_read(actor=actor, announcement=announcement)
        return render(request, "announcements/portal_detail.html", {"announcement": announcement})
    context = {
        "announcement": announcement,
        "clients": list(announcement.clients.all()),
        "reads": list(selectors.read_receipts(announcement=announcement)),
        "audience_size": len(selectors.audience_user_ids(announcement)),
        "can_write": services.can_announce(actor),
    }
    return render(request, "announcements/detail.html", context)


def _form_page(
    request: HttpRequest, form: AnnouncementForm, announcement: Announcement | None, status: int = 200
) -> HttpResponse:
    return render(request, "announcements/form.html", {"form": form, "announcement": announcement}, status=status)


@login_required
def announcement_create(request: HttpRequest) -> HttpResponse:
    actor = _writer(request)
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _form_page(request, form, None)
    if not form.is_valid():
        return _form_page(request, form, None, status=422)
    try:
        announcement = services.announcement_create(actor=actor, **form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, None, status=422)
    messages.success(request, _("The announcement is saved as a draft."))
    return redirect("announcements:detail", pk=announcement.pk)


@login_required
def announcement_update(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = _get_or_404(request, pk)
    if _actor(request).is_client_side:  # their own announcement: the reading page
        return redirect("announcements:detail", pk=pk)
    actor = _writer(request)
    form = AnnouncementForm(
        request.POST if request.method == "POST" else None, initial=AnnouncementForm.initial_of(announcement)
    )
    if request.method != "POST":
        return _form_page(request, form, announcement)
    if not form.is_valid():
        return _form_page(request, form, announcement, status=422)
    try:
        services.announcement_update(actor=actor, announcement_id=pk, changes=form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, announcement, status=422)
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The announcement is saved."))
    return redirect("announcements:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def announcement_step(request: HttpRequest, pk: int) -> HttpResponse:
    """``publish`` a draft or ``withdraw`` a published announcement (a GET shows the announcement)."""
    _get_or_404(request, pk)
    if request.method != "POST":
        return redirect("announcements:detail", pk=pk)
    actor = _writer(request)
    step = request.POST.get("step", "")
    acts = {"publish": services.announcement_publish, "withdraw": services.announcement_withdraw}
    if step not in acts:
        messages.error(request, _("Unknown step."))
        return redirect("announcements:detail", pk=pk)
    try:
        acts[step](actor=actor, announcement_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.message_dict.values() for m in ms))
    except WeibaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The announcement is published.") if step == "publish" else _("The announcement is withdrawn.")
        )
    return redirect("announcements:detail", pk=pk)
