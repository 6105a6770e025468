"""REST API of the service desk: requests, their queues, timeline, replies and files.

Every read goes through a scoped selector (another client's request: 404); every
write through a service. Field errors name the request's fields (``deployment_id``,
not the model's ``deployment``). Assignment, the procedure's records and quality
have their own modules, mounted on this router.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import (
    CREATE_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    POSTGRESQL_MAX_OFFSET,
    READ_ERRORS,
    WRITE_ERRORS,
    Pagination,
)
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import Client, Contact, Deployment
from weibao.customers.scope import client_id_of, scoped, visible_clients
from weibao.customers.uploads import attachment_disposition
from weibao.tickets import selectors, workflow
from weibao.tickets.api_assignment import router as assignment_router
from weibao.tickets.api_clocks import router as clocks_router
from weibao.tickets.api_common import (
    References,
    named_as_in_the_request,
    not_a_choice,
    objects_by_id,
    ticket_out,
    visible_tickets,
)
from weibao.tickets.api_procedure import router as procedure_router
from weibao.tickets.api_quality import router as quality_router
from weibao.tickets.models import Attachment, Channel, Ticket, TicketEvent
from weibao.tickets.schemas import (
    ActionOut,
    EventOut,
    ReplyIn,
    TicketCreateIn,
    TicketFilters,
    TicketOut,
    TicketPageOut,
    TicketPatchIn,
    TransitionIn,
)
from weibao.tickets.services import tickets as services
from weibao.tickets.services._common import is_worker, side_of
from weibao.tickets.workflow import Action, Side

router = Router()
router.add_router("", assignment_router)
router.add_router("", procedure_router)
router.add_router("", quality_router)
router.add_router("", clocks_router)
TIMELINE_PAGE_SIZE = 100
# A reply's text is ``text`` in requests: the error shape cannot name a field ``body``.
TEXT_NAMES = {"body": "text"}

# Queues


def _split(values: list[str]) -> list[str]:
    # ``status=a&status=b`` and ``status=a,b`` alike.
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _levels(values: list[str]) -> list[int]:
    levels = _split(values)
    if not all(level.isdigit() and len(level) == 1 for level in levels):
        raise ValidationError({"level": [_("Levels are 1 to 4.")]})
    return [int(level) for level in levels]


def _cursor_check(cursor: str, sort: str) -> None:
    """A cursor that ``ticket_page`` can use, or a field error naming ``cursor``.

    Beyond the selector's own check: an id or instant that no database column holds
    (a forged cursor) would reach the database as an overflow.
    """
    if not cursor:
        return
    try:
        instant, pk = selectors._decode(cursor, sort)
        in_utc = instant.astimezone(dt.UTC)
        usable = 1 <= pk <= MAX_ID and abs(instant.utcoffset() or dt.timedelta(0)) < POSTGRESQL_MAX_OFFSET
        usable = usable and dt.datetime.min.replace(tzinfo=dt.UTC) < in_utc < dt.datetime.max.replace(tzinfo=dt.UTC)
    except (selectors.CursorError, OverflowError, ValueError):
        usable = False
    if not usable:
        raise ValidationError({"cursor": [_("This page link is not valid (it may belong to another sort order).")]})


def ticket_filter(filters: TicketFilters) -> selectors.TicketFilter:
    """The selector's filter from the query, or ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    try:
        levels = _levels(filters.level)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        levels = []
    result = selectors.TicketFilter(
        queue=filters.queue,
        status=_split(filters.status),
        client_id=filters.client_id,
        deployment_id=filters.deployment_id,
        assignee_id=filters.assignee_id,
        team_id=filters.team_id,
        kind=_split(filters.kind),
        level=levels,
        channel=filters.channel,
        q=filters.q,
        sort=filters.sort,
    )
    errors.update(result.errors())
    if filters.channel and filters.channel not in Channel.values:
        errors["channel"] = [not_a_choice()]
    if errors:
        raise ValidationError(errors)
    return result


