"""Request and response bodies of the service-desk API.

References to other objects are ``<entity>_id`` integers and field errors name them
so. Choice fields are plain strings documented with their values; the model checks
them, so the API and the forms answer with one message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from weibao.accounts.models import User
from weibao.core.api_errors import Instant, ObjectId
from weibao.tickets import workflow
from weibao.tickets.models import Attachment, Channel, Team, Ticket, TicketEvent
from weibao.tickets.selectors import MAX_PAGE_SIZE, PAGE_SIZE, Queue, Sort

KINDS = [k.value for k in workflow.Kind]
STATUSES = [s.value for s in workflow.Status]
ACTIONS = [a.value for a in workflow.Action]
CHARGINGS = list(Ticket.Charging.values)
# An expected version: any count a request's edits can reach, bounded so that it stays a number.
Version = ObjectId


def one_of(values: list[Any], default: Any = ..., **extra: Any) -> Any:
    """A choice field: documented as an enum, checked by the model or the service."""
    return Field(default, json_schema_extra={"enum": values}, **extra)


def user_name(user: User | None) -> str:
    return str(user) if user is not None else ""


# Responses


class TicketSummaryOut(Schema):
    """A request as a queue shows it (no description)."""

    id: int
    number: str
    title: str
    client_id: int
    client_name: str
    deployment_id: int | None
    deployment_name: str
    kind: str
    kind_label: str
    level: int
    channel: str
    status: str
    status_label: str
    team_id: int | None
    team_name: str
    assignee_id: int | None
    assignee_name: str
    supervised: bool
    next_deadline: dt.datetime | None
    closed_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    # The queue query joins client, deployment, team and assignee; nothing else is touched.
    @staticmethod
    def resolve_client_name(obj: Ticket) -> str:
        return obj.client.name

    @staticmethod
    def resolve_deployment_name(obj: Ticket) -> str:
        return obj.deployment.name if obj.deployment_id is not None and obj.deployment is not None else ""

    @staticmethod
    def resolve_kind_label(obj: Ticket) -> str:
        return str(workflow.KIND_LABELS[obj.kind_enum])

    @staticmethod
    def resolve_status_label(obj: Ticket) -> str:
        return str(workflow.STATUS_LABELS[obj.state])

    @staticmethod
    def resolve_team_name(obj: Ticket) -> str:
        return obj.team.name if obj.team_id is not None and obj.team is not None else ""

    @staticmethod
    def resolve_assignee_name(obj: Ticket) -> str:
        return user_name(obj.assignee) if obj.assignee_id is not None else ""


class TicketOut(TicketSummaryOut):
    """A request with everything recorded on it."""

    description: str
    contact_id: int | None
    contact_name: str
    requester_id: int | None
    created_by_id: int | None
    on_behalf: bool
    resume_status: str
    caller_name: str
    caller_phone: str
    call_started_at: dt.datetime | None
    call_seconds: int | None
    charging: str
    resolution: str
    close_reason: str
    reopen_count: int
    parent_id: int | None
    merged_into_id: int | None

    @staticmethod
    def resolve_contact_name(obj: Ticket) -> str:
        return obj.contact.name if obj.contact_id is not None and obj.contact is not None else ""


class TicketPageOut(Schema):
    """One page of a queue; pass ``next_cursor`` as ``cursor`` for the next (null: last page)."""

    items: list[TicketSummaryOut]
    next_cursor: str | None
    count: int = Field(description="How many requests match the filter in all.")


class TicketRefOut(Schema):
    id: int
    number: str
    status: str
    version: int


class BulkOut(Schema):
    count: int
    items: list[TicketRefOut]


class ActionOut(Schema):
    action: str
    label: str
    reason_required: bool


class FollowOut(Schema):
    ticket_id: int
    following: bool


class AttachmentOut(Schema):
    id: int
    ticket_id: int
    event_id: int | None
    internal: bool
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by_id: int | None
    created_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return f"/api/v1/tickets/attachments/{obj.pk}"


class EventOut(Schema):
    """One timeline entry: who (``actor_label``), when and what."""

    id: int
    ticket_id: int
    kind: str
    kind_label: str
    actor_id: int | None
    actor_label: str
    internal: bool
    body: str
    data: dict[str, Any]
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_kind_label(obj: TicketEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_attachments(obj: TicketEvent) -> list[Attachment]:
        # .all() so that the timeline's prefetch is used; an internal file never
        # hangs on a public entry, but the check costs nothing.
        return [a for a in obj.attachments.all() if obj.internal or not a.internal]


class TeamMemberOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return user_name(obj)


class TeamOut(Schema):
    id: int
    name: str
    on_duty_contact: str
    members: list[TeamMemberOut]

    @staticmethod
    def resolve_members(obj: Team) -> list[User]:
        return list(obj.members.all())


# Requests


class TicketFilters(Schema):
    """Queue filters; ``status``, ``kind`` and ``level`` repeat or take comma-separated values."""

    queue: str = one_of(list(Queue.CHOICES), Queue.ALL_OPEN)
    status: list[str] = Field(default_factory=list, description=f"Any of: {', '.join(STATUSES)}.")
    client_id: ObjectId | None = None
    deployment_id: ObjectId | None = None
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    kind: list[str] = Field(default_factory=list, description=f"Any of: {', '.join(KINDS)}.")
    level: list[str] = Field(default_factory=list, description="Any of 1, 2, 3, 4.")
    channel: str = one_of(["", *Channel.values], "")
    q: str = Field("", max_length=200, description="A request number, a phone number, or text.")
    sort: str = one_of(list(Sort.CHOICES), Sort.DEADLINE)
    cursor: str = Field("", max_length=500, description="``next_cursor`` of the previous page.")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class TicketCreateIn(Schema):
    """A new request. Client users may leave out ``client_id`` (their own client)."""

    client_id: ObjectId | None = None
    title: str = Field(max_length=200)
    kind: str = one_of(KINDS)
    level: int = Field(3, ge=1, le=4)
    channel: str = one_of(list(Channel.values), Channel.API.value)
    description: str = ""
    deployment_id: ObjectId | None = None
    contact_id: ObjectId | None = None
    requester_id: ObjectId | None = None
    caller_name: str = Field("", max_length=100)
    caller_phone: str = Field("", max_length=32)
    call_started_at: Instant | None = None
    call_seconds: int | None = Field(None, ge=0, le=2**31 - 1)
    parent_id: ObjectId | None = None


class TicketPatchIn(Schema):
    """Only the fields sent change; ``version`` (from the last read) refuses a stale edit with 409."""

    title: str | None = Field(None, max_length=200)
    description: str | None = None
    level: int | None = Field(None, ge=1, le=4)
    kind: str | None = one_of(KINDS, None)
    deployment_id: ObjectId | None = None
    contact_id: ObjectId | None = None
    charging: str | None = one_of(CHARGINGS, None)
    version: Version | None = None


class TransitionIn(Schema):
    action: str = one_of(ACTIONS)
    reason: str = ""
    version: Version | None = None
    merge_into_id: ObjectId | None = Field(None, description="For ``merge``: the request that stays.")


class ReplyIn(Schema):
    text: str = Field("", description="The message (sanitised HTML or plain text).")
    internal: bool = Field(False, description="An internal note: never shown to client users.")
    version: Version | None = None


class AssignIn(Schema):
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    note: str = ""
    version: Version | None = None


class VersionIn(Schema):
    version: Version | None = None


class ReturnIn(Schema):
    reason: str = ""
    version: Version | None = None


class SuperviseIn(Schema):
    note: str = ""
    version: Version | None = None


class BulkAssignIn(Schema):
    ticket_ids: list[ObjectId] = Field(max_length=500)
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    note: str = ""


class BulkCloseIn(Schema):
    ticket_ids: list[ObjectId] = Field(max_length=500)
    reason: str = ""
