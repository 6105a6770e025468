"""Pages of account security: sign-in with a second step, two-factor enrolment,
login history, and the security officer's unlock and reset buttons."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from weibao.accounts import selectors
from weibao.accounts.backends import attempt_of
from weibao.accounts.forms import LoginForm, SecurityUserFilterForm, TotpCodeForm
from weibao.accounts.lockout import locked_message, lockout_release, login_failure_record, login_is_locked, user_unlock
from weibao.accounts.models import User
from weibao.accounts.twofactor import (
    recovery_codes_left,
    totp_check,
    totp_disable,
    totp_enable,
    totp_enabled,
    totp_provisioning_uri,
    totp_qr_data_uri,
    totp_reset,
    totp_secret_new,
)
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.web import form_add_errors, list_context

# Session keys: a sign-in waiting for its second step, and a secret being enrolled.
PENDING_SIGN_IN = "weibao_2fa_pending"
ENROL_SESSION_KEY = "weibao_2fa_enrolment"
# The password step is good for this long; then the whole sign-in starts again.
PENDING_SECONDS = 300


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class SignInView(auth_views.LoginView):
    """The password step; users with an authenticator continue to ``login_totp``.

    Until the code is right the session holds only the pending user's id, so it is
    not signed in.
    """

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not totp_enabled(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_SIGN_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_totp")


def _pending_sign_in(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


def _back_to_login(request: HttpRequest, message: str) -> HttpResponse:
    request.session.pop(PENDING_SIGN_IN, None)
    messages.error(request, message)
    return redirect("accounts:login")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_totp(request: HttpRequest) -> HttpResponse:
    found = _pending_sign_in(request)
    if found is None:
        return _back_to_login(request, _("Please sign in again."))
    user, pending = found
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = attempt_of(request, user.get_username())
        if login_is_locked(attempt=attempt):
            login_failure_record(attempt=attempt, reason="locked")
            return _back_to_login(request, locked_message())
        if totp_check(user=user, code=form.cleaned_data["code"]) is not None:
            request.session.pop(PENDING_SIGN_IN, None)
            auth_login(request, user, backend=str(pending["backend"]))
            return redirect(str(pending["next"]))
        login_failure_record(attempt=attempt, reason="code")
        if login_is_locked(attempt=attempt):
            return _back_to_login(request, locked_message())
        form.add_error("code", _("The code is not right. Enter the 6 digits the app shows now, or a recovery code."))
    return render(request, "accounts/login_totp.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if totp_enabled(actor):
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect("accounts:profile")
    secret = request.session.get(ENROL_SESSION_KEY)
    if not isinstance(secret, str):
        secret = request.session[ENROL_SESSION_KEY] = totp_secret_new()
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enable(actor=actor, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            request.session.pop(ENROL_SESSION_KEY, None)
            # Rendered, not redirected: the codes must never reach a session or a URL.
            return render(request, "accounts/totp_recovery_codes.html", {"codes": codes})
    uri = totp_provisioning_uri(user=actor, secret=secret)
    context = {"form": form, "qr": totp_qr_data_uri(uri), "secret": secret}
    return render(request, "accounts/totp_enrol.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp_disable_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not totp_enabled(actor):
        return redirect("accounts:profile")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_disable(actor=actor, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:profile")
    return render(request, "accounts/totp_disable.html", {"form": form, "codes_left": recovery_codes_left(actor)})


@login_required
@require_http_methods(["GET"])
def login_history(request: HttpRequest) -> HttpResponse:
    context = list_context(request, selectors.login_history(actor=_actor(request)))
    return render(request, "accounts/login_history.html", context)


def _security_actor(request: HttpRequest) -> User:
    actor = _actor(request)
    # Like the audit trail, these pages should not even exist for a client user.
    if actor.is_client_side:
        raise Http404
    if not actor.can_manage_security:
        raise PermissionDenied(_("Only security officers and administrators may manage account security."))
    return actor


@login_required
@require_http_methods(["GET"])
def security_user_list(request: HttpRequest) -> HttpResponse:
    actor = _security_actor(request)
    form = SecurityUserFilterForm(request.GET)
    form.is_valid()
    users = selectors.security_user_list(
        actor=actor, q=form.cleaned_data.get("q", ""), locked_only=bool(form.cleaned_data.get("locked"))
    )
    context = list_context(request, users, form=form, locks=list(selectors.lock_list(actor=actor)[:100]))
    return render(request, "accounts/security_user_list.html", context)


def _security_action(request: HttpRequest, action: Any) -> HttpResponseBase:
    actor = _security_actor(request)
    try:
        action(actor)
    except ObjectNotFoundError as exc:
        raise Http404 from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return redirect("accounts:security_user_list")


@login_required
@require_http_methods(["POST"])
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    def unlock(actor: User) -> None:
        user = selectors.security_user_get(actor=actor, user_id=pk)
        user_unlock(actor=actor, user=user)
        messages.success(request, _("%(user)s can sign in again.") % {"user": user.get_username()})

    return _security_action(request, unlock)


@login_required
@require_http_methods(["POST"])
def user_totp_reset_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    def reset(actor: User) -> None:
        user = selectors.security_user_get(actor=actor, user_id=pk)
        totp_reset(actor=actor, user=user)
        messages.success(request, _("Two-factor sign-in of %(user)s is reset.") % {"user": user.get_username()})

    return _security_action(request, reset)


@login_required
@require_http_methods(["POST"])
def lockout_release_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    def release(actor: User) -> None:
        throttle = lockout_release(actor=actor, throttle_id=pk)
        messages.success(request, _("The lock on %(key)s is lifted.") % {"key": throttle.key})

    return _security_action(request, release)
