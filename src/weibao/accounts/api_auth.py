"""REST API authentication: a bearer access token, or the browser session with CSRF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from weibao.accounts.models import AccessToken, User
from weibao.accounts.tokens import token_authenticate
from weibao.core.ratelimit import rate_check

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer wb_…``; a read-scoped token may only read.

    Each token may make ``settings.RATE_API_TOKEN`` requests; beyond that the answer
    is 429 with Retry-After (RateLimitedError), counted across every web server.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_authenticate(token)
        if found is None:
            return None
        user = found.user
        translation.activate(user.language)
        request.user = user
        request.auth_token = found  # type: ignore[attr-defined]
        rate_check("api.token", found.prefix, settings.RATE_API_TOKEN, actor=user)
        if request.method not in SAFE_METHODS and found.scope != AccessToken.Scope.READ_WRITE:
            raise HttpError(403, _("This token may only read."))
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


api_auth = [TokenAuth(), ActiveSessionAuth()]


def acting_user(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
