"""REST API for contracts, their phase and their deposit ledger."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.contracts import selectors, services
from weibao.contracts.models import PHASE_LABELS, Contract, DepositEntry, contract_day
from weibao.contracts.phases import Phase
from weibao.contracts.schemas import (
    ContractIn,
    ContractOut,
    ContractPatch,
    DepositEntryIn,
    DepositEntryOut,
    PhaseOut,
    WaiverIn,
)
from weibao.core.api_errors import (
    CREATE_ERRORS,
    DELETE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Instant,
    ObjectId,
    Pagination,
)
from weibao.core.errors import PermissionDeniedError, WeibaoError
from weibao.customers.models import Deployment
from weibao.customers.scope import visible_clients
from weibao.sla.models import SlaPolicy

router = Router()


class DepositUsedUpError(WeibaoError):
    status_code = 409


def _require_writer(actor: User) -> None:
    if not actor.can_write_archive:
        raise PermissionDeniedError(_("You may not change contracts."))


def _deployments(ids: Iterable[int]) -> list[Deployment]:
    wanted = set(ids)
    found = list(Deployment.objects.filter(pk__in=wanted))
    missing = wanted - {d.pk for d in found}
    if missing:
        raise ValidationError(
            {"deployments": _("No such deployment: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    return found


def _engineers(ids: Iterable[int]) -> list[User]:
    wanted = set(ids)
    found = list(User.objects.filter(pk__in=wanted))
    missing = wanted - {u.pk for u in found}
    if missing:
        raise ValidationError(
            {"resident_engineers": _("No such user: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    return found


def _policies(data: dict[str, Any]) -> None:
    """Replace policy ids in ``data`` by policies; an unknown id is an error on its field."""
    for field in ("warranty_policy", "post_warranty_policy"):
        if data.get(field) is None:
            continue
        policy = SlaPolicy.objects.filter(pk=data[field]).first()
        if policy is None:
            raise ValidationError({field: _("No such SLA policy: %(id)s.") % {"id": data[field]}})
        data[field] = policy


def _reloaded(actor: User, contract: Contract) -> Contract:
    """The contract as the API shows it (balance annotated)."""
    return selectors.contract_get(actor=actor, pk=contract.pk)


@router.get("/contracts", response={200: list[ContractOut], **LIST_ERRORS}, operation_id="contract_list")
@paginate(Pagination, page_size=50)
def contract_list(
    request: HttpRequest,
    client: ObjectId | None = None,
    phase: Phase | None = None,
    q: str | None = None,
) -> QuerySet[Contract]:
    """Contracts the caller may see; filter by client id, phase today, or text in number/title."""
    contracts = selectors.contract_list(actor=acting_user(request), client=client, phase=phase, q=q)
    return contracts.prefetch_related("deployments", "resident_engineers")


@router.post("/contracts", response={201: ContractOut, **CREATE_ERRORS}, operation_id="contract_create")
def contract_create(request: HttpRequest, payload: ContractIn) -> Status[Contract]:
    """Create a contract; deployments must belong to its client, engineers must be vendor staff."""
    actor = acting_user(request)
    _require_writer(actor)
    data = payload.model_dump()
    client = visible_clients(actor).filter(pk=data.pop("client")).first()
    if client is None:
        raise ValidationError({"client": _("Select a valid client.")})
    deployments = _deployments(data.pop("deployments"))
    engineers = _engineers(data.pop("resident_engineers"))
    _policies(data)
    contract = services.contract_create(
        actor=actor, client=client, deployments=deployments, resident_engineers=engineers, **data
    )
    return Status(201, _reloaded(actor, contract))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **READ_ERRORS}, operation_id="contract_get")
def contract_get(request: HttpRequest, contract_id: int) -> Contract:
    return selectors.contract_get(actor=acting_user(request), pk=contract_id)


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **WRITE_ERRORS}, operation_id="contract_update")
def contract_update(request: HttpRequest, contract_id: int, payload: ContractPatch) -> Contract:
    """Change the fields sent; ``deployments``/``resident_engineers`` replace the whole set."""
    actor = acting_user(request)
    contract = selectors.contract_get(actor=actor, pk=contract_id)
    _require_writer(actor)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    deployment_ids = changes.pop("deployments", None)
    engineer_ids = changes.pop("resident_engineers", None)
    _policies(changes)
    services.contract_update(
        actor=actor,
        contract=contract,
        changes=changes,
        deployments=_deployments(deployment_ids) if deployment_ids is not None else None,
        resident_engineers=_engineers(engineer_ids) if engineer_ids is not None else None,
    )
    return _reloaded(actor, contract)


@router.delete("/contracts/{contract_id}", response={204: None, **DELETE_ERRORS}, operation_id="contract_delete")
def contract_delete(request: HttpRequest, contract_id: int) -> Status[None]:
    """Delete a contract; refused (409) once it has deposit ledger entries."""
    actor = acting_user(request)
    contract = selectors.contract_get(actor=actor, pk=contract_id)
    services.contract_delete(actor=actor, contract=contract)
    return Status(204, None)


@router.get("/contracts/{contract_id}/phase", response={200: PhaseOut, **READ_ERRORS}, operation_id="contract_phase")
def contract_phase(request: HttpRequest, contract_id: int, at: Instant | None = None) -> dict[str, Any]:
    """The contract's phase at ``at`` (ISO date-time; default now; without an offset: Asia/Shanghai)."""
    contract = selectors.contract_get(actor=acting_user(request), pk=contract_id)
    instant = at or timezone.now()
    if timezone.is_naive(instant):
        instant = timezone.make_aware(instant, timezone.get_default_timezone())
    phase = contract.phase_at(instant)
    return {
        "contract": contract.pk,
        "at": instant,
        "day": contract_day(instant),
        "phase": phase,
        "phase_label": str(PHASE_LABELS[phase]),
        "warranty_ends_on": contract.warranty_ends_on,
    }


