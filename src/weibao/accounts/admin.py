"""Django admin for users, tokens and the (read-only) audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from weibao.accounts.lockout import lockout_release, user_unlock
from weibao.accounts.models import AccessToken, AuditEvent, LoginThrottle, User
from weibao.accounts.tokens import token_revoke
from weibao.accounts.twofactor import totp_reset
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError


def _login_through_weibao(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    # The admin's own login form would skip the lock message and the two-factor step.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


admin.site.login = _login_through_weibao  # type: ignore[method-assign]


def _actor(request: HttpRequest) -> User:
    actor = request.user
    assert isinstance(actor, User)
    return actor


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "email", "role", "language", "is_active", "last_login")
    list_filter = ("role", "language", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "email", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("display_name", "email", "phone", "language")}),
        (_("Access"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "language", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["unlock", "reset_two_factor"]

    @admin.action(description=_("Unlock the selected users"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        try:
            lifted = sum(user_unlock(actor=_actor(request), user=user) for user in queryset)
        except PermissionDeniedError as exc:
            self.message_user(request, exc.message, level="error")
            return
        self.message_user(request, _("Locks lifted: %(count)d.") % {"count": lifted})

    @admin.action(description=_("Reset two-factor sign-in of the selected users"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        try:
            reset = sum(totp_reset(actor=_actor(request), user=user) for user in queryset)
        except PermissionDeniedError as exc:
            self.message_user(request, exc.message, level="error")
            return
        self.message_user(request, _("Two-factor sign-in reset: %(count)d.") % {"count": reset})


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin[LoginThrottle]):
    """Failure counts and locks; an administrator can only look and unlock (audited)."""

    list_display = ("kind", "key", "failures", "window_started_at", "locked_until")
    list_filter = ("kind",)
    search_fields = ("key",)
    readonly_fields = ("kind", "key", "failures", "window_started_at", "locked_until")
    actions = ["release"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Unlock the selected user names and addresses"))
    def release(self, request: HttpRequest, queryset: QuerySet[LoginThrottle]) -> None:
        try:
            for throttle in queryset:
                lockout_release(actor=_actor(request), throttle_id=throttle.pk)
        except PermissionDeniedError as exc:
            self.message_user(request, exc.message, level="error")
            return
        self.message_user(request, _("The selected locks are lifted."))


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin[AccessToken]):
    """Tokens are issued by their owners; here an administrator can only look and revoke.

    Revoking goes through ``token_revoke`` so that it leaves an audit event.
    """

    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    # The hash is useless to a person and is left out entirely.
    fields = ("user", "name", "prefix", "scope", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        actor = _actor(request)
        for token in queryset:
            try:
                token_revoke(actor=actor, token_id=token.pk)
            except ObjectNotFoundError:
                continue  # a staff member who is no administrator may revoke only their own
        self.message_user(request, _("The selected tokens are revoked."))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor_label", "address", "action", "object_type", "object_repr", "client_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_repr")
    list_select_related = ("object_type",)
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        # With separation of duties the administrator may not read the audit trail here either.
        return isinstance(request.user, User) and request.user.can_read_audit and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            isinstance(request.user, User) and request.user.can_read_audit and super().has_view_permission(request, obj)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
