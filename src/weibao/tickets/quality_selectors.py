"""Reads of complaints and service quality (R1.7, R7), narrowed to what the actor may see.

What each side sees:

- **Callback tasks** are the quality team's work list: quality staff see all of them
  (or, with ``mine``, their own); everyone else, vendor or client, sees none.
- **Complaint records** hold nothing internal (first responder, tracker, what it is
  about, handling, result, satisfaction), so a client user sees the record of a
  complaint of their own client, exactly as vendor staff do. **Corrective and
  preventive actions** are the vendor's own improvement work: vendor staff only.
- **Survey statistics** per client and period: vendor staff for every client, a client
  user for their own client only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.scope import scoped
from weibao.tickets.models import CallbackTask, Complaint, CorrectiveAction, Survey, Ticket
from weibao.tickets.services.quality import LOW_RATING, is_quality


def callback_task_list(
    *, actor: User, mine: bool = False, week: dt.date | None = None, pending: bool = False
) -> QuerySet[CallbackTask]:
    """The callback tasks ``actor`` may see: all for quality staff, none for anyone else.

    ``mine``: only those assigned to ``actor``; ``week``: the sampled week's Monday;
    ``pending``: those without a final outcome yet (not called, or unreachable).
    Newest week first.
    """
    if not is_quality(actor):
        return CallbackTask.objects.none()
    tasks = CallbackTask.objects.select_related("ticket", "ticket__client", "assignee")
    if mine:
        tasks = tasks.filter(assignee=actor)
    if week is not None:
        tasks = tasks.filter(week=week)
    if pending:
        tasks = tasks.filter(outcome__in=[CallbackTask.Outcome.PENDING, CallbackTask.Outcome.UNREACHABLE])
    return tasks.order_by("-week", "id")


def callback_task_get(*, actor: User, callback_id: int) -> CallbackTask:
    """One callback task for quality staff; ObjectNotFoundError for everyone else."""
    task = callback_task_list(actor=actor).filter(pk=callback_id).first()
    if task is None:
        raise ObjectNotFoundError(_("Not found."))
    return task


@dataclass(frozen=True)
class SurveyStats:
    """Satisfaction of one client over a period: how many ratings, their mean, the share of 1s and 2s."""

    client_id: int
    client_name: str
    count: int
    average: float
    low_share: float


def survey_stats(*, actor: User, start: dt.date, end: dt.date, client_id: int | None = None) -> list[SurveyStats]:
    """Survey statistics per client for ratings given from ``start`` to ``end`` (local days, inclusive).

    Vendor staff see every client, a client user only their own; clients without a
    rating in the period are left out. ValidationError ``end`` when it is before
    ``start``. Ordered by client name.
    """
    if end < start:
        raise ValidationError({"end": [_("The period ends before it starts.")]})
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    surveys = scoped(Survey.objects.all(), actor, client_field="ticket__client").filter(
        created_at__gte=since, created_at__lt=until
    )
    if client_id is not None:
        surveys = surveys.filter(ticket__client_id=client_id)
    rows = (
        surveys.values("ticket__client_id", "ticket__client__name")
        .annotate(count=Count("id"), average=Avg("rating"), low=Count("id", filter=Q(rating__lte=LOW_RATING)))
        .order_by("ticket__client__name", "ticket__client_id")
    )
    return [
        SurveyStats(
            client_id=row["ticket__client_id"],
            client_name=row["ticket__client__name"],
            count=row["count"],
            average=round(float(row["average"]), 2),
            low_share=round(row["low"] / row["count"], 4),
        )
        for row in rows
    ]


def _visible_ticket(*, actor: User, ticket_id: int) -> Ticket:
    ticket = scoped(Ticket.objects.all(), actor).filter(pk=ticket_id).first()
    if ticket is None:
        raise ObjectNotFoundError(_("Not found."))
    return ticket


def survey_get(*, actor: User, ticket_id: int) -> Survey | None:
    """The rating of a request ``actor`` may see, or None when it has none yet."""
    return Survey.objects.filter(ticket=_visible_ticket(actor=actor, ticket_id=ticket_id)).first()


def survey_ticket_for_token(*, token: str) -> Ticket:
    """The request a survey link's token opens, for the page that asks for the rating.

    No sign-in: the token is the credential. ObjectNotFoundError for an empty or
    unknown token. The page should show no more than the number, the summary and
    whether it is already rated.
    """
    ticket = Ticket.objects.filter(survey_token=token).first() if token else None
    if ticket is None:
        raise ObjectNotFoundError(_("This survey link is not valid."))
    return ticket


def complaint_get(*, actor: User, ticket_id: int) -> Complaint | None:
    """The complaint record of a request ``actor`` may see (client users too); None when it has none.

    ObjectNotFoundError when the request is not visible to ``actor``.
    """
    ticket = _visible_ticket(actor=actor, ticket_id=ticket_id)
    return Complaint.objects.select_related("first_responder", "tracker").filter(ticket=ticket).first()


def corrective_action_list(*, actor: User, ticket_id: int) -> QuerySet[CorrectiveAction]:
    """The corrective and preventive actions of a request: vendor staff only, none for client users.

    ObjectNotFoundError when the request is not visible to ``actor``.
    """
    ticket = _visible_ticket(actor=actor, ticket_id=ticket_id)
    if actor.is_client_side:
        return CorrectiveAction.objects.none()
    return CorrectiveAction.objects.filter(ticket=ticket).select_related("owner").order_by("due_on", "id")
