"""The staff form of an announcement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.announcements.models import Announcement
from weibao.catalog.models import Product, Release
from weibao.customers.models import Client


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)
    audience = forms.ChoiceField(label=_("Audience"), choices=Announcement.Audience.choices)
    clients = forms.ModelMultipleChoiceField(
        label=_("Clients"), queryset=Client.objects.order_by("name"), required=False
    )
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.order_by("name"), required=False)
    release = forms.ModelChoiceField(
        label=_("Version"),
        queryset=Release.objects.select_related("product").order_by("product__name", "version"),
        required=False,
    )
    pinned = forms.BooleanField(label=_("Pinned"), required=False)
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    @staticmethod
    def initial_of(announcement: Announcement) -> dict[str, Any]:
        return {
            "title": announcement.title,
            "body": announcement.body,
            "audience": announcement.audience,
            "clients": list(announcement.clients.all()),
            "product": announcement.product,
            "release": announcement.release,
            "pinned": announcement.pinned,
            "expires_at": announcement.expires_at,
        }
