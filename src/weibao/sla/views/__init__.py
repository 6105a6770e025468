"""Pages for calendars and SLA policies: vendor staff read, administrators and service managers change."""

from weibao.sla.views.calendars import (
    calendar_create,
    calendar_day_delete,
    calendar_day_set,
    calendar_delete,
    calendar_detail,
    calendar_extend,
    calendar_intervals,
    calendar_update,
    calendar_year,
    index,
)
from weibao.sla.views.policies import (
    escalation_create,
    escalation_delete,
    escalation_update,
    policy_create,
    policy_delete,
    policy_detail,
    policy_update,
    target_create,
    target_delete,
    target_update,
)

__all__ = [
    "calendar_create",
    "calendar_day_delete",
    "calendar_day_set",
    "calendar_delete",
    "calendar_detail",
    "calendar_extend",
    "calendar_intervals",
    "calendar_update",
    "calendar_year",
    "escalation_create",
    "escalation_delete",
    "escalation_update",
    "index",
    "policy_create",
    "policy_delete",
    "policy_detail",
    "policy_update",
    "target_create",
    "target_delete",
    "target_update",
]
