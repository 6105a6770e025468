"""Who hears of what happens to a request, through ``notifications.dispatch.notify``.

The services of the service desk call these functions inside their transaction (one
line each); ``notify`` writes its rows there and queues the sending on commit. Staff and
client users get separate notifications, because their links differ (the request page
vs. the portal) and because a client never hears of internal notes.

- created: service managers and agents, the team's on-duty contact; the requester when
  staff registered it on their behalf;
- assigned: the new assignee (and the team's on-duty contact);
- replied: a reply by staff reaches the requester (or the contact's e-mail) and the other
  staff following the request; a client's reply reaches the assignee and followers;
  internal notes reach followers only, never the client;
- acceptance pending: the requester and the client's leaders;
- survey: the requester (or the contact's e-mail) with the survey link, on archiving;
- complaint: quality staff and service managers.

Each is idempotent per request and step through ``dedup_key``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from weibao.accounts.models import Role, User
from weibao.customers.models import ClientMembership
from weibao.notifications import events
from weibao.notifications.dispatch import Recipients, notify
from weibao.tickets.models import Channel, Complaint, Ticket, TicketEvent
from weibao.tickets.workflow import Status

STAFF_DESK = (Role.SERVICE_MANAGER.value, Role.AGENT.value)


def _context(ticket: Ticket, **extra: object) -> dict[str, object]:
    return {"number": ticket.number, "title": ticket.title, **extra}


def _staff_link(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def _portal_link(ticket: Ticket) -> str:
    return reverse("portal:detail", args=[ticket.pk])


def _on_duty(ticket: Ticket) -> tuple[str, ...]:
    team = ticket.team
    return (team.on_duty_contact,) if team is not None and team.on_duty_contact else ()


def _client_side(ticket: Ticket) -> Recipients:
    """The requester if any, else the contact's e-mail."""
    if ticket.requester_id is not None:
        return Recipients(user_ids=(ticket.requester_id,))
    contact = ticket.contact
    if contact is not None and contact.email:
        return Recipients(emails=(contact.email,))
    return Recipients()


def _staff_followers(ticket: Ticket, *, but: User | None) -> tuple[int, ...]:
    ids = set(ticket.followers.filter(is_active=True).values_list("pk", "role"))
    if ticket.assignee_id is not None:
        ids.add((ticket.assignee_id, Role.AGENT.value))
    client_roles = {Role.CLIENT_USER.value, Role.CLIENT_LEADER.value}
    return tuple(sorted(pk for pk, role in ids if role not in client_roles and (but is None or pk != but.pk)))


def request_created(*, ticket: Ticket) -> None:
    notify(
        event=events.REQUEST_CREATED,
        recipients=Recipients(roles=STAFF_DESK, on_duty=_on_duty(ticket)),
        context=_context(ticket),
        client_id=ticket.client_id,
        link=_staff_link(ticket),
        dedup_key=f"ticket:{ticket.pk}:created",
    )
    if ticket.on_behalf and ticket.requester_id is not None:
        notify(
            event=events.REQUEST_CREATED,
            recipients=Recipients(user_ids=(ticket.requester_id,)),
            context=_context(ticket),
            client_id=ticket.client_id,
            link=_portal_link(ticket),
            dedup_key=f"ticket:{ticket.pk}:created:client",
        )


def request_assigned(*, ticket: Ticket, actor: User) -> None:
    if ticket.assignee_id is None or ticket.assignee_id == actor.pk:
        return
    assignee = ticket.assignee
    notify(
        event=events.REQUEST_ASSIGNED,
        recipients=Recipients(user_ids=(ticket.assignee_id,), on_duty=_on_duty(ticket)),
        context=_context(ticket, assignee=str(assignee)),
        client_id=ticket.client_id,
        link=_staff_link(ticket),
        dedup_key=f"ticket:{ticket.pk}:assigned:{ticket.assignee_id}:{ticket.version}",
    )


def request_replied(*, ticket: Ticket, event: TicketEvent, actor: User) -> None:
    summary = Truncator(strip_tags(event.body)).chars(200)
    staff = _staff_followers(ticket, but=actor)
    if staff:
        notify(
            event=events.REQUEST_REPLIED,
            recipients=Recipients(user_ids=staff),
            context=_context(ticket, summary=summary),
            client_id=ticket.client_id,
            link=_staff_link(ticket),
            dedup_key=f"ticket-event:{event.pk}:staff",
        )
    if event.internal or actor.is_client_side:
        return
    if ticket.channel == Channel.EMAIL:
        # The reply itself reaches the client in the mail thread; a notification would
        # be a second mail. Imported here: the receiver imports the services calling us.
        from weibao.tickets.intake_receiver import reply_mail

        reply_mail(ticket=ticket, event=event)
        return
    notify(
        event=events.REQUEST_REPLIED,
        recipients=_client_side(ticket),
        context=_context(ticket, summary=summary),
        client_id=ticket.client_id,
        link=_portal_link(ticket),
        dedup_key=f"ticket-event:{event.pk}:client",
    )


def status_changed(*, ticket: Ticket, target: Status) -> None:
    """Acceptance pending and the survey, from a status step."""
    if target == Status.ACCEPTANCE:
        leaders = ClientMembership.objects.filter(
            client_id=ticket.client_id, user__role=Role.CLIENT_LEADER, user__is_active=True
        ).values_list("user_id", flat=True)
        people = tuple(dict.fromkeys([*([ticket.requester_id] if ticket.requester_id else []), *leaders]))
        notify(
            event=events.ACCEPTANCE_PENDING,
            recipients=Recipients(user_ids=people) if people else _client_side(ticket),
            context=_context(ticket),
            client_id=ticket.client_id,
            link=_portal_link(ticket),
            dedup_key=f"ticket:{ticket.pk}:acceptance:{ticket.version}",
        )
    elif target == Status.ARCHIVED and ticket.survey_token:
        notify(
            event=events.SURVEY_REQUESTED,
            recipients=_client_side(ticket),
            context=_context(ticket),
            client_id=ticket.client_id,
            link=reverse("portal:survey", args=[ticket.survey_token]),
            dedup_key=f"ticket:{ticket.pk}:survey",
        )


def complaint_created(*, complaint: Complaint) -> None:
    ticket = complaint.ticket
    notify(
        event=events.COMPLAINT_CREATED,
        recipients=Recipients(roles=(Role.QUALITY.value, Role.SERVICE_MANAGER.value)),
        context=_context(ticket, first_responder=str(complaint.first_responder)),
        client_id=ticket.client_id,
        link=_staff_link(ticket),
        dedup_key=f"complaint:{complaint.pk}:created",
    )
