from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.catalog.models import Product, Release


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    is_active = forms.TypedChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("In service")), ("0", _("Out of service"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )


class ProductForm(forms.ModelForm[Product]):
    class Meta:
        model = Product
        fields = ["name", "code", "description", "is_active"]


class ReleaseForm(forms.ModelForm[Release]):
    class Meta:
        model = Release
        fields = ["version", "released_on", "notes"]
        widgets = {"released_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
