"""The demo data set binds the shipped policies to its contracts, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from weibao.contracts.models import Contract
from weibao.contracts.selectors import contract_policy_at
from weibao.demo.loader import DEFAULT_PASSWORD, demo_load
from weibao.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def test_demo_contracts_get_warranty_and_post_warranty_policies_and_keep_edits() -> None:
    demo_load(password=DEFAULT_PASSWORD)
    resident = Contract.objects.get(number="HZ-YW-2025-012")
    assert resident.warranty_policy is not None
    assert resident.warranty_policy.name == "驻点服务标准（10 分钟响应）"
    office = Contract.objects.get(number="HZ-JS-2025-015")
    assert office.post_warranty_policy is not None
    assert office.post_warranty_policy.name == "标准服务（4 小时响应）"
    platform = Contract.objects.get(number="HZ-JS-2024-003")
    assert contract_policy_at(platform) == SlaPolicy.objects.get(name="质保期服务标准")
    assert not Contract.objects.filter(number__startswith="HZ-", warranty_policy__isnull=True).exists()
    chosen = SlaPolicy.objects.get(name="质保期外服务标准")
    Contract.objects.filter(pk=platform.pk).update(warranty_policy=chosen)
    again = demo_load(password=DEFAULT_PASSWORD)
    assert again.created_total == 0
    platform.refresh_from_db()
    assert platform.warranty_policy == chosen
