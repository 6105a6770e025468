"""Request plumbing of the accounts area: address and language, session timeouts, account gates."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from weibao.accounts.audit import current_address, event_record
from weibao.accounts.models import TotpDevice, User
from weibao.accounts.passwords import password_is_expired

SESSION_LOGIN_AT = "weibao_login_at"
SESSION_SEEN_AT = "weibao_seen_at"


def _valid_address(raw: object) -> str | None:
    # A malformed header must not reach the audit row's inet column and fail the write.
    try:
        return str(ipaddress.ip_address(str(raw).strip()))
    except ValueError:
        return None


def request_address(request: HttpRequest) -> str | None:
    """The client's address; X-Real-IP is believed only from a trusted proxy.

    Anyone can send the header, so only addresses in settings.TRUSTED_PROXIES
    (nginx in front of the web servers) may set it.
    """
    remote = _valid_address(request.META.get("REMOTE_ADDR"))
    forwarded = request.META.get("HTTP_X_REAL_IP")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        return _valid_address(forwarded) or remote
    return remote


class UserLanguageMiddleware:
    """Activate the signed-in user's own language and remember the request address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_address.set(request_address(request))
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            response = self.get_response(request)
            if user is not None and user.is_authenticated:
                response.headers.setdefault("Content-Language", translation.get_language() or "")
            return response
        finally:
            current_address.reset(token)


def session_start(request: HttpRequest) -> None:
    """Note the sign-in time in the session: the absolute timeout counts from it."""
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now


def _session_end_reason(request: HttpRequest, now: float) -> str | None:
    session = request.session
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return None
    if now - login_at >= settings.SESSION_COOKIE_AGE:
        return "absolute"
    if settings.SESSION_IDLE_MINUTES > 0 and now - seen_at >= settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """End a signed-in session after inactivity, and after a fixed time whatever the activity.

    WEIBAO_SESSION_IDLE_MINUTES of inactivity, or WEIBAO_SESSION_SECONDS after the sign-in,
    sign the user out; the request then goes on as anonymous, so pages send the visitor
    to the login page, which shows why. The last activity is written at most once a
    minute so that reading pages does not write the session on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            now = time.time()
            reason = _session_end_reason(request, now)
            if reason is not None:
                self._end(request, user, reason)
            elif SESSION_LOGIN_AT not in request.session:
                session_start(request)  # a session from before this middleware existed
            elif now - float(request.session.get(SESSION_SEEN_AT, 0)) >= min(60, settings.SESSION_IDLE_MINUTES * 6):
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, user: User, reason: str) -> None:
        event_record(actor=user, action="user.session_expired", obj=user, after={"reason": reason})
        logout(request)
        if reason == "idle":
            text = _("You were signed out after %(minutes)d minutes without activity. Please sign in again.") % {
                "minutes": settings.SESSION_IDLE_MINUTES
            }
        else:
            text = _("Your session has reached its maximum length. Please sign in again.")
        messages.info(request, text)


# Pages a user who must first change the password or enrol an authenticator may still open.
GATE_OPEN_URLS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:login_totp",
        "accounts:password_change",
        "accounts:password_change_done",
        "accounts:totp_enrol",
        "set_language",
    }
)


def account_gate(user: User) -> str | None:
    """What the user must do before using anything else: change the password, enrol TOTP, or nothing."""
    if password_is_expired(user):
        return "password_expired"
    if (
        settings.TOTP_REQUIRED_FOR_ADMINS
        and user.is_administrator
        and not TotpDevice.objects.filter(user=user).exists()
    ):
        return "totp_required"
    return None


class AccountGateMiddleware:
    """Keep a user with an expired password, or an administrator without required TOTP, on that one page.

    Token-authenticated API calls are not affected (they carry no session user).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        gate = account_gate(user) if isinstance(user, User) and user.is_authenticated else None
        request.account_gate = gate  # type: ignore[attr-defined]
        if gate is None or self._open(request):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            if request.headers.get("Authorization"):
                return self.get_response(request)
            return JsonResponse({"detail": _("Change your password or set up two-factor sign-in first.")}, status=403)
        return redirect("accounts:password_change" if gate == "password_expired" else "accounts:totp_enrol")

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in GATE_OPEN_URLS
