"""Contract pages: list, detail with the deposit ledger, create, edit, delete, deposit movements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.accounts.models import User
from weibao.contracts import selectors, services
from weibao.contracts.forms import (
    DEPOSIT_FORMS,
    ContractFilterForm,
    ContractForm,
    WaiverForm,
    deposit_form,
)
from weibao.contracts.models import Contract, DepositEntry
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.web import form_add_errors, list_context


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    try:
        return selectors.contract_get(actor=_actor(request), pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _require_writer(request: HttpRequest) -> None:
    if not _actor(request).can_write_archive:
        raise PermissionDenied(_("You may not change contracts."))


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filters = ContractFilterForm(request.GET or None, actor=actor)
    contracts = selectors.contract_list(actor=actor, **filters.filters())
    return render(
        request,
        "contracts/contract_list.html",
        list_context(request, contracts, filters=filters, can_write=actor.can_write_archive),
    )


def _detail(
    request: HttpRequest,
    contract: Contract,
    *,
    bound: forms.Form | None = None,
    waive_entry: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the detail page; ``bound`` replaces the blank form of its kind after an error."""
    actor = _actor(request)
    entries = list(selectors.deposit_entry_list(actor=actor, contract=contract))
    waived = {e.waived_entry_id for e in entries if e.waived_entry_id is not None}
    can_write = actor.can_write_archive
    rows = []
    for entry in entries:
        form = None
        if can_write and entry.kind == DepositEntry.Kind.PENALTY and entry.pk not in waived:
            form = bound if waive_entry == entry.pk and bound is not None else WaiverForm(prefix=f"waive-{entry.pk}")
        rows.append((entry, entry.pk in waived, form))
    deposit_forms: list[forms.Form] = []
    if can_write:
        for kind in DEPOSIT_FORMS:
            chosen = bound if waive_entry is None and bound is not None and bound.initial.get("kind") == kind else None
            deposit_forms.append(chosen or deposit_form(kind))
    context: dict[str, Any] = {
        "contract": contract,
        "phase": contract.phase,
        "deployments": contract.deployments.select_related("site", "product", "release"),
        "engineers": contract.resident_engineers.all(),
        "ledger": rows,
        "deposit_forms": deposit_forms,
        "can_write": can_write,
        "events": selectors.contract_events(contract),
    }
    return render(request, "contracts/contract_detail.html", context, status=status)


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _contract_or_404(request, pk))


def _form_page(request: HttpRequest, form: ContractForm, contract: Contract | None) -> HttpResponse:
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract})


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    actor = _actor(request)
    form = ContractForm(_posted(request), actor=actor)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, None)
    data = form.cleaned_data
    named = {"number", "title", "signed_on"}
    fields = {name: data[name] for name in services.CONTRACT_EDITABLE_FIELDS - named if name in data}
    try:
        contract = services.contract_create(
            actor=actor,
            client=data["client"],
            number=data["number"],
            title=data["title"],
            signed_on=data["signed_on"],
            deployments=data["deployments"],
            resident_engineers=data["resident_engineers"],
            **fields,
        )
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, None)
    messages.success(request, _("Contract %(number)s created.") % {"number": contract.number})
    return redirect("contracts:contract_detail", pk=contract.pk)


@login_required
def contract_update(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    _require_writer(request)
    actor = _actor(request)
    # The form gets its own copy: ModelForm validation writes the posted values onto its instance.
    form = ContractForm(_posted(request), instance=Contract.objects.get(pk=pk), actor=actor)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, contract)
    data = form.cleaned_data
    try:
        services.contract_update(
            actor=actor,
            contract=contract,
            changes={name: data[name] for name in services.CONTRACT_EDITABLE_FIELDS if name in data},
            deployments=data["deployments"],
            resident_engineers=data["resident_engineers"],
        )
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, contract)
    messages.success(request, _("Contract %(number)s saved.") % {"number": data["number"]})
    return redirect("contracts:contract_detail", pk=contract.pk)


@login_required
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    _require_writer(request)
    if request.method != "POST":
        cancel_url = reverse("contracts:contract_detail", kwargs={"pk": contract.pk})
        return render(request, "core/confirm_delete.html", {"object": contract, "cancel_url": cancel_url})
    try:
        services.contract_delete(actor=_actor(request), contract=contract)
    except WeibaoError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:contract_detail", pk=contract.pk)
    messages.success(request, _("Contract %(number)s deleted.") % {"number": contract.number})
    return redirect("contracts:contract_list")


@login_required
def deposit_entry_create(request: HttpRequest, contract_pk: int) -> HttpResponse:
    contract = _contract_or_404(request, contract_pk)
    _require_writer(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    kind = request.POST.get("kind", "")
    if kind not in DEPOSIT_FORMS:
        raise Http404(_("Unknown kind of deposit movement."))
    form = deposit_form(kind, request.POST)
    if not form.is_valid():
        return _detail(request, contract, bound=form)
    try:
        entry = _post_deposit(_actor(request), contract, kind, form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _detail(request, contract, bound=form)
    if entry is None:
        messages.warning(request, _("The deposit is used up; nothing was deducted."))
    else:
        messages.success(request, _("Recorded: %(entry)s.") % {"entry": entry.get_kind_display()})
    return redirect("contracts:contract_detail", pk=contract.pk)


def _post_deposit(actor: User, contract: Contract, kind: str, data: dict[str, Any]) -> DepositEntry | None:
    if kind == DepositEntry.Kind.PAYMENT:
        return services.deposit_pay(actor=actor, contract=contract, amount=data["amount"], reason=data["reason"])
    if kind == DepositEntry.Kind.PENALTY:
        return services.deposit_deduct_penalty(
            actor=actor, contract=contract, amount=data["amount"], reason=data["reason"], reference=data["reference"]
        )
    if kind == DepositEntry.Kind.REFUND:
        return services.deposit_refund(actor=actor, contract=contract, amount=data["amount"], reason=data["reason"])
    return services.deposit_adjust(
        actor=actor, contract=contract, amount=data["amount"], reason=data["reason"], approved_by=data["approved_by"]
    )


@login_required
def deposit_entry_waive(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.deposit_entry_get(actor=_actor(request), pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    _require_writer(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract_or_404(request, entry.contract_id)
    form = WaiverForm(request.POST, prefix=f"waive-{entry.pk}")
    if not form.is_valid():
        return _detail(request, contract, bound=form, waive_entry=entry.pk)
    try:
        services.deposit_waive_penalty(actor=_actor(request), entry=entry, **form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _detail(request, contract, bound=form, waive_entry=entry.pk)
    except WeibaoError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:contract_detail", pk=contract.pk)
    messages.success(request, _("The penalty was waived and its amount returned to the deposit."))
    return redirect("contracts:contract_detail", pk=contract.pk)