@router.get(
    "/contracts/{contract_id}/deposit-entries",
    response={200: list[DepositEntryOut], **READ_ERRORS},
    operation_id="deposit_entry_list",
)
@paginate(Pagination, page_size=50)
def deposit_entry_list(request: HttpRequest, contract_id: int) -> QuerySet[DepositEntry]:
    """The deposit ledger, oldest first; ``balance_after`` is the running balance."""
    actor = acting_user(request)
    contract = selectors.contract_get(actor=actor, pk=contract_id)
    return selectors.deposit_entry_list(actor=actor, contract=contract)


@router.post(
    "/contracts/{contract_id}/deposit-entries",
    response={201: DepositEntryOut, **WRITE_ERRORS},
    operation_id="deposit_entry_create",
)
def deposit_entry_create(request: HttpRequest, contract_id: int, payload: DepositEntryIn) -> Status[DepositEntry]:
    """Record a payment, a penalty (idempotent per reference), a refund or an adjustment.

    A penalty when the deposit is already used up answers 409 and records nothing.
    """
    actor = acting_user(request)
    contract = selectors.contract_get(actor=actor, pk=contract_id)
    _require_writer(actor)
    entry = _post_entry(actor, contract, payload)
    if entry is None:
        raise DepositUsedUpError(_("The deposit is used up; nothing was deducted."))
    return Status(201, entry)


def _post_entry(actor: User, contract: Contract, payload: DepositEntryIn) -> DepositEntry | None:
    kind = payload.kind
    if kind == DepositEntry.Kind.PAYMENT:
        return services.deposit_pay(actor=actor, contract=contract, amount=payload.amount, reason=payload.reason)
    if kind == DepositEntry.Kind.PENALTY:
        return services.deposit_deduct_penalty(
            actor=actor, contract=contract, amount=payload.amount, reason=payload.reason, reference=payload.reference
        )
    if kind == DepositEntry.Kind.REFUND:
        return services.deposit_refund(actor=actor, contract=contract, amount=payload.amount, reason=payload.reason)
    if kind == DepositEntry.Kind.ADJUSTMENT:
        return services.deposit_adjust(
            actor=actor,
            contract=contract,
            amount=payload.amount,
            reason=payload.reason,
            approved_by=payload.approved_by,
        )
    if not kind:
        raise ValidationError({"kind": _("This field is required.")})
    raise ValidationError({"kind": _("Select one of: payment, penalty, refund, adjustment.")})


@router.post(
    "/deposit-entries/{deposit_entry_id}/waive",
    response={201: DepositEntryOut, **WRITE_ERRORS},
    operation_id="deposit_entry_waive",
)
def deposit_entry_waive(request: HttpRequest, deposit_entry_id: int, payload: WaiverIn) -> Status[DepositEntry]:
    """Waive a penalty: its amount goes back into the deposit; needs a reason and an approver; once."""
    actor = acting_user(request)
    entry = selectors.deposit_entry_get(actor=actor, pk=deposit_entry_id)
    _require_writer(actor)
    waiver = services.deposit_waive_penalty(
        actor=actor, entry=entry, reason=payload.reason, approved_by=payload.approved_by
    )
    return Status(201, waiver)
