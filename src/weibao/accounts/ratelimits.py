"""Rate limits on the sign-in and password-reset pages (R9), on top of the lockout.

The lockout (``lockout.py``) stops guessing one account's password; these coarse
limits stop one address from hammering the pages at all, and stop a flood of reset
mails to one mailbox. Over a limit the page is shown again with the reason and
answers 429 with Retry-After; the answer is the same whether or not an account
exists, so it reveals nothing. The limits are counted in the database
(``core.ratelimit``), so every web server shares them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.views.generic.edit import FormMixin

from weibao.accounts.middleware import request_address
from weibao.core.ratelimit import RateDecision, rate_hit, too_many_message

# (scope, key, rate) triples to count for one request.
Limits = list[tuple[str, str, str]]
ViewFunction = Callable[..., HttpResponseBase]

# Form fields kept when the page is shown again (never a password).
_KEPT_FIELDS = ("username", "email")


def login_limits(request: HttpRequest) -> Limits:
    address = request_address(request)
    return [("login.address", address, settings.RATE_LOGIN)] if address else []


def password_reset_limits(request: HttpRequest) -> Limits:
    limits: Limits = []
    address = request_address(request)
    if address:
        limits.append(("password_reset.address", address, settings.RATE_PASSWORD_RESET))
    email = str(request.POST.get("email", "")).strip().casefold()
    if email:
        limits.append(("password_reset.email", email, settings.RATE_PASSWORD_RESET))
    return limits


def _refused_page(view: ViewFunction, request: HttpRequest, decision: RateDecision) -> HttpResponse:
    """The view's own form page, unbound (nothing is validated or authenticated), with the reason."""
    view_class: Any = getattr(view, "view_class", None)
    if view_class is None or not issubclass(view_class, FormMixin):
        raise TypeError("rate-limited pages must be class-based form views")
    instance = view_class(**getattr(view, "view_initkwargs", {}))
    instance.setup(request)
    kwargs = instance.get_form_kwargs()
    kwargs.pop("data", None)
    kwargs.pop("files", None)
    kwargs["initial"] = {name: request.POST[name] for name in _KEPT_FIELDS if name in request.POST}
    form = instance.get_form_class()(**kwargs)
    form.cleaned_data = {}  # an unbound form has none, and add_error expects it
    form.add_error(None, too_many_message(decision.retry_after))
    response: HttpResponse = instance.render_to_response(instance.get_context_data(form=form), status=429)
    response["Retry-After"] = str(decision.retry_after)
    add_never_cache_headers(response)
    return response


def form_rate_limited(limits: Callable[[HttpRequest], Limits]) -> Callable[[ViewFunction], ViewFunction]:
    """Wrap a class-based form view (``as_view()``) so that its POSTs count against ``limits``.

    Every limit is counted on every POST; over any of them, the view is not run.
    Side effects: RateLimitCounter rows; ``security.rate_limited`` on a window's first refusal.
    """

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                refused = [
                    decision
                    for decision in (rate_hit(scope, key, rate) for scope, key, rate in limits(request))
                    if not decision.allowed
                ]
                if refused:
                    return _refused_page(view, request, max(refused, key=lambda d: d.retry_after))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


login_rate_limited = form_rate_limited(login_limits)
password_reset_rate_limited = form_rate_limited(password_reset_limits)
