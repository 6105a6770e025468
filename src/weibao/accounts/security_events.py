"""Security events that no service writes: refused requests and rate-limit hits (R9).

- :class:`PermissionDeniedAuditMiddleware` writes ``security.permission_denied`` for
  every 403 the web UI or the API answers (a view's PermissionDenied, a service's
  PermissionDeniedError, a CSRF failure, a read-only token writing). 404s are not
  audited: to a client user, another client's object simply does not exist.
- :func:`record_rate_limited` writes ``security.rate_limited`` once per window and
  key, when ``core.ratelimit`` refuses its first request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_migrate
from django.http import HttpRequest, HttpResponse

from weibao.accounts.audit import event_record
from weibao.accounts.audit_guard import reinstall_after_migrate
from weibao.accounts.models import User
from weibao.core.errors import PermissionDeniedError
from weibao.core.ratelimit import rate_limit_exceeded

PATH_LIMIT = 500


class PermissionDeniedAuditMiddleware:
    """Audit every 403 answer; turn an uncaught PermissionDeniedError into a 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            permission_denied_record(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDeniedError):
            # Django answers its own PermissionDenied with the 403 page (and our __call__ audits it).
            raise PermissionDenied(exception.message) from exception
        return None


def permission_denied_record(request: HttpRequest) -> None:
    """Write ``security.permission_denied`` for this request (actor, address, path, method)."""
    user = getattr(request, "user", None)
    actor = user if isinstance(user, User) and user.is_authenticated else None
    event_record(
        actor=actor,
        actor_label=None if actor is not None else "anonymous",
        action="security.permission_denied",
        after={"path": request.path[:PATH_LIMIT], "method": request.method or ""},
    )


def record_rate_limited(
    sender: object, *, scope: str, key: str, limit: int, window_seconds: int, actor: object = None, **kwargs: Any
) -> None:
    user = actor if isinstance(actor, User) else None
    event_record(
        actor=user,
        actor_label=None if user is not None else (key[:150] or "anonymous"),
        action="security.rate_limited",
        after={"scope": scope, "key": key[:200], "limit": limit, "window_seconds": window_seconds},
    )


def connect() -> None:
    rate_limit_exceeded.connect(record_rate_limited, dispatch_uid="weibao.accounts.record_rate_limited")
    post_migrate.connect(reinstall_after_migrate, dispatch_uid="weibao.accounts.audit_guard")
