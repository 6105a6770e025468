"""API shapes of contracts and deposit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from weibao.contracts.models import PHASE_LABELS, Contract, DepositEntry
from weibao.contracts.phases import Phase
from weibao.core.api_errors import ObjectId


class ContractOut(Schema):
    id: int
    client: int
    client_name: str
    number: str
    title: str
    scope: str
    signed_on: dt.date
    accepted_on: dt.date | None
    warranty_months: int
    warranty_ends_on: dt.date | None
    ends_on: dt.date | None
    phase: Phase
    phase_label: str
    post_warranty_terms: str
    service_hours: str
    amount: Decimal
    deposit_amount: Decimal
    penalty_per_miss: Decimal
    deposit_balance: Decimal
    deployments: list[int]
    resident_engineers: list[int]
    warranty_policy: int | None
    warranty_policy_name: str | None
    post_warranty_policy: int | None
    post_warranty_policy_name: str | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_client(obj: Contract) -> int:
        return obj.client_id

    @staticmethod
    def resolve_client_name(obj: Contract) -> str:
        return obj.client.name

    @staticmethod
    def resolve_warranty_policy(obj: Contract) -> int | None:
        return obj.warranty_policy_id

    @staticmethod
    def resolve_warranty_policy_name(obj: Contract) -> str | None:
        return obj.warranty_policy.name if obj.warranty_policy is not None else None

    @staticmethod
    def resolve_post_warranty_policy(obj: Contract) -> int | None:
        return obj.post_warranty_policy_id

    @staticmethod
    def resolve_post_warranty_policy_name(obj: Contract) -> str | None:
        return obj.post_warranty_policy.name if obj.post_warranty_policy is not None else None

    @staticmethod
    def resolve_phase_label(obj: Contract) -> str:
        return str(PHASE_LABELS[obj.phase])

    @staticmethod
    def resolve_deployments(obj: Contract) -> list[int]:
        # .all() so that a prefetch on the list query is used.
        return [d.pk for d in obj.deployments.all()]

    @staticmethod
    def resolve_resident_engineers(obj: Contract) -> list[int]:
        return [u.pk for u in obj.resident_engineers.all()]


class ContractIn(Schema):
    client: int
    number: str
    title: str
    signed_on: dt.date
    accepted_on: dt.date | None = None
    warranty_months: int = 12
    ends_on: dt.date | None = None
    scope: str = ""
    post_warranty_terms: str = ""
    service_hours: str = Contract.ServiceHours.ALWAYS.value
    amount: Decimal = Decimal("0")
    deposit_amount: Decimal = Decimal("0")
    penalty_per_miss: Decimal = Decimal("0")
    warranty_policy: ObjectId | None = None
    post_warranty_policy: ObjectId | None = None
    notes: str = ""
    deployments: list[ObjectId] = []
    resident_engineers: list[ObjectId] = []


class ContractPatch(Schema):
    """Only the fields sent are changed; the client of a contract is fixed."""

    number: str | None = None
    title: str | None = None
    signed_on: dt.date | None = None
    accepted_on: dt.date | None = None
    warranty_months: int | None = None
    ends_on: dt.date | None = None
    scope: str | None = None
    post_warranty_terms: str | None = None
    service_hours: str | None = None
    amount: Decimal | None = None
    deposit_amount: Decimal | None = None
    penalty_per_miss: Decimal | None = None
    warranty_policy: ObjectId | None = None
    post_warranty_policy: ObjectId | None = None
    notes: str | None = None
    deployments: list[ObjectId] | None = None
    resident_engineers: list[ObjectId] | None = None


class PhaseOut(Schema):
    contract: int
    at: dt.datetime
    day: dt.date
    phase: Phase
    phase_label: str
    warranty_ends_on: dt.date | None


class DepositEntryOut(Schema):
    id: int
    contract: int
    kind: str
    kind_label: str
    amount: Decimal
    balance_after: Decimal
    reason: str
    reference: str
    approved_by: str
    recorded_by: int | None
    created_at: dt.datetime
    waived_entry: int | None
    waived: bool

    @staticmethod
    def resolve_contract(obj: DepositEntry) -> int:
        return obj.contract_id

    @staticmethod
    def resolve_kind_label(obj: DepositEntry) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_recorded_by(obj: DepositEntry) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_waived_entry(obj: DepositEntry) -> int | None:
        return obj.waived_entry_id

    @staticmethod
    def resolve_waived(obj: DepositEntry) -> bool:
        annotated: bool | None = obj.__dict__.get("is_waived")
        if annotated is not None:
            return annotated
        return DepositEntry.objects.filter(waived_entry=obj).exists()


class DepositEntryIn(Schema):
    """``kind`` is payment, penalty, refund or adjustment; the service checks the rest.

    Every field is optional here so that a missing one is reported after the
    contract has been found (404) and the actor's right to write checked (403).
    """

    kind: str | None = None
    amount: Decimal | None = None
    reason: str = ""
    reference: str = ""
    approved_by: str = ""


class WaiverIn(Schema):
    reason: str = ""
    approved_by: str = ""
