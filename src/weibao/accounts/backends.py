"""The authentication backend: Django's user-name-and-password check behind the lockout."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from weibao.accounts.audit import current_address
from weibao.accounts.lockout import Attempt, login_is_locked
from weibao.accounts.middleware import request_address
from weibao.accounts.models import User

# Set on the request when a sign-in was refused because of a lock, so that the form
# can say so and the failure is not counted a second time.
LOCKED_FLAG = "weibao_login_locked"


def attempt_of(request: HttpRequest | None, username: str) -> Attempt:
    address = current_address.get()
    if address is None and request is not None:
        address = request_address(request)
    return Attempt(username=username, address=address)


class LockoutBackend(ModelBackend):
    """While a user name or address is locked, refuse without even checking the password.

    Raising PermissionDenied stops Django from trying other backends and still sends
    ``user_login_failed``, so the refusal is audited like any failure.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is not None and login_is_locked(attempt=attempt_of(request, str(username))):
            if request is not None:
                setattr(request, LOCKED_FLAG, True)
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return user if isinstance(user, User) else None
