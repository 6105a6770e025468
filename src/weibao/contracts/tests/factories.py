"""Small builders for contract tests; personas and the two-client archive live in the root conftest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from weibao.contracts.models import Contract
from weibao.customers.models import Client

_counter = iter(range(1, 1_000_000))


def make_contract(client: Client, **fields: Any) -> Contract:
    """A contract of ``client`` without ledger entries (the archive's contract has a payment)."""
    n = next(_counter)
    values: dict[str, Any] = {
        "number": f"HT-T{n:04d}",
        "title": f"测试运维服务合同{n}",
        "signed_on": dt.date(2025, 1, 10),
        "accepted_on": dt.date(2025, 3, 1),
        "warranty_months": 12,
        "deposit_amount": Decimal("10000"),
        "penalty_per_miss": Decimal("500"),
    }
    values.update(fields)
    return Contract.objects.create(client=client, **values)
