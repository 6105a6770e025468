"""Forms of the knowledge pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.catalog.models import Product, Release
from weibao.knowledge.models import Article, Category, SearchEntry


class ArticleForm(forms.ModelForm[Article]):
    note = forms.CharField(label=_("Change note"), max_length=200, required=False)

    class Meta:
        model = Article
        fields = ["kind", "title", "category", "product", "release", "client_visible", "body", "workaround"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "workaround": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "client_visible": _("Client users see it in the portal once it is published."),
            "workaround": _("For a known error: how to get round it until it is fixed."),
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    kind = forms.ChoiceField(
        label=_("Look in"),
        required=False,
        choices=[("", _("Articles and requests")), *SearchEntry.Kind.choices],
    )
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all(), required=False)
    release = forms.ModelChoiceField(label=_("Version"), queryset=Release.objects.all(), required=False)
    type = forms.CharField(label=_("Type"), max_length=20, required=False)
    client = forms.IntegerField(label=_("Client"), min_value=1, required=False)


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *Article.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Article.Status.choices])
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all(), required=False)


class FaqForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all(), required=False)
    days = forms.IntegerField(label=_("Last days"), min_value=1, max_value=3660, initial=90, required=False)
