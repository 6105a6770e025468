"""HTML forms for contracts and deposit movements; the services do the deciding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import CLIENT_ROLES, User
from weibao.contracts.models import PHASE_LABELS, Contract, DepositEntry
from weibao.contracts.phases import Phase
from weibao.customers.models import Client, Deployment
from weibao.customers.scope import visible_clients

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractFilterForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, label=_("Client"), empty_label=_("All clients")
    )
    phase = forms.ChoiceField(required=False, label=_("Phase"))
    q = forms.CharField(required=False, max_length=100, label=_("Search"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = visible_clients(actor)
        phase_field = self.fields["phase"]
        assert isinstance(phase_field, forms.ChoiceField)
        phase_field.choices = [("", _("All phases")), *((p.value, label) for p, label in PHASE_LABELS.items())]
        if actor.is_client_side:
            # A client user sees one client only; the filter would offer nothing.
            del self.fields["client"]

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a bad value is reported on its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        client = data.get("client")
        return {
            "client": client.pk if client is not None else None,
            "phase": Phase(data["phase"]) if data.get("phase") else None,
            "q": data.get("q") or None,
        }


class DeploymentChoiceField(forms.ModelMultipleChoiceField[Deployment]):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Deployment)
        return f"{obj.client} · {obj.name}"


class ContractForm(forms.ModelForm[Contract]):
    """Create (with client) or edit (client fixed) a contract."""

    deployments = DeploymentChoiceField(
        queryset=Deployment.objects.none(),
        required=False,
        label=_("deployments covered"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Contract
        fields = [
            "client",
            "number",
            "title",
            "scope",
            "signed_on",
            "accepted_on",
            "warranty_months",
            "ends_on",
            "service_hours",
            "post_warranty_terms",
            "amount",
            "deposit_amount",
            "penalty_per_miss",
            "deployments",
            "resident_engineers",
            "warranty_policy",
            "post_warranty_policy",
            "notes",
        ]
        widgets = {"signed_on": DATE_WIDGET, "accepted_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deployments = self.fields["deployments"]
        engineers = self.fields["resident_engineers"]
        assert isinstance(deployments, forms.ModelMultipleChoiceField)
        assert isinstance(engineers, forms.ModelMultipleChoiceField)
        if self.instance.pk is not None:
            del self.fields["client"]
            deployments.queryset = Deployment.objects.filter(client_id=self.instance.client_id).select_related("client")
        else:
            client = self.fields["client"]
            assert isinstance(client, forms.ModelChoiceField)
            client.queryset = visible_clients(actor)
            # Offered across clients; the service names any that do not belong to the chosen client.
            deployments.queryset = Deployment.objects.select_related("client").order_by("client__name", "name")
        engineers.queryset = User.objects.filter(is_active=True).exclude(role__in=CLIENT_ROLES).order_by("username")


class PaymentForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial=DepositEntry.Kind.PAYMENT)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=0.01)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PenaltyForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial=DepositEntry.Kind.PENALTY)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        required=False,
        help_text=_("Empty: the contract's penalty per missed response."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("A penalty is deducted once per reference.")
    )


class RefundForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial=DepositEntry.Kind.REFUND)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        required=False,
        help_text=_("Empty: the whole balance."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AdjustmentForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial=DepositEntry.Kind.ADJUSTMENT)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=14, decimal_places=2, help_text=_("Negative to lower the balance.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    approved_by = forms.CharField(label=_("Approved by"), max_length=100, required=False)


class WaiverForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    approved_by = forms.CharField(label=_("Approved by"), max_length=100)


DEPOSIT_FORMS: dict[str, type[forms.Form]] = {
    DepositEntry.Kind.PAYMENT: PaymentForm,
    DepositEntry.Kind.PENALTY: PenaltyForm,
    DepositEntry.Kind.REFUND: RefundForm,
    DepositEntry.Kind.ADJUSTMENT: AdjustmentForm,
}


def deposit_form(kind: str, data: Any = None) -> forms.Form:
    """The deposit form of ``kind``; its element ids carry the kind, since all four share one page."""
    return DEPOSIT_FORMS[kind](data, initial={"kind": kind}, auto_id=f"id_{kind}_%s")
