"""Writes to contracts: create, update, covered deployments, resident engineers, delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.contracts.models import Contract
from weibao.contracts.services._common import ContractHasLedgerError, _require_writer, refuse_nulls
from weibao.core.snapshot import model_snapshot
from weibao.customers.models import Client, Deployment

# Fields a contract update may change; the client is fixed at creation because
# the ledger and the audit trail are filed under it.
CONTRACT_EDITABLE_FIELDS = frozenset(
    {
        "number",
        "title",
        "scope",
        "signed_on",
        "accepted_on",
        "warranty_months",
        "ends_on",
        "post_warranty_terms",
        "service_hours",
        "amount",
        "deposit_amount",
        "penalty_per_miss",
        "notes",
        "warranty_policy",
        "post_warranty_policy",
    }
)


def _snapshot(contract: Contract) -> dict[str, Any]:
    """Fields and relations of a contract; timestamps are left out (the event has its own)."""
    fields = [f.name for f in Contract._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
    return model_snapshot(contract, fields) | _relations_snapshot(contract)


def _relations_snapshot(contract: Contract) -> dict[str, Any]:
    return {
        "deployments": sorted(contract.deployments.values_list("pk", flat=True)),
        "resident_engineers": sorted(contract.resident_engineers.values_list("pk", flat=True)),
    }


def _deployment_errors(client_id: int | None, deployments: Iterable[Deployment]) -> list[str]:
    foreign = [str(d) for d in deployments if d.client_id != client_id]
    if not foreign:
        return []
    return [_("These deployments belong to another client: %(names)s.") % {"names": "、".join(foreign)}]


def _engineer_errors(engineers: Iterable[User]) -> list[str]:
    refused = [str(u) for u in engineers if u.is_client_side]
    if not refused:
        return []
    return [
        _("Only vendor staff can be resident engineers, not client users: %(names)s.") % {"names": "、".join(refused)}
    ]


def _clean_contract(
    contract: Contract,
    deployments: list[Deployment] | None,
    engineers: list[User] | None,
) -> None:
    """Validate fields and relations together so that a form shows every problem at once."""
    errors: dict[str, list[str]] = {}
    try:
        contract.full_clean()
    except ValidationError as exc:
        errors.update({key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()})
    if deployments is not None and (problems := _deployment_errors(contract.client_id, deployments)):
        errors.setdefault("deployments", []).extend(problems)
    if engineers is not None and (problems := _engineer_errors(engineers)):
        errors.setdefault("resident_engineers", []).extend(problems)
    if errors:
        raise ValidationError(errors)


def _save_numbered(contract: Contract) -> None:
    """Save; a number taken by a concurrent save since full_clean() is a field error, not a 500."""
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        if Contract.objects.filter(number=contract.number).exclude(pk=contract.pk).exists():
            raise ValidationError({"number": _("Another contract already has this number.")}) from exc
        raise


@transaction.atomic
def contract_create(
    *,
    actor: User,
    client: Client,
    number: str,
    title: str,
    signed_on: dt.date,
    deployments: Iterable[Deployment] = (),
    resident_engineers: Iterable[User] = (),
    **fields: Any,
) -> Contract:
    """Create a contract for ``client``.

    ``fields`` are further editable contract fields (CONTRACT_EDITABLE_FIELDS).
    Side effects: inserts the contract and its relations; event ``contract.create``.
    Raises PermissionDeniedError (not an archive writer), ValidationError (field dict,
    also for deployments of another client and client users as resident engineers).
    """
    _require_writer(actor)
    unknown = set(fields) - CONTRACT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable contract fields: {sorted(unknown)}")
    contract = Contract(client=client, number=number, title=title, signed_on=signed_on, **fields)
    deployment_list = list(deployments)
    engineer_list = list(resident_engineers)
    _clean_contract(contract, deployment_list, engineer_list)
    _save_numbered(contract)
    contract.deployments.set(deployment_list)
    contract.resident_engineers.set(engineer_list)
    event_record(
        actor=actor,
        action="contract.create",
        obj=contract,
        client_id=contract.client_id,
        after=_snapshot(contract),
    )
    return contract


@transaction.atomic
def contract_update(
    *,
    actor: User,
    contract: Contract,
    changes: Mapping[str, Any],
    deployments: Iterable[Deployment] | None = None,
    resident_engineers: Iterable[User] | None = None,
) -> Contract:
    """Change some fields of ``contract`` (and, if given, its deployments and engineers).

    Preconditions: ``contract`` is visible to ``actor`` (the caller found it in scope).
    Side effects: locks and saves the contract; event ``contract.update`` with the changes.
    Raises PermissionDeniedError, ValidationError (field dict; nothing is saved),
    TypeError for a field that is not editable (a programming error).
    """
    _require_writer(actor)
    unknown = set(changes) - CONTRACT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable contract fields: {sorted(unknown)}")
    refuse_nulls(contract, changes)
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    before = _snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    deployment_list = list(deployments) if deployments is not None else None
    engineer_list = list(resident_engineers) if resident_engineers is not None else None
    _clean_contract(locked, deployment_list, engineer_list)
    _save_numbered(locked)
    if deployment_list is not None:
        locked.deployments.set(deployment_list)
    if engineer_list is not None:
        locked.resident_engineers.set(engineer_list)
    event_record(
        actor=actor,
        action="contract.update",
        obj=locked,
        client_id=locked.client_id,
        before=before,
        after=_snapshot(locked),
    )
    return locked


@transaction.atomic
def contract_set_deployments(*, actor: User, contract: Contract, deployments: Iterable[Deployment]) -> Contract:
    """Replace the deployments ``contract`` covers.

    Side effects: rewrites the relation; event ``contract.set_deployments``.
    Raises PermissionDeniedError, ValidationError on ``deployments`` if one belongs to another client.
    """
    _require_writer(actor)
    wanted = list(deployments)
    if problems := _deployment_errors(contract.client_id, wanted):
        raise ValidationError({"deployments": problems})
    before = _relations_snapshot(contract)
    contract.deployments.set(wanted)
    event_record(
        actor=actor,
        action="contract.set_deployments",
        obj=contract,
        client_id=contract.client_id,
        before={"deployments": before["deployments"]},
        after={"deployments": _relations_snapshot(contract)["deployments"]},
    )
    return contract


@transaction.atomic
def contract_set_resident_engineers(*, actor: User, contract: Contract, engineers: Iterable[User]) -> Contract:
    """Replace the resident engineers (驻点工程师) of ``contract``.

    Side effects: rewrites the relation; event ``contract.set_resident_engineers``.
    Raises PermissionDeniedError, ValidationError on ``resident_engineers`` for a client-side user.
    """
    _require_writer(actor)
    wanted = list(engineers)
    if problems := _engineer_errors(wanted):
        raise ValidationError({"resident_engineers": problems})
    before = _relations_snapshot(contract)
    contract.resident_engineers.set(wanted)
    event_record(
        actor=actor,
        action="contract.set_resident_engineers",
        obj=contract,
        client_id=contract.client_id,
        before={"resident_engineers": before["resident_engineers"]},
        after={"resident_engineers": _relations_snapshot(contract)["resident_engineers"]},
    )
    return contract


@transaction.atomic
def contract_delete(*, actor: User, contract: Contract) -> None:
    """Delete a contract that has no deposit ledger entries.

    Side effects: deletes the contract and its relations; event ``contract.delete``.
    Raises PermissionDeniedError, ContractHasLedgerError when any deposit entry exists
    (money movements are kept; set an end date instead).
    """
    _require_writer(actor)
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.deposit_entries.exists():
        raise ContractHasLedgerError(
            _("Contract %(number)s has deposit ledger entries and is kept for the record; set its end date instead.")
            % {"number": locked.number}
        )
    event_record(
        actor=actor,
        action="contract.delete",
        obj=locked,
        client_id=locked.client_id,
        before=_snapshot(locked),
        only_changes=False,
    )
    locked.delete()
