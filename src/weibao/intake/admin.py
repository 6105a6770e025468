"""Administrators manage mailboxes, IM apps and webhook sources in the Django admin.

Secrets are typed into write-only fields and stored encrypted (see ``crypto``); a
webhook source's token is made here, shown once, and kept only as a digest.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.accounts.audit import event_record
from weibao.intake.crypto import secret_seal
from weibao.intake.models import ImApp, Mailbox, WebhookSource
from weibao.intake.views_hooks import token_digest


class MailboxForm(forms.ModelForm[Mailbox]):
    password = forms.CharField(
        label=gettext_lazy("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Stored encrypted; leave empty to keep the stored one."),
    )

    class Meta:
        model = Mailbox
        fields = ["name", "host", "port", "security", "username", "password", "folder", "enabled", "poll_seconds"]

    def save(self, commit: bool = True) -> Mailbox:
        if self.cleaned_data.get("password"):
            self.instance.password_encrypted = secret_seal(self.cleaned_data["password"])
        return super().save(commit)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["name", "host", "port", "security", "username", "folder", "enabled", "last_polled_at", "last_error"]
    readonly_fields = ["last_polled_at", "last_error"]

    def save_model(self, request: HttpRequest, obj: Mailbox, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        event_record(actor=request.user, action="intake.mailbox.save", obj=obj, after={"name": obj.name})  # type: ignore[arg-type]


class ImAppForm(forms.ModelForm[ImApp]):
    token = forms.CharField(label=gettext_lazy("token"), required=False, widget=forms.PasswordInput)
    aes_key = forms.CharField(
        label=gettext_lazy("EncodingAESKey / encrypt key"), required=False, widget=forms.PasswordInput
    )
    secret = forms.CharField(label=gettext_lazy("app secret"), required=False, widget=forms.PasswordInput)

    class Meta:
        model = ImApp
        fields = ["name", "platform", "key", "receive_id", "token", "aes_key", "secret", "enabled"]

    def save(self, commit: bool = True) -> ImApp:
        for field, target in (
            ("token", "token_encrypted"),
            ("aes_key", "aes_key_encrypted"),
            ("secret", "secret_encrypted"),
        ):
            if self.cleaned_data.get(field):
                setattr(self.instance, target, secret_seal(self.cleaned_data[field]))
        return super().save(commit)


@admin.register(ImApp)
class ImAppAdmin(admin.ModelAdmin[ImApp]):
    form = ImAppForm
    list_display = ["name", "platform", "key", "enabled"]

    def save_model(self, request: HttpRequest, obj: ImApp, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        event_record(actor=request.user, action="intake.imapp.save", obj=obj, after={"name": obj.name})  # type: ignore[arg-type]


@admin.register(WebhookSource)
class WebhookSourceAdmin(admin.ModelAdmin[WebhookSource]):
    list_display = ["name", "key", "enabled"]
    fields = ["name", "key", "enabled"]
    actions = ["new_token"]

    def save_model(self, request: HttpRequest, obj: WebhookSource, form: Any, change: bool) -> None:
        if not change:
            token = secrets.token_urlsafe(32)
            obj.token_sha256 = token_digest(token)
            messages.warning(
                request, _("The token of %(name)s, shown only now: %(token)s") % {"name": obj.name, "token": token}
            )
        super().save_model(request, obj, form, change)
        event_record(actor=request.user, action="intake.webhook_source.save", obj=obj, after={"name": obj.name})  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Make a new token (the old one stops working)"))
    def new_token(self, request: HttpRequest, queryset: Any) -> None:
        for source in queryset:
            token = secrets.token_urlsafe(32)
            source.token_sha256 = token_digest(token)
            source.save(update_fields=["token_sha256"])
            event_record(actor=request.user, action="intake.webhook_source.token", obj=source)  # type: ignore[arg-type]
            messages.warning(
                request, _("The token of %(name)s, shown only now: %(token)s") % {"name": source.name, "token": token}
            )
