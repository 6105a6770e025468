"""Every write to contracts and their deposit ledger (R2.4, R2.5).

Ledger writes lock the contract row (``select_for_update``) before reading the
balance, so two deductions never both see the same balance and overdraw it; on
SQLite the IMMEDIATE transaction mode serialises writers to the same effect.
"""

from weibao.contracts.services._common import ContractHasLedgerError, DepositEntryNotWaivableError
from weibao.contracts.services.contracts import (
    CONTRACT_EDITABLE_FIELDS,
    contract_create,
    contract_delete,
    contract_set_deployments,
    contract_set_resident_engineers,
    contract_update,
)
from weibao.contracts.services.deposit import (
    deposit_adjust,
    deposit_deduct_penalty,
    deposit_pay,
    deposit_refund,
    deposit_waive_penalty,
)

__all__ = [
    "CONTRACT_EDITABLE_FIELDS",
    "ContractHasLedgerError",
    "DepositEntryNotWaivableError",
    "contract_create",
    "contract_delete",
    "contract_set_deployments",
    "contract_set_resident_engineers",
    "contract_update",
    "deposit_adjust",
    "deposit_deduct_penalty",
    "deposit_pay",
    "deposit_refund",
    "deposit_waive_penalty",
]
