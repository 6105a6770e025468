"""REST API of complaints, service quality (R1.7, R7) and links between requests.

Complaint records are the client's to read as well; corrective actions and callback
tasks are the vendor's own work (client users see none). Links name only requests
the caller may see.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Pagination
from weibao.tickets import quality_selectors, selectors
from weibao.tickets.api_common import named_as_in_the_request, objects_by_id, ticket_out, visible_tickets
from weibao.tickets.models import CallbackTask, Complaint, CorrectiveAction, Survey, Ticket
from weibao.tickets.schemas import TicketOut
from weibao.tickets.schemas_quality import (
    CallbackFilters,
    CallbackOut,
    CallbackRecordIn,
    ComplaintOut,
    ComplaintPatchIn,
    CorrectiveActionCompleteIn,
    CorrectiveActionIn,
    CorrectiveActionOut,
    LinkIn,
    LinksOut,
    MergeIn,
    ParentIn,
    SurveyIn,
    SurveyOut,
)
from weibao.tickets.services import links, quality
from weibao.tickets.services._common import require_worker

router = Router()
CALLBACK_PAGE_SIZE = 50


def _staff_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


# Complaints and corrective actions


@router.get(
    "/tickets/{ticket_id}/complaint",
    response={200: ComplaintOut | None, **READ_ERRORS},
    operation_id="ticket_complaint_get",
)
def ticket_complaint_get(request: HttpRequest, ticket_id: int) -> Complaint | None:
    """The complaint record of a complaint request (null until vendor staff first act on it)."""
    return quality_selectors.complaint_get(actor=acting_user(request), ticket_id=ticket_id)


@router.patch(
    "/tickets/{ticket_id}/complaint",
    response={200: ComplaintOut, **WRITE_ERRORS},
    operation_id="ticket_complaint_update",
)
def ticket_complaint_update(request: HttpRequest, ticket_id: int, payload: ComplaintPatchIn) -> Complaint:
    """Fill in the complaint record: tracker, what it is about, handling, result, satisfaction (1–5)."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    require_worker(actor)
    changes = payload.dict(exclude_unset=True)
    found = objects_by_id({"tracker_id": (_staff_users(), changes.pop("tracker_id", None))})
    with named_as_in_the_request({"tracker": "tracker_id"}):
        return quality.complaint_update(
            actor=actor,
            ticket_id=ticket_id,
            tracker=found["tracker_id"],
            about=changes.get("about"),
            handling=changes.get("handling"),
            result=changes.get("result"),
            satisfaction=changes.get("satisfaction"),
        )


@router.get(
    "/tickets/{ticket_id}/corrective-actions",
    response={200: list[CorrectiveActionOut], **READ_ERRORS},
    operation_id="ticket_corrective_action_list",
)
def ticket_corrective_action_list(request: HttpRequest, ticket_id: int) -> QuerySet[CorrectiveAction]:
    """Corrective and preventive actions on the request, by due date (vendor staff; empty for client users)."""
    return quality_selectors.corrective_action_list(actor=acting_user(request), ticket_id=ticket_id)


@router.post(
    "/tickets/{ticket_id}/corrective-actions",
    response={201: CorrectiveActionOut, **WRITE_ERRORS},
    operation_id="ticket_corrective_action_create",
)
def ticket_corrective_action_create(
    request: HttpRequest, ticket_id: int, payload: CorrectiveActionIn
) -> Status[CorrectiveAction]:
    """Record a corrective or preventive action (纠正预防措施) with its owner and due date."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    require_worker(actor)
    found = objects_by_id({"owner_id": (_staff_users(), payload.owner_id)})
    with named_as_in_the_request({"owner": "owner_id"}):
        action = quality.corrective_action_add(
            actor=actor,
            ticket_id=ticket_id,
            kind=payload.kind,
            description=payload.description,
            owner=found["owner_id"],
            due_on=payload.due_on,
        )
    return Status(201, action)


@router.post(
    "/tickets/corrective-actions/{action_id}/complete",
    response={200: CorrectiveActionOut, **WRITE_ERRORS},
    operation_id="ticket_corrective_action_complete",
)
def ticket_corrective_action_complete(
    request: HttpRequest, action_id: int, payload: CorrectiveActionCompleteIn
) -> CorrectiveAction:
    """Mark a corrective or preventive action done, with what came of it."""
    actor = acting_user(request)
    return quality.corrective_action_complete(actor=actor, action_id=action_id, outcome=payload.outcome)


# Surveys and callbacks


@router.get(
    "/tickets/{ticket_id}/survey", response={200: SurveyOut | None, **READ_ERRORS}, operation_id="ticket_survey_get"
)
def ticket_survey_get(request: HttpRequest, ticket_id: int) -> Survey | None:
    """The request's satisfaction rating, or null when it has none yet."""
    return quality_selectors.survey_get(actor=acting_user(request), ticket_id=ticket_id)


