"""REST API of who works on a request: dispatch, claim, return, follow, supervise, bulk; teams.

The bulk operations are all or none: one request the caller cannot see (404) or
may not change refuses the whole batch and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import LIST_ERRORS, WRITE_ERRORS, Pagination
from weibao.tickets import selectors
from weibao.tickets.api_common import named_as_in_the_request, objects_by_id, ticket_out
from weibao.tickets.models import Team, Ticket
from weibao.tickets.schemas import (
    AssignIn,
    BulkAssignIn,
    BulkCloseIn,
    BulkOut,
    FollowOut,
    ReturnIn,
    SuperviseIn,
    TeamOut,
    TicketOut,
    VersionIn,
)
from weibao.tickets.services import assignment
from weibao.tickets.services._common import require_dispatcher

router = Router()


def _assignee_and_team(actor: User, assignee_id: int | None, team_id: int | None) -> tuple[User | None, Team | None]:
    # Dispatchers only, before any id is looked up: others learn nothing about users or teams.
    require_dispatcher(actor)
    found = objects_by_id(
        {
            "assignee_id": (User.objects.filter(is_active=True), assignee_id),
            "team_id": (Team.objects.all(), team_id),
        }
    )
    return found["assignee_id"], found["team_id"]


def _bulk_out(tickets: list[Ticket]) -> dict[str, Any]:
    return {"count": len(tickets), "items": tickets}


# The bulk paths come first: ``/tickets/{ticket_id}/assign`` would take ``bulk`` for an id.


@router.post("/tickets/bulk/assign", response={200: BulkOut, **WRITE_ERRORS}, operation_id="ticket_bulk_assign")
def ticket_bulk_assign(request: HttpRequest, payload: BulkAssignIn) -> dict[str, Any]:
    """Dispatch up to 500 requests at once to an engineer and/or a team; all or none."""
    actor = acting_user(request)
    assignee, team = _assignee_and_team(actor, payload.assignee_id, payload.team_id)
    with named_as_in_the_request():
        tickets = assignment.ticket_bulk_assign(
            actor=actor, ticket_ids=payload.ticket_ids, assignee=assignee, team=team, note=payload.note
        )
    return _bulk_out(tickets)


@router.post("/tickets/bulk/close", response={200: BulkOut, **WRITE_ERRORS}, operation_id="ticket_bulk_close")
def ticket_bulk_close(request: HttpRequest, payload: BulkCloseIn) -> dict[str, Any]:
    """Close up to 500 requests with one reason; all or none."""
    actor = acting_user(request)
    tickets = assignment.ticket_bulk_close(actor=actor, ticket_ids=payload.ticket_ids, reason=payload.reason)
    return _bulk_out(tickets)


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_assign")
def ticket_assign(request: HttpRequest, ticket_id: int, payload: AssignIn) -> Ticket:
    """Dispatch (派单) or transfer to an engineer and/or a team; the note is internal."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    assignee, team = _assignee_and_team(actor, payload.assignee_id, payload.team_id)
    with named_as_in_the_request():
        assignment.ticket_assign(
            actor=actor,
            ticket_id=ticket_id,
            assignee=assignee,
            team=team,
            note=payload.note,
            expected_version=payload.version,
        )
    return ticket_out(actor, ticket_id)


@router.post("/tickets/{ticket_id}/claim", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_claim")
def ticket_claim(request: HttpRequest, ticket_id: int, payload: VersionIn) -> Ticket:
    """Take an unassigned request (认领); another engineer's request must be transferred instead."""
    actor = acting_user(request)
    with named_as_in_the_request():
        assignment.ticket_claim(actor=actor, ticket_id=ticket_id, expected_version=payload.version)
    return ticket_out(actor, ticket_id)


@router.post("/tickets/{ticket_id}/return", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_return")
def ticket_return(request: HttpRequest, ticket_id: int, payload: ReturnIn) -> Ticket:
    """Hand the request back to dispatch (打回) with a reason."""
    actor = acting_user(request)
    assignment.ticket_return(actor=actor, ticket_id=ticket_id, reason=payload.reason, expected_version=payload.version)
    return ticket_out(actor, ticket_id)


def _follow(request: HttpRequest, ticket_id: int, *, follow: bool) -> dict[str, Any]:
    actor = acting_user(request)
    assignment.ticket_follow(actor=actor, ticket_id=ticket_id, follow=follow)
    return {"ticket_id": ticket_id, "following": follow}


@router.post("/tickets/{ticket_id}/follow", response={200: FollowOut, **WRITE_ERRORS}, operation_id="ticket_follow")
def ticket_follow(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """Follow (关注) the request: be told of its changes."""
    return _follow(request, ticket_id, follow=True)


@router.post("/tickets/{ticket_id}/unfollow", response={200: FollowOut, **WRITE_ERRORS}, operation_id="ticket_unfollow")
def ticket_unfollow(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    return _follow(request, ticket_id, follow=False)


@router.post(
    "/tickets/{ticket_id}/supervise", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_supervise"
)
def ticket_supervise(request: HttpRequest, ticket_id: int, payload: SuperviseIn) -> Ticket:
    """Put the request under supervision (督办) with a note of what needs to happen."""
    actor = acting_user(request)
    assignment.ticket_supervise(actor=actor, ticket_id=ticket_id, note=payload.note, expected_version=payload.version)
    return ticket_out(actor, ticket_id)


@router.get("/teams", response={200: list[TeamOut], **LIST_ERRORS}, operation_id="ticket_team_list")
@paginate(Pagination, page_size=100)
def ticket_team_list(request: HttpRequest) -> QuerySet[Team]:
    """The teams requests are dispatched to, with their members (vendor staff only; empty for others)."""
    actor = acting_user(request)
    if actor.is_client_side:
        return Team.objects.none()
    return Team.objects.prefetch_related("members").order_by("name")
