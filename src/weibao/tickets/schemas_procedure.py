"""Request and response bodies of the procedure's steps and records (R1.4–R1.12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from weibao.core.api_errors import Instant, ObjectId
from weibao.tickets.models import (
    Attachment,
    DataChange,
    MaintenancePlan,
    Milestone,
    Review,
    SignOff,
    TaskOrder,
    TicketEvent,
    WorkLog,
)
from weibao.tickets.schemas import AttachmentOut, Version, one_of, user_name

SIGNATURE_HELP = "Optional drawn signature: a data:image/png;base64 URL of at most 200 KB."


# Responses


class ReviewOut(Schema):
    id: int
    ticket_id: int
    decision: str
    decision_label: str
    opinion: str
    reasonable: bool | None
    feasible: bool | None
    reviewer_id: int
    reviewer_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_decision_label(obj: Review) -> str:
        return str(obj.get_decision_display())

    @staticmethod
    def resolve_reviewer_name(obj: Review) -> str:
        return user_name(obj.reviewer)


class PlanOut(Schema):
    id: int
    ticket_id: int
    mode: str
    details: str
    charging: str
    charging_basis: str
    amount: Decimal
    planned_start: dt.date | None
    planned_end: dt.date | None
    author_id: int
    created_at: dt.datetime
    confirmed_by_id: int | None
    confirmed_at: dt.datetime | None
    declined_reason: str


class TaskOrderOut(Schema):
    id: int
    ticket_id: int
    number: str
    engineer_id: int
    engineer_name: str
    onsite: bool
    content: str
    planned_at: dt.datetime | None
    done_at: dt.datetime | None
    result: str
    created_by_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_engineer_name(obj: TaskOrder) -> str:
        return user_name(obj.engineer)


class RemoteConsentOut(Schema):
    id: int
    ticket_id: int
    granted_by_id: int | None
    granted_by_name: str
    granted_via: str
    scope: str
    minutes_allowed: int
    granted_at: dt.datetime
    recorded_by_id: int
    revoked_at: dt.datetime | None


class WorkLogOut(Schema):
    id: int
    ticket_id: int
    engineer_id: int
    engineer_name: str
    mode: str
    consent_id: int | None
    task_order_id: int | None
    started_at: dt.datetime
    minutes: int
    description: str
    created_at: dt.datetime

    @staticmethod
    def resolve_engineer_name(obj: WorkLog) -> str:
        return user_name(obj.engineer)


class SignOffOut(Schema):
    """A client's signature on a form; the drawn image itself is on the printed form."""

    id: int
    ticket_id: int
    form: str
    signer_id: int
    signer_name: str
    approved: bool
    opinion: str
    has_signature: bool
    signed_at: dt.datetime

    @staticmethod
    def resolve_has_signature(obj: SignOff) -> bool:
        return bool(obj.signature)


class DataChangeOut(Schema):
    id: int
    ticket_id: int
    description: str
    before: str
    after: str
    rows_affected: int | None
    recorded_by_id: int
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: DataChange) -> list[Attachment]:
        known: list[Attachment] | None = getattr(obj, "files", None)
        if known is not None:
            return known
        return list(
            Attachment.objects.filter(
                ticket_id=obj.ticket_id,
                internal=False,
                event__kind=TicketEvent.Kind.RECORD,
                event__data__record="data_change",
                event__data__record_id=obj.pk,
            ).order_by("id")
        )


class MilestoneOut(Schema):
    id: int
    ticket_id: int
    step: str
    step_label: str
    reached_at: dt.datetime
    note: str
    recorded_by_id: int

    @staticmethod
    def resolve_step_label(obj: Milestone) -> str:
        return str(obj.get_step_display())


class RecordsOut(Schema):
    """Every record of the request's procedure, oldest first."""

    reviews: list[ReviewOut]
    plans: list[PlanOut]
    task_orders: list[TaskOrderOut]
    remote_consents: list[RemoteConsentOut]
    work_logs: list[WorkLogOut]
    signoffs: list[SignOffOut]
    data_changes: list[DataChangeOut]
    milestones: list[MilestoneOut]
    work_minutes: int = Field(description="Service time recorded in work logs (服务机时), in minutes.")


# Requests


class PlanIn(Schema):
    mode: str = one_of(list(MaintenancePlan.Mode.values))
    details: str = ""
    charging: str = one_of(["", *MaintenancePlan.Charging.values], "", description="Default: from the contract.")
    charging_basis: str = Field("", max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class ReviewIn(Schema):
    """``plan`` only with ``decision=plan``; an optimization also states ``reasonable`` and ``feasible``."""

    decision: str = one_of(list(Review.Decision.values))
    opinion: str = ""
    reasonable: bool | None = None
    feasible: bool | None = None
    plan: PlanIn | None = None
    version: Version | None = None


class SignedIn(Schema):
    """What every client signature carries: the name typed, optionally a drawn image."""

    signer_name: str = ""
    signature: str = Field("", description=SIGNATURE_HELP)
    version: Version | None = None


class PlanResponseIn(SignedIn):
    confirm: bool
    reason: str = Field("", description="Why the plan is declined (needed to decline).")


class LeaderSignoffIn(SignedIn):
    approve: bool
    opinion: str = Field("", description="Needed to decline.")


class AcceptanceIn(SignedIn):
    accepted: bool
    opinion: str = Field("", description="What is still wrong (needed to reject).")


class FeedbackIn(SignedIn):
    opinion: str = ""
    rating: int | None = Field(None, description="Optionally the satisfaction survey at once: 1 to 5.")
    comment: str = ""


class TaskOrderIn(Schema):
    engineer_id: ObjectId
    content: str = ""
    onsite: bool = False
    planned_at: Instant | None = None
    version: Version | None = None


class TaskOrderCompleteIn(Schema):
    result: str = ""


class RemoteConsentIn(Schema):
    """Staff record a consent given by phone or e-mail; a client user grants it (as themself, now)."""

    granted_by_name: str = Field("", max_length=100)
    granted_via: str = Field("", max_length=100)
    scope: str = Field("", max_length=300)
    minutes_allowed: int = Field(ge=1, le=24 * 60)
    granted_at: Instant | None = None
    version: Version | None = None


class WorkLogIn(Schema):
    mode: str = one_of(list(WorkLog.Mode.values))
    started_at: Instant
    minutes: int = Field(ge=1, le=24 * 60)
    description: str = ""
    consent_id: ObjectId | None = Field(None, description="Remote work: the consent covering it (default: found).")
    task_order_id: ObjectId | None = None
    version: Version | None = None


class ResolveIn(Schema):
    resolution: str = ""
    version: Version | None = None


class TestResultIn(Schema):
    passed: bool
    notes: str = Field("", description="What failed (needed when the tests failed).")
    version: Version | None = None


class ArchiveIn(Schema):
    note: str = ""
    version: Version | None = None


class MilestoneIn(Schema):
    step: str = one_of(list(Milestone.Step.values))
    reached_at: Instant | None = None
    note: str = ""
    version: Version | None = None


class DataChangeIn(Schema):
    """The form fields sent with the files (multipart/form-data)."""

    description: str = ""
    before: str = ""
    after: str = ""
    rows_affected: int | None = Field(None, ge=0, le=2**31 - 1)
