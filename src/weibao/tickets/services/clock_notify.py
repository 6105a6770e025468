"""Who hears of a clock's warning, breach or escalation step (through ``notify``), and the words of its timeline entry.

- warning: the assignee, else the service managers;
- breach: the assignee and the service managers;
- escalation step: the step's roles, named people, the assignee if asked, and the
  team's on-duty contact (@-mentioned by the group robots).

Each is idempotent per clock (and step) through ``dedup_key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import Role
from weibao.notifications import events
from weibao.notifications.dispatch import Recipients as Audience
from weibao.notifications.dispatch import notify
from weibao.tickets.models import SlaClock, Team, Ticket

MANAGERS = (Role.SERVICE_MANAGER.value,)


@dataclass(frozen=True)
class Recipients:
    user_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    on_duty: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        return {"users": list(self.user_ids), "roles": list(self.roles), "on_duty": list(self.on_duty)}


def escalation_recipients(ticket: Ticket, step: dict[str, Any]) -> Recipients:
    users = [int(u) for u in step.get("notify_user_ids") or []]
    if step.get("notify_assignee") and ticket.assignee_id is not None:
        users.append(ticket.assignee_id)
    on_duty: tuple[str, ...] = ()
    if step.get("notify_on_duty") and ticket.team_id is not None:
        contact = Team.objects.filter(pk=ticket.team_id).values_list("on_duty_contact", flat=True).first()
        on_duty = (contact,) if contact else ()
    return Recipients(
        user_ids=tuple(dict.fromkeys(users)),
        roles=tuple(str(r) for r in step.get("notify_roles") or ()),
        on_duty=on_duty,
    )


def escalation_text(number: int, done: dict[str, Any]) -> str:
    parts = [_("Escalation step %(n)s of target %(metric)s.") % {"n": number, "metric": done.get("metric", "")}]
    if "level" in done:
        parts.append(_("Level raised to %(level)s.") % {"level": done["level"]})
    if "team" in done:
        parts.append(_("Reassigned to team %(team)s.") % {"team": done["team"]})
    notified = done.get("notified") or {}
    who = [*(f"#{u}" for u in notified.get("users", [])), *notified.get("roles", []), *notified.get("on_duty", [])]
    if who:
        parts.append(_("To be told: %(who)s.") % {"who": ", ".join(str(w) for w in who)})
    return " ".join(parts)


def _context(ticket: Ticket, clock: SlaClock) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "metric": clock.metric,
        "due": clock.due_at.isoformat() if clock.due_at else "",
        "summary": _("Target %(metric)s due %(due)s")
        % {
            "metric": clock.metric,
            "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "—",
        },
    }


def _link(ticket: Ticket) -> str:
    return f"/tickets/{ticket.pk}/"


def warning(ticket: Ticket, clock: SlaClock) -> None:
    audience = Audience(user_ids=(ticket.assignee_id,)) if ticket.assignee_id else Audience(roles=MANAGERS)
    notify(
        event=events.SLA_WARNING,
        recipients=audience,
        context=_context(ticket, clock),
        client_id=ticket.client_id,
        link=_link(ticket),
        dedup_key=f"sla:{clock.pk}:warning",
    )


def breach(ticket: Ticket, clock: SlaClock) -> None:
    users = (ticket.assignee_id,) if ticket.assignee_id else ()
    notify(
        event=events.SLA_BREACHED,
        recipients=Audience(user_ids=users, roles=MANAGERS),
        context=_context(ticket, clock),
        client_id=ticket.client_id,
        link=_link(ticket),
        dedup_key=f"sla:{clock.pk}:breach",
    )


def escalation(ticket: Ticket, clock: SlaClock, index: int, recipients: Recipients, text: str) -> None:
    notify(
        event=events.SLA_ESCALATED,
        recipients=Audience(user_ids=recipients.user_ids, roles=recipients.roles, on_duty=recipients.on_duty),
        context={**_context(ticket, clock), "summary": text, "step": index + 1},
        client_id=ticket.client_id,
        link=_link(ticket),
        dedup_key=f"sla:{clock.pk}:step:{index}",
    )
