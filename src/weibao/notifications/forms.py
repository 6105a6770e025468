"""Forms of the notification settings pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import Role
from weibao.notifications.events import EVENTS
from weibao.notifications.models import PERSONAL_CHANNELS, Endpoint


def _event_choices() -> list[tuple[str, Any]]:
    return list(EVENTS.items())


class EndpointForm(forms.ModelForm[Endpoint]):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=_event_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    client_id = forms.IntegerField(
        label=_("Only for client (id)"), required=False, min_value=1, help_text=_("Empty: every client.")
    )

    class Meta:
        model = Endpoint
        fields = ["kind", "name", "url", "secret", "events", "client_id", "mention_on_duty", "enabled"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}
        help_texts = {
            "url": _(
                "WeCom: …/cgi-bin/webhook/send?key=…; DingTalk: …/robot/send?access_token=…; "
                "Feishu: …/open-apis/bot/v2/hook/…; or your own receiver."
            ),
            "secret": _("DingTalk and Feishu signing secret; the HMAC key of a webhook. Leave empty for WeCom."),
        }


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels for people"),
        choices=[(c.value, c.label) for c in PERSONAL_CHANNELS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: in-app and e-mail."),
    )
    extra_roles = forms.MultipleChoiceField(
        label=_("Also notify roles"),
        choices=[(r.value, r.label) for r in Role if r.value not in {"client_user", "client_leader"}],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Django template language: {{ number }}, {{ title }}, {{ summary }}, {{ link }} and the event's other "
            "fields. Leave both empty to use the built-in wording."
        ),
    )


LANGUAGES = dict(settings.LANGUAGES)
