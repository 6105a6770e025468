"""Who works on a request: dispatch, claim, transfer, return, follow, supervise, bulk."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import WeibaoError
from weibao.tickets import notify as ticket_notify
from weibao.tickets.models import Team, Ticket, TicketEvent
from weibao.tickets.services._common import (
    is_worker,
    require_dispatcher,
    require_worker,
    snapshot,
    ticket_lock,
    ticket_save,
    timeline_add,
)
from weibao.tickets.services.quality import complaint_ensure
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.workflow import Action

MAX_BULK = 500


class BulkLimitError(WeibaoError):
    status_code = 422


def _assignee_errors(assignee: User | None, team: Team | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if assignee is not None and not is_worker(assignee):
        errors["assignee"] = [_("Requests can only be assigned to vendor engineers and agents.")]
    if assignee is not None and team is not None and not team.members.filter(pk=assignee.pk).exists():
        errors["assignee"] = [_("%(user)s is not a member of %(team)s.") % {"user": assignee, "team": team}]
    return errors


@transaction.atomic
def ticket_assign(
    *,
    actor: User,
    ticket_id: int,
    assignee: User | None,
    team: Team | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Dispatch (派单) or transfer a request to an engineer and/or a team.

    Dispatchers (service managers, agents, administrators) only; a closed request
    cannot be assigned. ValidationError ``assignee`` for a client user or a
    non-member of ``team``. Side effects: an ``assigned`` timeline entry (the note
    is internal), the requester's engineer follows it, ``ticket.assign`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_dispatcher(actor)
    if ticket.is_closed:
        raise ValidationError({"assignee": [_("A closed request cannot be assigned.")]})
    if assignee is None and team is None:
        raise ValidationError({"assignee": [_("Choose an engineer or a team.")]})
    errors = _assignee_errors(assignee, team)
    if errors:
        raise ValidationError(errors)
    return _assign(ticket=ticket, actor=actor, assignee=assignee, team=team, note=note, how="dispatch")


def _assign(*, ticket: Ticket, actor: User, assignee: User | None, team: Team | None, note: str, how: str) -> Ticket:
    complaint_ensure(ticket=ticket, actor=actor)
    before = snapshot(ticket)
    previous = ticket.assignee
    ticket.assignee = assignee
    if team is not None:
        ticket.team = team
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.ASSIGNED,
        body=(note or "").strip(),
        internal=True,
        data={
            "how": how,
            "from": previous.get_username() if previous else None,
            "to": assignee.get_username() if assignee else None,
            "team": team.name if team else None,
        },
    )
    ticket_save(ticket=ticket, actor=actor, action=f"ticket.{how}", before=before)
    if assignee is not None:
        ticket.followers.add(assignee)
    ticket_notify.request_assigned(ticket=ticket, actor=actor)
    return ticket


@transaction.atomic
def ticket_claim(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """Take an unassigned request (认领). Another engineer's request must be transferred instead."""
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    if ticket.is_closed:
        raise ValidationError({"assignee": [_("A closed request cannot be claimed.")]})
    if ticket.assignee_id == actor.pk:
        return ticket
    if ticket.assignee_id is not None:
        raise ValidationError(
            {
                "assignee": [
                    _("%(user)s already works on this request; ask a dispatcher to transfer it.")
                    % {"user": ticket.assignee}
                ]
            }
        )
    return _assign(ticket=ticket, actor=actor, assignee=actor, team=None, note="", how="claim")


@transaction.atomic
def ticket_return(*, actor: User, ticket_id: int, reason: str, expected_version: int | None = None) -> Ticket:
    """Hand a request back to dispatch (打回) with a reason; only its assignee or a dispatcher."""
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    if ticket.assignee_id != actor.pk:
        require_dispatcher(actor)
    if ticket.assignee_id is None:
        raise ValidationError({"reason": [_("The request is not assigned to anyone.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the request is returned.")]})
    before = snapshot(ticket)
    previous = ticket.assignee
    ticket.assignee = None
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RETURNED,
        body=reason.strip(),
        internal=True,
        data={"from": previous.get_username() if previous else None},
    )
    ticket_save(ticket=ticket, actor=actor, action="ticket.return", before=before)
    return ticket


@transaction.atomic
def ticket_follow(*, actor: User, ticket_id: int, follow: bool = True) -> Ticket:
    """Follow (关注) or stop following a request; followers are told of its changes."""
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    require_worker(actor)
    if follow:
        ticket.followers.add(actor)
    else:
        ticket.followers.remove(actor)
    return ticket


@transaction.atomic
def ticket_supervise(*, actor: User, ticket_id: int, note: str, expected_version: int | None = None) -> Ticket:
    """Put a request under supervision (督办): a manager's note that it needs pushing."""
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_dispatcher(actor)
    if not (note or "").strip():
        raise ValidationError({"note": [_("Write what needs to happen.")]})
    before = snapshot(ticket)
    ticket.supervised = True
    timeline_add(ticket=ticket, actor=actor, kind=TicketEvent.Kind.SUPERVISED, body=note.strip(), internal=True)
    ticket_save(ticket=ticket, actor=actor, action="ticket.supervise", before=before)
    ticket.followers.add(actor)
    return ticket


def _bulk_ids(ticket_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise ValidationError({"ticket_ids": [_("Choose at least one request.")]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"ticket_ids": [_("At most %(n)s requests at a time.") % {"n": MAX_BULK}]})
    return ids


@transaction.atomic
def ticket_bulk_assign(
    *, actor: User, ticket_ids: Sequence[int], assignee: User | None, team: Team | None = None, note: str = ""
) -> list[Ticket]:
    """Assign several requests at once; all or none (one refused request refuses the batch)."""
    require_dispatcher(actor)
    return [
        ticket_assign(actor=actor, ticket_id=pk, assignee=assignee, team=team, note=note)
        for pk in _bulk_ids(ticket_ids)
    ]


@transaction.atomic
def ticket_bulk_close(*, actor: User, ticket_ids: Sequence[int], reason: str) -> list[Ticket]:
    """Close several requests with one reason; all or none."""
    require_dispatcher(actor)
    ids = _bulk_ids(ticket_ids)
    return [ticket_transition(actor=actor, ticket_id=pk, action=Action.CLOSE, reason=reason) for pk in ids]