@router.get("/tickets", response={200: TicketPageOut, **LIST_ERRORS}, operation_id="ticket_list")
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """A queue of requests, one page at a time (keyset: pass ``next_cursor`` back as ``cursor``).

    ``count`` is the number of requests matching the filter in all. A cursor made for
    another sort order, or not made here, is a 422 naming ``cursor``.
    """
    actor = acting_user(request)
    wanted = ticket_filter(filters)
    _cursor_check(filters.cursor, wanted.sort)
    tickets = selectors.ticket_list(actor=actor, filters=wanted)
    page = selectors.ticket_page(tickets, sort=wanted.sort, cursor=filters.cursor, size=filters.limit)
    # One plain COUNT (no joins, no ORDER BY) that may use the status indexes.
    count = selectors.ticket_count(actor=actor, filters=wanted)
    return {"items": page.items, "next_cursor": page.next_cursor, "count": count}


# One request


def _client_for_create(actor: User, client_id: int | None) -> Client:
    if client_id is None:
        own = client_id_of(actor)
        if own is None:
            raise ValidationError({"client_id": [_("This field is required.")]})
        client_id = own
    client = visible_clients(actor).filter(pk=client_id).first()
    if client is None:
        raise ValidationError({"client_id": [not_a_choice()]})
    return client


@router.post("/tickets", response={201: TicketOut, **CREATE_ERRORS}, operation_id="ticket_create")
def ticket_create(request: HttpRequest, payload: TicketCreateIn) -> Status[Ticket]:
    """Register a request. Client users register for their own client (``client_id`` may be left out).

    A client user's request is always theirs and comes in by ``portal`` or ``api``.
    """
    actor = acting_user(request)
    data = payload.dict()
    client = _client_for_create(actor, data.pop("client_id"))
    references: References = {
        "deployment_id": (scoped(Deployment.objects.all(), actor), data.pop("deployment_id")),
        "contact_id": (scoped(Contact.objects.all(), actor), data.pop("contact_id")),
        "parent_id": (visible_tickets(actor), data.pop("parent_id")),
    }
    requester_id = data.pop("requester_id")
    if not actor.is_client_side:
        # A client user is always the requester; only staff name one.
        references["requester_id"] = (User.objects.filter(is_active=True), requester_id)
    found = objects_by_id(references)
    with named_as_in_the_request():
        ticket = services.ticket_create(
            actor=actor,
            client=client,
            deployment=found["deployment_id"],
            contact=found["contact_id"],
            parent=found["parent_id"],
            requester=found.get("requester_id"),
            **data,
        )
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **READ_ERRORS}, operation_id="ticket_get")
def ticket_get(request: HttpRequest, ticket_id: int) -> Ticket:
    return selectors.ticket_get(actor=acting_user(request), ticket_id=ticket_id)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_update")
def ticket_update(request: HttpRequest, ticket_id: int, payload: TicketPatchIn) -> Ticket:
    """Change the fields sent. With ``version`` (from your last read), a request changed since is a 409."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    references: References = {}
    if "deployment_id" in changes:
        references["deployment"] = (scoped(Deployment.objects.all(), actor), changes.pop("deployment_id"))
    if "contact_id" in changes:
        references["contact"] = (scoped(Contact.objects.all(), actor), changes.pop("contact_id"))
    with named_as_in_the_request():
        changes.update(objects_by_id(references))
        services.ticket_update(actor=actor, ticket_id=ticket_id, changes=changes, expected_version=version)
    return ticket_out(actor, ticket_id)


@router.post(
    "/tickets/{ticket_id}/transitions", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_transition"
)
def ticket_transition(request: HttpRequest, ticket_id: int, payload: TransitionIn) -> Ticket:
    """Move the request one step through the procedure; a step not possible now is a 409 saying why."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    with named_as_in_the_request():
        found = objects_by_id({"merge_into": (visible_tickets(actor), payload.merge_into_id)})
        services.ticket_transition(
            actor=actor,
            ticket_id=ticket_id,
            action=payload.action,
            reason=payload.reason,
            expected_version=payload.version,
            merge_into=found["merge_into"],
        )
    return ticket_out(actor, ticket_id)


