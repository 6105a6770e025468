"""API shapes of calendars, policies, targets and escalation steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from weibao.core.api_errors import ObjectId
from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget

Name = Annotated[str, Field(min_length=1, max_length=100)]
Seconds = Annotated[int, Field(ge=0, le=366 * 86400)]
MetricName = Literal["response", "arrival", "restore", "resolve", "plan"]
DayKind = Literal["holiday", "workday"]
LevelNumber = Annotated[int, Field(ge=1, le=4)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


# Local times of day as "HH:MM"; an end of "24:00" (or "00:00") is midnight at the end of the day.
StartText = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
EndText = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["18:00"])]


def time_text(value: dt.time, *, end: bool = False) -> str:
    return "24:00" if end and value == dt.time(0) else f"{value:%H:%M}"


def text_time(value: str) -> dt.time:
    hours, minutes = (int(part) for part in value.split(":"))
    return dt.time(0) if hours == 24 else dt.time(hours, minutes)


class IntervalSchema(Schema):
    weekday: Annotated[int, Field(ge=1, le=7)]
    start: StartText
    end: EndText


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    always_on: bool
    first_day: dt.date
    last_day: dt.date
    intervals: list[IntervalSchema]
    updated_at: dt.datetime

    @staticmethod
    def resolve_intervals(obj: Calendar) -> list[dict[str, object]]:
        return [
            {"weekday": i.weekday, "start": time_text(i.start), "end": time_text(i.end, end=True)}
            for i in sorted(obj.intervals.all(), key=lambda i: (i.weekday, i.start))
        ]


class CalendarIn(Schema):
    name: Name
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] = "Asia/Shanghai"
    always_on: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    intervals: list[IntervalSchema] = []


class CalendarPatch(Schema):
    name: Name | None = None
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    always_on: bool | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class IntervalsIn(Schema):
    intervals: list[IntervalSchema]


class DayOut(Schema):
    id: int
    calendar: int
    date: dt.date
    kind: str
    name: str

    @staticmethod
    def resolve_calendar(obj: CalendarDay) -> int:
        return obj.calendar_id


class DayIn(Schema):
    date: dt.date
    kind: DayKind
    name: Annotated[str, Field(max_length=100)] = ""


class DaysTextIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=20000)]
    save: bool = False


class DayChangeOut(Schema):
    date: dt.date
    kind: str
    name: str
    change: str
    old_kind: str | None
    old_name: str | None


class DeadlineOut(Schema):
    calendar: int
    start: dt.datetime
    seconds: int
    deadline: dt.datetime


class EscalationOut(Schema):
    id: int
    target: int
    order: int
    after_seconds: int
    raise_level: bool
    notify_roles: list[str]
    notify_assignee: bool
    notify_on_duty: bool
    notify_users: list[int]
    reassign_team_id: int | None

    @staticmethod
    def resolve_target(obj: SlaEscalationStep) -> int:
        return obj.target_id

    @staticmethod
    def resolve_notify_users(obj: SlaEscalationStep) -> list[int]:
        return sorted(u.pk for u in obj.notify_users.all())


class EscalationIn(Schema):
    order: Annotated[int, Field(ge=1, le=99)] | None = None
    after_seconds: Seconds = 0
    raise_level: bool = False
    notify_roles: list[Annotated[str, Field(max_length=32)]] = []
    notify_assignee: bool = False
    notify_on_duty: bool = False
    notify_users: list[ObjectId] = []
    reassign_team_id: ObjectId | None = None


class EscalationPatch(Schema):
    order: Annotated[int, Field(ge=1, le=99)] | None = None
    after_seconds: Seconds | None = None
    raise_level: bool | None = None
    notify_roles: list[Annotated[str, Field(max_length=32)]] | None = None
    notify_assignee: bool | None = None
    notify_on_duty: bool | None = None
    notify_users: list[ObjectId] | None = None
    reassign_team_id: ObjectId | None = None


class TargetOut(Schema):
    id: int
    policy: int
    kind: str
    level: int | None
    metric: str
    seconds: int
    calendar: int
    warn_percent: int
    penalty_amount: Decimal | None
    escalations: list[EscalationOut]

    @staticmethod
    def resolve_policy(obj: SlaTarget) -> int:
        return obj.policy_id

    @staticmethod
    def resolve_calendar(obj: SlaTarget) -> int:
        return obj.calendar_id

    @staticmethod
    def resolve_escalations(obj: SlaTarget) -> list[SlaEscalationStep]:
        return sorted(obj.escalations.all(), key=lambda s: (s.order, s.pk))


class TargetIn(Schema):
    metric: MetricName
    seconds: Annotated[int, Field(ge=60, le=366 * 86400)]
    calendar: ObjectId
    kind: Annotated[str, Field(max_length=32)] = ""
    level: LevelNumber | None = None
    warn_percent: Annotated[int, Field(ge=1, le=99)] = 75
    penalty_amount: Money | None = None


class TargetPatch(Schema):
    metric: MetricName | None = None
    seconds: Annotated[int, Field(ge=60, le=366 * 86400)] | None = None
    calendar: ObjectId | None = None
    kind: Annotated[str, Field(max_length=32)] | None = None
    level: LevelNumber | None = None
    warn_percent: Annotated[int, Field(ge=1, le=99)] | None = None
    penalty_amount: Money | None = None


class PolicyOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    targets: list[TargetOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_targets(obj: SlaPolicy) -> list[SlaTarget]:
        return list(obj.targets.all())


class PolicyIn(Schema):
    name: Name
    description: Annotated[str, Field(max_length=5000)] = ""
    is_default: bool = False


class PolicyPatch(Schema):
    name: Name | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    is_default: bool | None = None


class EscalationSpecOut(Schema):
    after_seconds: int
    raise_level: bool
    notify_roles: list[str]
    notify_assignee: bool
    notify_on_duty: bool
    notify_user_ids: list[int]
    reassign_team_id: int | None


class TargetSpecOut(Schema):
    metric: str
    seconds: int
    calendar_id: int
    warn_percent: int
    penalty_amount: Decimal | None
    escalations: list[EscalationSpecOut]
