"""Demo service levels: the shipped preset policies bound to the demo contracts (R2.5).

Resident-service contracts (驻点, "YW" numbers) take the 10-minute resident policy in
warranty and the post-warranty standard after it; 7×24 platform contracts take the
warranty and post-warranty standards; office-hours contracts take the 4-hour standard
for both phases. A contract that already has either policy is left as it is, so a
second load, or an administrator's choice, is never overwritten.
"""

from __future__ import annotations

from collections import Counter

from weibao.contracts.models import Contract
from weibao.sla.models import SlaPolicy

WARRANTY = "质保期服务标准"
POST_WARRANTY = "质保期外服务标准"
RESIDENT = "驻点服务标准（10 分钟响应）"
OFFICE_HOURS = "标准服务（4 小时响应）"


def _pair(contract: Contract) -> tuple[str, str]:
    if contract.number.startswith("HZ-YW-"):
        return RESIDENT, POST_WARRANTY
    if contract.service_hours == Contract.ServiceHours.WORKING:
        return OFFICE_HOURS, OFFICE_HOURS
    return WARRANTY, POST_WARRANTY


def sla_bind(created: Counter[str], present: Counter[str]) -> None:
    """Bind preset policies to demo contracts that have none; counts under ``sla_bindings``."""
    policies = {
        policy.name: policy
        for policy in SlaPolicy.objects.filter(name__in=[WARRANTY, POST_WARRANTY, RESIDENT, OFFICE_HOURS])
    }
    for contract in Contract.objects.filter(number__startswith="HZ-").order_by("number"):
        if contract.warranty_policy_id is not None or contract.post_warranty_policy_id is not None:
            present["sla_bindings"] += 1
            continue
        warranty, after = _pair(contract)
        if warranty not in policies or after not in policies:
            continue  # the presets were removed by an administrator: nothing to bind
        Contract.objects.filter(pk=contract.pk).update(
            warranty_policy=policies[warranty], post_warranty_policy=policies[after]
        )
        created["sla_bindings"] += 1