def _may_act(actor: User, ticket: Ticket, action: Action, side: Side) -> bool:
    # The service's own checks beyond the state table (see ticket_transition).
    if side == Side.STAFF:
        return is_worker(actor)
    return not (action == Action.WITHDRAW and side == Side.CLIENT and ticket.requester_id not in {actor.pk, None})


@router.get(
    "/tickets/{ticket_id}/actions", response={200: list[ActionOut], **READ_ERRORS}, operation_id="ticket_actions"
)
def ticket_actions(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    """The procedure's steps the caller may take now (for ``POST …/transitions``)."""
    actor = acting_user(request)
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    side = side_of(actor)
    return [
        {
            "action": action.value,
            "label": str(workflow.ACTION_LABELS[action]),
            "reason_required": action in workflow.REASON_REQUIRED,
        }
        for action in workflow.actions_available(status=ticket.state, kind=ticket.kind_enum, side=side)
        if _may_act(actor, ticket, action, side)
    ]


# Timeline, replies, files


@router.get(
    "/tickets/{ticket_id}/timeline", response={200: list[EventOut], **READ_ERRORS}, operation_id="ticket_timeline"
)
@paginate(Pagination, page_size=TIMELINE_PAGE_SIZE)
def ticket_timeline(request: HttpRequest, ticket_id: int) -> QuerySet[TicketEvent]:
    """The request's history, oldest first: who, when, what. Client users never see internal entries."""
    actor = acting_user(request)
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    return selectors.ticket_timeline(actor=actor, ticket=ticket)


@router.post("/tickets/{ticket_id}/replies", response={201: EventOut, **WRITE_ERRORS}, operation_id="ticket_reply")
def ticket_reply(request: HttpRequest, ticket_id: int, payload: ReplyIn) -> Status[TicketEvent]:
    """A reply the client sees, or (``internal``, staff only) a note between engineers."""
    actor = acting_user(request)
    with named_as_in_the_request(TEXT_NAMES):
        event = services.ticket_reply(
            actor=actor,
            ticket_id=ticket_id,
            body=payload.text,
            internal=payload.internal,
            expected_version=payload.version,
        )
    return Status(201, event)


@router.post("/tickets/{ticket_id}/attachments", response={201: EventOut, **WRITE_ERRORS}, operation_id="ticket_attach")
def ticket_attach(
    request: HttpRequest,
    ticket_id: int,
    files: File[list[UploadedFile]],
    text: Form[str] = "",
    internal: Form[bool] = False,
) -> Status[TicketEvent]:
    """Upload files (multipart/form-data, field ``files``, up to 10) as a reply with an optional text.

    With ``internal`` (staff only) they are an internal note's files. One refused file stores none.
    """
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    with named_as_in_the_request(TEXT_NAMES):
        event = services.ticket_reply(actor=actor, ticket_id=ticket_id, body=text, internal=internal, files=files)
    return Status(201, event)


def attachment_response(attachment: Attachment) -> FileResponse:
    """The stored file as a download no browser renders or sniffs (the headers of technical files).

    Raises ObjectNotFoundError when the stored content is missing.
    """
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise ObjectNotFoundError(_("The stored file is missing.")) from exc
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = attachment_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/tickets/attachments/{attachment_id}",
    response={200: None, **READ_ERRORS},
    operation_id="ticket_attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment (Content-Disposition carries its name).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def ticket_attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Download a file of a request; client users never reach internal ones."""
    return attachment_response(selectors.attachment_get(actor=acting_user(request), attachment_id=attachment_id))
