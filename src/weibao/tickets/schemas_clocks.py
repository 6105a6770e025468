"""API shapes of the service-level clocks: a request's clocks and history, waivers, compliance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from weibao.core.api_errors import Instant, ObjectId


class ClockOut(Schema):
    id: int
    metric: str
    metric_label: str
    state: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    stopped_at: dt.datetime | None
    target_seconds: int
    used_seconds: int
    breached: bool
    late_seconds: int | None
    policy_name: str
    # Vendor staff only (null for client users).
    warn_at: dt.datetime | None = None
    penalty_amount: Decimal | None = None
    escalations_done: int | None = None
    waiver_reason: str | None = None
    waiver_agreed_by: str | None = None


class ClockEventOut(Schema):
    id: int
    clock_id: int
    metric: str
    kind: str
    at: dt.datetime
    due_at: dt.datetime | None
    actor_label: str


class ClocksOut(Schema):
    ticket_id: int
    next_deadline: dt.datetime | None
    clocks: list[ClockOut]
    history: list[ClockEventOut]


class ReapplyIn(Schema):
    version: ObjectId | None = None


class WaiveIn(Schema):
    reason: str = Field("", max_length=2000)
    agreed_by: str = Field("", max_length=150)


class BreachingOut(Schema):
    clock_id: int
    ticket_id: int
    number: str
    title: str
    client_id: int
    metric: str
    due_at: dt.datetime
    warned: bool
    assignee_id: int | None


class BreachingFilters(Schema):
    hours: int = Field(4, ge=0, le=24 * 31)
    limit: int = Field(100, ge=1, le=500)


class ComplianceFilters(Schema):
    """The period defaults to the 30 days up to now."""

    start: Instant | None = None
    end: Instant | None = None
    client_id: ObjectId | None = None
    contract_id: ObjectId | None = None


class ComplianceOut(Schema):
    metric: str
    label: str
    met: int
    breached: int
    waived: int
    met_percent: float | None
    breached_percent: float | None
