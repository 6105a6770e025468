"""Small pieces every archive page uses: the actor, 404/403 handling, form and delete flows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.models import AuditEvent, User
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors

T = TypeVar("T")


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def found[T](fetch: Callable[..., T], **kwargs: Any) -> T:
    """Call a selector; an object out of scope becomes a 404 page."""
    try:
        return fetch(**kwargs)
    except ObjectNotFoundError as exc:
        raise Http404 from exc


def denied(request: HttpRequest) -> HttpResponse | None:
    """A 403 page when the actor may not write the archive; checked after the object was found."""
    if actor_of(request).can_write_archive:
        return None
    message = _("You may not change the client archive.")
    return render(request, "customers/forbidden.html", {"message": message}, status=403)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    message: str,
    title: str,
    cancel_url: str,
    events: Any = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a service) and redirect to ``done(result)``."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(done(result))
    context = {"form": form, "title": title, "cancel_url": cancel_url, "events": events}
    return render(request, "customers/form.html", context)


def delete_page(
    request: HttpRequest, obj: Any, *, delete: Callable[[], None], cancel_url: str, done_url: str, message: str
) -> HttpResponse:
    """Confirm on GET; on POST call ``delete`` (a service) and go to ``done_url``."""
    if request.method == "POST":
        try:
            delete()
        except WeibaoError as exc:
            messages.error(request, exc.message)
            return redirect(cancel_url)
        messages.success(request, message)
        return redirect(done_url)
    return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": cancel_url})


def history(obj: Any) -> Any:
    return AuditEvent.objects.for_object(obj)[:50]
