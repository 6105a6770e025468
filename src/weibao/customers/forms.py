"""HTML forms of the client archive. Choice lists only offer the client's own objects."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site, TechnicalFile

ACTIVE_CHOICES = [("", _("All")), ("1", _("Active")), ("0", _("Inactive"))]


def catalog_model(field: str) -> type[Model]:
    """The catalog model behind ``Deployment.<field>``; customers and catalog never import each other."""
    model = Deployment._meta.get_field(field).related_model
    assert isinstance(model, type)
    return model


def release_choices(current_id: int | None = None) -> QuerySet[Any]:
    """Releases of products in service, plus the one a deployment already runs."""
    release = catalog_model("release")
    return (
        release._default_manager.select_related("product")
        .filter(Q(product__is_active=True) | Q(pk=current_id))
        .order_by("product__name", "-released_on", "-version")
    )


class GroupedReleaseIterator(ModelChoiceIterator):  # type: ignore[type-arg]
    """Versions grouped under their product's name, as <optgroup>s."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset if self.queryset is not None else []
        for product, releases in groupby(queryset, key=lambda release: release.product):
            yield (product.name, [self.choice(release) for release in releases])


class ReleaseChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = GroupedReleaseIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.version)


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Client.Kind.choices])
    region = forms.CharField(label=_("Region"), required=False)
    is_active = forms.TypedChoiceField(
        label=_("Status"), required=False, choices=ACTIVE_CHOICES, coerce=lambda v: v == "1", empty_value=None
    )


class DeploymentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    client = forms.ModelChoiceField(label=_("Client"), required=False, queryset=Client.objects.none())
    product = forms.ModelChoiceField(label=_("Product"), required=False, queryset=Client.objects.none())
    environment = forms.ChoiceField(
        label=_("Environment"), required=False, choices=[("", _("All")), *Deployment.Environment.choices]
    )

    def __init__(self, *args: Any, clients: QuerySet[Client], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = clients
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ModelChoiceField)
        product_field.queryset = catalog_model("product")._default_manager.order_by("name")


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = ["name", "short_name", "code", "kind", "region", "address", "email_domains", "notes", "is_active"]


class SiteForm(forms.ModelForm[Site]):
    class Meta:
        model = Site
        fields = ["name", "kind", "address", "notes"]


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "site",
            "mobile",
            "office_phone",
            "email",
            "wecom_id",
            "dingtalk_id",
            "feishu_id",
            "wechat_id",
            "is_leader",
            "notes",
        ]

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = Site.objects.filter(client=client).order_by("name")


class DeploymentForm(forms.ModelForm[Deployment]):
    release = ReleaseChoiceField(label=_("Product and version"), queryset=None)

    class Meta:
        model = Deployment
        fields = ["name", "release", "environment", "site", "url", "went_live_on", "notes"]
        widgets = {"went_live_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = Site.objects.filter(client=client).order_by("name")
        release_field = self.fields["release"]
        assert isinstance(release_field, forms.ModelChoiceField)
        release_field.queryset = release_choices(self.instance.release_id if self.instance.pk else None)


class NodeForm(forms.ModelForm[DeploymentNode]):
    class Meta:
        model = DeploymentNode
        fields = ["role", "hostname", "address", "os", "specification", "notes"]


class TechnicalFileForm(forms.ModelForm[TechnicalFile]):
    """Metadata of a technical file; the upload form adds the file itself."""

    class Meta:
        model = TechnicalFile
        fields = ["title", "kind", "deployment"]

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deployment_field = self.fields["deployment"]
        assert isinstance(deployment_field, forms.ModelChoiceField)
        deployment_field.queryset = Deployment.objects.filter(client=client).order_by("name")


class TechnicalFileUploadForm(TechnicalFileForm):
    # A plain field: size, type and storage are the service's business, so the
    # model's FileField machinery is kept out of the form.
    file = forms.FileField(label=_("File"))

    class Meta(TechnicalFileForm.Meta):
        fields = ["title", "kind", "deployment"]
