"""Reads of contracts and their deposit ledger, narrowed to what the actor may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import AuditEvent, User
from weibao.contracts.models import Contract, ContractQuerySet, DepositEntry, contract_day
from weibao.contracts.phases import Phase
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import Deployment
from weibao.customers.scope import scoped
from weibao.sla.models import SlaPolicy

# The order contracts in force are preferred in when several cover one deployment.
_PHASE_PREFERENCE = {Phase.IN_WARRANTY: 0, Phase.POST_WARRANTY: 1, Phase.NOT_ACCEPTED: 2, Phase.EXPIRED: 3}


def contract_list(
    *,
    actor: User,
    client: int | None = None,
    phase: Phase | None = None,
    q: str | None = None,
    on: dt.date | None = None,
) -> QuerySet[Contract]:
    """The contracts ``actor`` may see, filtered, with client and deposit balance loaded.

    ``phase`` is judged on ``on`` (default: today in the contracts' time zone).
    A client user asking for another client's id gets an empty list.
    """
    # scoped() is typed for any model; the rows are still a ContractQuerySet.
    contracts = cast(ContractQuerySet, scoped(Contract.objects.all(), actor))
    if client is not None:
        contracts = contracts.filter(client_id=client)
    if q:
        contracts = contracts.search(q.strip())
    if phase is not None:
        contracts = contracts.in_phase(phase, on or contract_day())
    return (
        contracts.select_related("client", "warranty_policy", "post_warranty_policy")
        .with_balance()
        .order_by("-signed_on", "number")
    )


def contract_get(*, actor: User, pk: int) -> Contract:
    """One contract ``actor`` may see, with its client loaded.

    Raises ObjectNotFoundError when it does not exist or belongs to a client the actor may not see.
    """
    contracts = Contract.objects.select_related("client", "warranty_policy", "post_warranty_policy").with_balance()
    contract = scoped(contracts, actor).filter(pk=pk).first()
    if contract is None:
        raise ObjectNotFoundError(_("Contract not found."))
    return contract


def deposit_entry_list(*, actor: User, contract: Contract) -> QuerySet[DepositEntry]:
    """The deposit ledger of ``contract``, oldest first (each row carries its running balance)."""
    entries = scoped(DepositEntry.objects.filter(contract=contract), actor, client_field="contract__client")
    waiver = DepositEntry.objects.filter(waived_entry=OuterRef("pk"))
    return entries.select_related("actor").annotate(is_waived=Exists(waiver)).order_by("id")


def deposit_entry_get(*, actor: User, pk: int) -> DepositEntry:
    """One deposit entry ``actor`` may see, with its contract loaded.

    Raises ObjectNotFoundError when it does not exist or belongs to another client's contract.
    """
    entries = scoped(DepositEntry.objects.select_related("contract__client"), actor, client_field="contract__client")
    entry = entries.filter(pk=pk).first()
    if entry is None:
        raise ObjectNotFoundError(_("Deposit entry not found."))
    return entry


def deposit_balance(contract: Contract) -> Decimal:
    """The current deposit balance of ``contract`` (zero before any payment)."""
    return DepositEntry.objects.balance_of(contract)


def contract_events(contract: Contract, limit: int = 50) -> QuerySet[AuditEvent]:
    """The audit events of ``contract`` and of its deposit entries, newest first."""
    entry_ids = [str(pk) for pk in contract.deposit_entries.values_list("pk", flat=True)]
    contract_type = ContentType.objects.get_for_model(Contract)
    entry_type = ContentType.objects.get_for_model(DepositEntry)
    return AuditEvent.objects.filter(
        Q(object_type=contract_type, object_id=str(contract.pk)) | Q(object_type=entry_type, object_id__in=entry_ids)
    ).order_by("-at", "-id")[:limit]


def contracts_covering(deployment: Deployment) -> QuerySet[Contract]:
    """Every contract that covers ``deployment``, newest signed first (internal: no actor scope)."""
    return Contract.objects.covering(deployment).order_by("-signed_on", "-id")


def contract_for_deployment_at(deployment: Deployment, instant: dt.datetime) -> Contract | None:
    """The contract that governs ``deployment`` at ``instant`` (for the SLA engine).

    Preference: in warranty, then after warranty, then not yet accepted, then expired;
    ties go to the most recently signed. An expired contract is returned only when
    nothing else covers the deployment, so the caller can still see its terms and
    check ``phase_at``. None when no contract covers it.
    """
    candidates = list(contracts_covering(deployment))
    if not candidates:
        return None
    # Stable sort keeps "newest signed first" among contracts in the same phase.
    return sorted(candidates, key=lambda c: _PHASE_PREFERENCE[c.phase_at(instant)])[0]


def contract_policy_at(contract: Contract, instant: dt.datetime | None = None) -> SlaPolicy | None:
    """The SLA policy ``contract`` binds at ``instant`` (default now), by its phase then (R2.5).

    In warranty: the warranty policy. After warranty: the post-warranty policy.
    Before acceptance the warranty policy also applies (the system is being
    delivered under the contract's warranty terms); an expired contract binds none.
    Uses the loaded relations (no query when they are select_related).
    """
    phase = contract.phase_at(instant)
    if phase in (Phase.IN_WARRANTY, Phase.NOT_ACCEPTED):
        return contract.warranty_policy
    if phase == Phase.POST_WARRANTY:
        return contract.post_warranty_policy
    return None
