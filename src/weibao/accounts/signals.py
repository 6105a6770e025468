"""Security events Django emits (sign-in, failed sign-in, sign-out) written to the audit trail.

These are receivers, not business logic: Django's auth machinery is the sender and
the only thing done is appending an AuditEvent row (R9: who signed in, from where).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from weibao.accounts.audit import event_record
from weibao.accounts.backends import LOCKED_FLAG, attempt_of
from weibao.accounts.lockout import login_failure_record
from weibao.accounts.middleware import session_start
from weibao.accounts.models import User


def record_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    event_record(actor=user, action="user.login", obj=user)
    if request is not None and hasattr(request, "session"):
        session_start(request)


def record_login_failure(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempted = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    reason = "locked" if getattr(request, LOCKED_FLAG, False) else "password"
    login_failure_record(attempt=attempt_of(request, attempted), reason=reason)


def record_logout(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    event_record(actor=user, action="user.logout", obj=user)


def connect() -> None:
    user_logged_in.connect(record_login, dispatch_uid="weibao.accounts.record_login")
    user_login_failed.connect(record_login_failure, dispatch_uid="weibao.accounts.record_login_failure")
    user_logged_out.connect(record_logout, dispatch_uid="weibao.accounts.record_logout")
