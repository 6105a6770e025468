"""Writes to calendars and SLA policies; each writes an audit row and sends its signal on commit.

``calendars``: calendars, weekly hours, holidays and make-up days; ``policies``: policies,
targets and escalation steps; ``_common``: what they share.
"""

from weibao.sla.services._common import ObjectInUseError
from weibao.sla.services.calendars import (
    CALENDAR_FIELDS,
    DayChange,
    calendar_create,
    calendar_day_delete,
    calendar_day_set,
    calendar_days_apply,
    calendar_days_preview,
    calendar_delete,
    calendar_set_intervals,
    calendar_update,
)
from weibao.sla.services.policies import (
    POLICY_FIELDS,
    STEP_FIELDS,
    TARGET_FIELDS,
    escalation_create,
    escalation_delete,
    escalation_update,
    policy_create,
    policy_delete,
    policy_update,
    target_create,
    target_delete,
    target_update,
)

__all__ = [
    "CALENDAR_FIELDS",
    "POLICY_FIELDS",
    "STEP_FIELDS",
    "TARGET_FIELDS",
    "DayChange",
    "ObjectInUseError",
    "calendar_create",
    "calendar_day_delete",
    "calendar_day_set",
    "calendar_days_apply",
    "calendar_days_preview",
    "calendar_delete",
    "calendar_set_intervals",
    "calendar_update",
    "escalation_create",
    "escalation_delete",
    "escalation_update",
    "policy_create",
    "policy_delete",
    "policy_update",
    "target_create",
    "target_delete",
    "target_update",
]
