"""Client-isolation coverage of the contracts pages and API (see tests/test_client_isolation.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: dict[str, Callable[[Any], dict[str, int]]] = {
    "contracts:contract_detail": lambda archive: {"pk": archive.contract.pk},
    "contracts:contract_update": lambda archive: {"pk": archive.contract.pk},
    "contracts:contract_delete": lambda archive: {"pk": archive.contract.pk},
    "contracts:deposit_entry_create": lambda archive: {"contract_pk": archive.contract.pk},
    "contracts:deposit_entry_waive": lambda archive: {"pk": archive.deposit_entry.pk},
}

API: dict[str, Callable[[Any], dict[str, int]]] = {
    "contract_get": lambda archive: {"contract_id": archive.contract.pk},
    "contract_update": lambda archive: {"contract_id": archive.contract.pk},
    "contract_delete": lambda archive: {"contract_id": archive.contract.pk},
    "contract_phase": lambda archive: {"contract_id": archive.contract.pk},
    "deposit_entry_list": lambda archive: {"contract_id": archive.contract.pk},
    "deposit_entry_create": lambda archive: {"contract_id": archive.contract.pk},
    "deposit_entry_waive": lambda archive: {"deposit_entry_id": archive.deposit_entry.pk},
}
