"""What every portal page shares: the actor, the scoped lookup, staff redirects, next steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.accounts.models import Role, User
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets import selectors, workflow
from weibao.tickets.models import Ticket
from weibao.tickets.services._common import side_of
from weibao.tickets.workflow import Action, Side, Status

# States in which the next move is the client's ("waiting on us", from the client's side).
CLIENT_TURN = frozenset(
    {Status.LEADER_SIGNOFF, Status.PLAN_PENDING, Status.ACCEPTANCE, Status.FEEDBACK, Status.PENDING_CLIENT}
)


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def found[T](fetch: Callable[..., T], **kwargs: Any) -> T:
    """Call a scoped selector; an object out of scope becomes a 404 page."""
    try:
        return fetch(**kwargs)
    except ObjectNotFoundError as exc:
        raise Http404 from exc


def portal_ticket(request: HttpRequest, pk: int) -> Ticket:
    """The request ``pk`` as the signed-in user may see it, or a 404."""
    return found(selectors.ticket_get, actor=actor_of(request), ticket_id=pk)


def staff_elsewhere(request: HttpRequest, ticket: Ticket | None = None) -> HttpResponse | None:
    """For vendor staff, a redirect to the staff page of the same thing; None for client users.

    Called after the scoped lookup, so a missing request is a 404 for everyone.
    """
    if actor_of(request).is_client_side:
        return None
    if ticket is None:
        return redirect(reverse("tickets:queue"))
    return redirect(reverse("tickets:detail", kwargs={"pk": ticket.pk}))


def is_leader(actor: User) -> bool:
    return actor.role == Role.CLIENT_LEADER


@dataclass(frozen=True)
class Step:
    """A thing the client can do now on a request, as a link to its page."""

    label: str
    url: str
    primary: bool = True


@dataclass(frozen=True)
class Guidance:
    """Who has to act next and what happens, in the client's words."""

    who: str
    text: str
    client_turn: bool


def guidance(ticket: Ticket, actor: User) -> Guidance:
    """What happens next on ``ticket``, said to ``actor`` (a client user or leader)."""
    status = ticket.state
    vendor, you = _("The vendor"), _("You")
    leader = _("You") if is_leader(actor) else _("Your leader")
    texts: dict[Status, tuple[str, str]] = {
        Status.REGISTERED: (vendor, _("Our engineers review the request and decide how to handle it.")),
        Status.LEADER_SIGNOFF: (
            leader,
            _("Please sign off or decline the request; the vendor reviews it only after your sign-off.")
            if is_leader(actor)
            else _("Your leader must sign off the request before the vendor reviews it."),
        ),
        Status.PLAN_PENDING: (you, _("The vendor proposes a maintenance plan. Please confirm or decline it.")),
        Status.IN_PROGRESS: (vendor, _("Engineers are working on the request. You will be asked to check the result.")),
        Status.TESTING: (vendor, _("The change is being tested before it is handed over to you.")),
        Status.ACCEPTANCE: (you, _("The work is done. Please check the result, then accept or reject it.")),
        Status.FEEDBACK: (you, _("Please give your opinion of the work and rate the service.")),
        Status.PENDING_CLIENT: (
            you,
            _("The engineers need information from you. Reply below; the work continues as soon as you answer."),
        ),
        Status.SUSPENDED: (vendor, _("Work is suspended for now; the engineers will resume it.")),
        Status.ARCHIVED: ("", _("The request is closed and archived.")),
        Status.REJECTED: ("", _("The request was rejected; the reason is in the timeline.")),
        Status.WITHDRAWN: ("", _("The request was withdrawn.")),
        Status.MERGED: ("", _("The request was merged into another one; it continues there.")),
    }
    who, text = texts[status]
    return Guidance(who=who, text=text, client_turn=status in CLIENT_TURN)


# The page where the client takes each of their procedure steps.
STEP_PAGES: dict[Action, tuple[str, bool]] = {
    Action.LEADER_APPROVE: ("portal:signoff", True),
    Action.PLAN_CONFIRM: ("portal:plan", True),
    Action.ACCEPT: ("portal:acceptance", True),
    Action.FEEDBACK: ("portal:feedback", True),
    Action.WITHDRAW: ("portal:withdraw", False),
}
STEP_LABELS = {
    Action.LEADER_APPROVE: _("Sign off or decline"),
    Action.PLAN_CONFIRM: _("Confirm or decline the plan"),
    Action.ACCEPT: _("Accept or reject the work"),
    Action.FEEDBACK: _("Give feedback and rate"),
    Action.WITHDRAW: _("Withdraw the request"),
}


def may_withdraw(ticket: Ticket, actor: User) -> bool:
    """The proposer and the client's leaders may withdraw; others of the client may not."""
    return is_leader(actor) or ticket.requester_id in {actor.pk, None}


def client_steps(ticket: Ticket, actor: User) -> list[Step]:
    """The procedure steps ``actor`` may take now, as links, in the order the procedure runs."""
    side = side_of(actor)
    if side == Side.STAFF:
        return []
    available = workflow.actions_available(status=ticket.state, kind=ticket.kind_enum, side=side)
    steps = []
    for action in available:
        if action not in STEP_PAGES:
            continue
        if action == Action.WITHDRAW and not may_withdraw(ticket, actor):
            continue
        name, primary = STEP_PAGES[action]
        steps.append(Step(label=str(STEP_LABELS[action]), url=reverse(name, kwargs={"pk": ticket.pk}), primary=primary))
    if not ticket.is_closed:
        steps.append(
            Step(
                label=_("Allow remote access"),
                url=reverse("portal:remote_consent", kwargs={"pk": ticket.pk}),
                primary=False,
            )
        )
    return steps


def step_refusal(ticket: Ticket, actor: User, action: Action) -> str:
    """Why ``actor`` cannot take ``action`` on ``ticket`` now; "" when they can."""
    try:
        workflow.transition_check(
            status=ticket.state,
            kind=ticket.kind_enum,
            action=action,
            side=side_of(actor),
            resume_status=ticket.resume_status,
        )
    except workflow.TransitionRefused as exc:
        return str(exc)
    return ""
