"""What every service-level page shares: staff only, managers change, form and delete flows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors
from weibao.sla.access import can_manage_sla, can_read_sla

View = Callable[..., HttpResponse]


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def staff_only(view: View) -> View:
    """Signed-in vendor staff only; client users get 403 (these objects belong to no client)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_sla(actor_of(request)):
            raise PermissionDenied(_("Service levels are for vendor staff."))
        return view(request, *args, **kwargs)

    return wrapper


def require_manager(request: HttpRequest) -> None:
    if not can_manage_sla(actor_of(request)):
        raise PermissionDenied(_("Only administrators and service managers may change service levels."))


def get_or_404[T](getter: Callable[..., T], pk: int) -> T:
    try:
        return getter(pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def form_page(request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, status: int = 200) -> HttpResponse:
    return render(request, "sla/form.html", {"form": form, "title": title, "cancel_url": cancel}, status=status)


def form_flow(
    request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, save: Callable[[], tuple[str, str]]
) -> HttpResponse:
    """Show ``form`` until it is posted valid, then ``save()``.

    ``save`` calls the service and returns the success message and where to go next;
    the service's ValidationError goes back onto the form, shown again.
    """
    if request.method != "POST" or not form.is_valid():
        return form_page(request, form, title, cancel)
    try:
        message, then = save()
    except ValidationError as exc:
        form_add_errors(form, exc)
        return form_page(request, form, title, cancel)
    messages.success(request, message)
    return redirect(then)


def delete_flow(
    request: HttpRequest, obj: object, cancel: str, *, delete: Callable[[], None], done: str, then: str
) -> HttpResponse:
    """Confirm on GET; on POST ``delete()`` (a refusal such as "still in use" comes back as a message)."""
    if request.method != "POST":
        return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": cancel})
    try:
        delete()
    except WeibaoError as exc:
        messages.error(request, exc.message)
        return redirect(cancel)
    messages.success(request, done)
    return redirect(then)