@router.post("/surveys", response={201: SurveyOut, **WRITE_ERRORS}, operation_id="ticket_survey_submit")
def ticket_survey_submit(request: HttpRequest, payload: SurveyIn) -> Status[Survey]:
    """Rate an archived request once (1–5, with a comment).

    By ``ticket_id``: a user of its client (portal), or quality staff entering what the
    client said on a callback. By ``token``: the survey link's secret. A rating of 1 or
    2 opens a follow-up request (``follow_up_id``).
    """
    actor = acting_user(request)
    if payload.token is not None:
        via = Survey.Via.LINK
    elif actor.is_client_side:
        via = Survey.Via.PORTAL
    else:
        via = Survey.Via.CALLBACK
    survey = quality.survey_submit(
        actor=actor,
        ticket_id=payload.ticket_id,
        token=payload.token,
        rating=payload.rating,
        comment=payload.comment,
        via=via,
    )
    return Status(201, survey)


@router.get("/callbacks", response={200: list[CallbackOut], **LIST_ERRORS}, operation_id="ticket_callback_list")
@paginate(Pagination, page_size=CALLBACK_PAGE_SIZE)
def ticket_callback_list(request: HttpRequest, filters: Query[CallbackFilters]) -> QuerySet[CallbackTask]:
    """The quality team's callback tasks, newest week first (empty for anyone but quality staff)."""
    return quality_selectors.callback_task_list(actor=acting_user(request), **filters.dict())


@router.post(
    "/callbacks/{callback_id}/record",
    response={200: CallbackOut, **WRITE_ERRORS},
    operation_id="ticket_callback_record",
)
def ticket_callback_record(request: HttpRequest, callback_id: int, payload: CallbackRecordIn) -> CallbackTask:
    """How the callback went: satisfied, dissatisfied (with the client's words: a follow-up opens) or unreachable."""
    actor = acting_user(request)
    task = quality.callback_record(actor=actor, callback_id=callback_id, outcome=payload.outcome, note=payload.note)
    return quality_selectors.callback_task_get(actor=actor, callback_id=task.pk)


# Links


def _refs(actor: User, tickets: QuerySet[Ticket]) -> list[Ticket]:
    return list(
        tickets.filter(pk__in=visible_tickets(actor).values("pk"))
        .only("id", "number", "status", "version")
        .order_by("id")
    )


@router.get("/tickets/{ticket_id}/links", response={200: LinksOut, **READ_ERRORS}, operation_id="ticket_links")
def ticket_links(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """The request's parent and children, related requests and merges — those the caller may see."""
    actor = acting_user(request)
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    single = Ticket.objects.filter(pk__in=[ticket.parent_id or 0, ticket.merged_into_id or 0])
    visible = {t.pk: t for t in _refs(actor, single)}
    return {
        "parent": visible.get(ticket.parent_id or 0),
        "children": _refs(actor, ticket.children.all()),
        "related": _refs(actor, ticket.related.all()),
        "merged_into": visible.get(ticket.merged_into_id or 0),
        "merged_requests": _refs(actor, ticket.merged_requests.all()),
    }


@router.post("/tickets/{ticket_id}/links", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_link")
def ticket_link(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Ticket:
    """Mark another request as related (``link: false`` undoes it); both must be visible to the caller."""
    actor = acting_user(request)
    links.ticket_link(actor=actor, ticket_id=ticket_id, other_id=payload.other_id, link=payload.link)
    return ticket_out(actor, ticket_id)


@router.post("/tickets/{ticket_id}/parent", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_set_parent")
def ticket_set_parent(request: HttpRequest, ticket_id: int, payload: ParentIn) -> Ticket:
    """Put the request under a parent (one outage, many clients; one level only), or with null take it out."""
    actor = acting_user(request)
    links.ticket_set_parent(actor=actor, ticket_id=ticket_id, parent_id=payload.parent_id)
    return ticket_out(actor, ticket_id)


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_merge")
def ticket_merge(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Ticket:
    """Close the request as a duplicate merged into ``into_id`` (same client): followers, files and children move."""
    actor = acting_user(request)
    links.ticket_merge(actor=actor, ticket_id=ticket_id, into_id=payload.into_id, reason=payload.reason)
    return ticket_out(actor, ticket_id)
