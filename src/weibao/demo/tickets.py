"""Play the demo requests (``dataset.tickets``) through the service-desk services.

A request already present (same client and summary) is left as it is, so a second
load changes nothing. Runs inside the demo loader's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from weibao.accounts.models import User
from weibao.customers.models import Client, Contact, Deployment
from weibao.demo.dataset.tickets import TEAMS, TICKETS, Step, TicketSpec
from weibao.tickets.models import Team, Ticket
from weibao.tickets.services.assignment import ticket_assign, ticket_claim, ticket_supervise
from weibao.tickets.services.procedure import (
    acceptance_sign,
    feedback_give,
    leader_signoff,
    plan_respond,
    review_record,
    ticket_resolve,
)
from weibao.tickets.services.tickets import ticket_create, ticket_reply, ticket_transition
from weibao.tickets.services.work import milestone_record, remote_consent_record, work_log_add


def tickets_load(counts: Counter[str], present: Counter[str]) -> None:
    """Create the demo teams and requests that are missing; count them under ``teams``/``tickets``."""
    users = {u.username: u for u in User.objects.all()}
    teams = {}
    for spec in TEAMS:
        team, made = Team.objects.get_or_create(name=spec.name, defaults={"on_duty_contact": spec.on_duty_contact})
        if made:
            team.members.set([users[name] for name in spec.members if name in users])
            counts["teams"] += 1
        else:
            present["teams"] += 1
        teams[spec.name] = team
    clients = {c.code: c for c in Client.objects.all()}
    for ticket_spec in TICKETS:
        client = clients[ticket_spec.client_code]
        if Ticket.objects.filter(client=client, title=ticket_spec.title).exists():
            present["tickets"] += 1
            continue
        ticket = _create(ticket_spec, client, users)
        for step in ticket_spec.steps:
            _play(step, ticket, users, teams)
        counts["tickets"] += 1


def _create(spec: TicketSpec, client: Client, users: dict[str, User]) -> Ticket:
    deployment = Deployment.objects.filter(client=client, name=spec.deployment).first() if spec.deployment else None
    contact = Contact.objects.filter(client=client, name=spec.contact).first() if spec.contact else None
    return ticket_create(
        actor=users[spec.by],
        client=client,
        title=spec.title,
        kind=spec.kind,
        channel=spec.channel,
        level=spec.level,
        description=f"<p>{spec.description}</p>" if spec.description else "",
        deployment=deployment,
        contact=contact,
        requester=users.get(spec.requester) if spec.requester and not users[spec.by].is_client_side else None,
        caller_name=contact.name if contact else "",
        caller_phone=spec.caller_phone,
        call_started_at=timezone.now() if spec.channel == "hotline" else None,
        call_seconds=spec.call_seconds,
    )


def _dated_plan(args: dict[str, Any]) -> dict[str, Any]:
    """A plan in the spec runs from today for three days."""
    if "plan" not in args:
        return args
    today = timezone.localdate()
    return {**args, "plan": {**args["plan"], "planned_start": today, "planned_end": today + dt.timedelta(days=3)}}


def _play(step: Step, ticket: Ticket, users: dict[str, User], teams: dict[str, Team]) -> None:
    username, verb, args = step
    actor = users[username]
    pk = ticket.pk
    actions: dict[str, Callable[[], Any]] = {
        "assign": lambda: ticket_assign(
            actor=actor,
            ticket_id=pk,
            assignee=users[args["assignee"]],
            team=teams.get(args.get("team", "")),
            note=args.get("note", ""),
        ),
        "claim": lambda: ticket_claim(actor=actor, ticket_id=pk),
        "supervise": lambda: ticket_supervise(actor=actor, ticket_id=pk, note=args["note"]),
        "review": lambda: review_record(actor=actor, ticket_id=pk, **_dated_plan(args)),
        "plan_confirm": lambda: plan_respond(actor=actor, ticket_id=pk, confirm=True, **args),
        "consent": lambda: remote_consent_record(actor=actor, ticket_id=pk, granted_via="portal", **args),
        "work_remote": lambda: work_log_add(
            actor=actor, ticket_id=pk, mode="remote", started_at=timezone.now(), **args
        ),
        "resolve": lambda: ticket_resolve(actor=actor, ticket_id=pk, **args),
        "accept": lambda: acceptance_sign(actor=actor, ticket_id=pk, accepted=True, **args),
        "feedback": lambda: feedback_give(actor=actor, ticket_id=pk, **args),
        "leader": lambda: leader_signoff(actor=actor, ticket_id=pk, **args),
        "note": lambda: ticket_reply(actor=actor, ticket_id=pk, internal=True, **args),
        "wait": lambda: ticket_transition(actor=actor, ticket_id=pk, action="wait_client", **args),
        "milestone": lambda: milestone_record(actor=actor, ticket_id=pk, **args),
    }
    actions[verb]()
