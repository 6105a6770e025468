"""Request and response bodies of complaints, quality (R1.7, R7) and links between requests."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from weibao.core.api_errors import ObjectId
from weibao.tickets.models import CallbackTask, Complaint, CorrectiveAction
from weibao.tickets.schemas import TicketRefOut, one_of, user_name

# Responses


class ComplaintOut(Schema):
    """The complaint record: the first responder stays accountable (首问负责制); a tracker follows it up."""

    ticket_id: int
    first_responder_id: int
    first_responder_name: str
    tracker_id: int | None
    tracker_name: str
    about: str
    handling: str
    result: str
    satisfaction: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_first_responder_name(obj: Complaint) -> str:
        return user_name(obj.first_responder)

    @staticmethod
    def resolve_tracker_name(obj: Complaint) -> str:
        return user_name(obj.tracker) if obj.tracker_id is not None else ""


class CorrectiveActionOut(Schema):
    id: int
    ticket_id: int
    kind: str
    kind_label: str
    description: str
    owner_id: int
    owner_name: str
    due_on: dt.date
    done_at: dt.datetime | None
    outcome: str

    @staticmethod
    def resolve_kind_label(obj: CorrectiveAction) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_owner_name(obj: CorrectiveAction) -> str:
        return user_name(obj.owner)


class SurveyOut(Schema):
    id: int
    ticket_id: int
    rating: int
    comment: str
    via: str
    created_at: dt.datetime
    follow_up_id: int | None = Field(description="The follow-up request a low rating opened.")


class CallbackOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    client_name: str
    week: dt.date
    assignee_id: int | None
    outcome: str
    note: str
    done_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_ticket_number(obj: CallbackTask) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_client_name(obj: CallbackTask) -> str:
        return obj.ticket.client.name


class LinksOut(Schema):
    """A request's links, as far as the caller may see the other requests."""

    parent: TicketRefOut | None
    children: list[TicketRefOut]
    related: list[TicketRefOut]
    merged_into: TicketRefOut | None
    merged_requests: list[TicketRefOut]


# Requests


class ComplaintPatchIn(Schema):
    """Only the fields sent change; the first responder never does."""

    tracker_id: ObjectId | None = None
    about: str | None = Field(None, max_length=200)
    handling: str | None = None
    result: str | None = None
    satisfaction: int | None = Field(None, ge=1, le=5)


class CorrectiveActionIn(Schema):
    kind: str = one_of(list(CorrectiveAction.Kind.values))
    description: str = ""
    owner_id: ObjectId | None = None
    due_on: dt.date | None = None


class CorrectiveActionCompleteIn(Schema):
    outcome: str = ""


class SurveyIn(Schema):
    """Rate an archived request: by ``ticket_id`` (its client's users; quality staff for a callback)
    or by the survey link's ``token``."""

    ticket_id: ObjectId | None = None
    token: str | None = Field(None, max_length=100)
    rating: int = Field(description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: str = ""


class CallbackFilters(Schema):
    mine: bool = False
    week: dt.date | None = Field(None, description="The Monday of the sampled week.")
    pending: bool = False


class CallbackRecordIn(Schema):
    outcome: str = one_of([o for o in CallbackTask.Outcome.values if o != CallbackTask.Outcome.PENDING])
    note: str = ""


class LinkIn(Schema):
    other_id: ObjectId
    link: bool = Field(True, description="false: no longer related.")


class ParentIn(Schema):
    parent_id: ObjectId | None = Field(description="null: take the request out from under its parent.")


class MergeIn(Schema):
    into_id: ObjectId
    reason: str = ""
