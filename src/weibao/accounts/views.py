"""Pages of the accounts area: sign-in pages, profile, API tokens, audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from weibao.accounts import selectors
from weibao.accounts.audit_export import audit_export_start, export_lines
from weibao.accounts.forms import AuditFilterForm, ProfileForm, TokenCreateForm
from weibao.accounts.models import User
from weibao.accounts.services import user_update_profile
from weibao.accounts.tokens import token_create, token_revoke
from weibao.accounts.twofactor import recovery_codes_left, totp_enabled
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.web import form_add_errors, list_context


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=actor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(
                actor=actor,
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            # The confirmation already speaks the language just chosen.
            translation.activate(actor.language)
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, actor.language, samesite="Lax")
            return response
    context = {"form": form, "totp_enabled": totp_enabled(actor), "recovery_codes_left": recovery_codes_left(actor)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET"])
def token_list(request: HttpRequest) -> HttpResponse:
    context = list_context(request, selectors.token_list(actor=_actor(request)))
    return render(request, "accounts/token_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                actor=_actor(request),
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expiry(),
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            # Rendered, not redirected: the plaintext must never reach a session or a URL.
            return render(
                request, "accounts/token_created.html", {"token": issued.token, "plaintext": issued.plaintext}
            )
    return render(request, "accounts/token_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    try:
        token = selectors.token_get(actor=actor, token_id=pk)
        if request.method == "POST":
            token_revoke(actor=actor, token_id=token.pk)
            messages.success(request, _("The token has been revoked."))
            return redirect("accounts:token_list")
    except ObjectNotFoundError as exc:
        raise Http404 from exc
    return render(request, "accounts/token_revoke.html", {"token": token})


@login_required
@require_http_methods(["GET"])
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    # The audit trail is no client object, but to a client user it should not even exist.
    if actor.is_client_side:
        raise Http404
    form = AuditFilterForm(request.GET, object_types=selectors.audit_object_types())
    try:
        events = selectors.audit_event_list(actor=actor, **form.filters())
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    return render(request, "accounts/audit_list.html", list_context(request, events, form=form))


@login_required
@require_http_methods(["GET"])
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The audit trail under the page's filters as a download (CSV for Excel, or JSON Lines)."""
    actor = _actor(request)
    if actor.is_client_side:
        raise Http404
    form = AuditFilterForm(request.GET, object_types=selectors.audit_object_types())
    export_format = "jsonl" if request.GET.get("format") == "jsonl" else "csv"
    filters = form.filters()
    try:
        events = selectors.audit_event_list(actor=actor, **filters)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    export = audit_export_start(actor=actor, events=events, filters=filters, export_format=export_format)
    content_type = "text/csv; charset=utf-8" if export_format == "csv" else "application/x-ndjson; charset=utf-8"
    response = StreamingHttpResponse(export_lines(export), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="weibao-audit-{stamp}.{export_format}"'
    return response
