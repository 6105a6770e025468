"""HTML forms of the accounts area; every save goes through a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weibao.accounts.backends import LOCKED_FLAG
from weibao.accounts.lockout import locked_message
from weibao.accounts.models import AccessToken, User
from weibao.accounts.services import user_set_password


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class LoginForm(auth_forms.AuthenticationForm):
    """Django's sign-in form that says when a lock, not the password, refused the sign-in.

    The lock message is the same whether the password was right or not.
    """

    def get_invalid_login_error(self) -> forms.ValidationError:
        if getattr(self.request, LOCKED_FLAG, False):
            return forms.ValidationError(locked_message(), code="locked")
        return super().get_invalid_login_error()


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time password", "Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SecurityUserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=150)
    locked = forms.BooleanField(label=_("Locked only"), required=False)


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "language"]


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return user_set_password(actor=self.user, user=self.user, password=self.cleaned_data["new_password1"])


class SetPasswordForm(auth_forms.SetPasswordForm[User]):
    """The last step of a reset by e-mail: the link proved who the user is."""

    def save(self, commit: bool = True) -> Any:
        return user_set_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"], action="user.password_reset"
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset link in the language the user chose, not the requester's browser's."""

    def send_mail(  # noqa: PLR0917 -- Django's signature
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “monitoring export”.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.READ)
    expires_at = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the token works. Leave empty for no expiry."),
    )

    def expiry(self) -> dt.datetime | None:
        """The moment the token stops working: the end of the chosen day."""
        day: dt.date | None = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return start_of_day(day + dt.timedelta(days=1))


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=pgettext_lazy("audit event", "Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Object"), required=False, max_length=200)

    def __init__(self, *args: Any, object_types: list[ContentType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("All")))]
        choices += [(f"{ct.app_label}.{ct.model}", f"{ct.name} ({ct.app_label})") for ct in object_types]
        self.fields["object_type"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``audit_event_list``; the ``To`` day counts in full."""
        self.is_valid()  # invalid fields drop out of cleaned_data; the valid ones still filter
        data = self.cleaned_data
        since: dt.date | None = data.get("since")
        until: dt.date | None = data.get("until")
        return {
            "action": data.get("action", ""),
            "actor_label": data.get("actor", ""),
            "object_type": data.get("object_type", ""),
            "since": start_of_day(since) if since else None,
            "until": start_of_day(until + dt.timedelta(days=1)) if until else None,
            "q": data.get("q", ""),
        }
