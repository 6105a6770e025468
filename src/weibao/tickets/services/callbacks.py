"""Callback sample (R7): the weekly draw of archived requests to call back, and the outcomes.

Every week, ``CALLBACK_SAMPLE_PERCENT`` % of the requests archived the week before
(Monday to Sunday, local time) are drawn per client, rounded half up and at least one per
client that had any, and shared round-robin among the active quality staff. A week is
drawn once: drawing it again returns the same tasks.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.snapshot import model_snapshot
from weibao.tickets import workflow
from weibao.tickets.models import (
    CallbackTask,
    Channel,
    Ticket,
    TicketEvent,
)
from weibao.tickets.services._quality import (
    DRAW_LOCK_KEY,
    MAX_COMMENT,
    QUALITY_ROLES,
    _event,
    logger,
    require_quality,
)
from weibao.tickets.services.surveys import follow_up_open

# Callback sample (R7) -----------------------------------------------------------------------


def sampled_week(week: dt.date) -> dt.date:
    """The Monday of the week before the one ``week`` falls in: the week a draw samples."""
    return week - dt.timedelta(days=week.weekday() + 7)


def sample_size(count: int, percent: int) -> int:
    """How many of ``count`` requests to draw: ``percent`` %, rounded half up, at least one."""
    if count <= 0:
        return 0
    return min(count, max(1, (count * percent + 50) // 100))


def _draw_lock() -> None:
    # SQLite's IMMEDIATE transactions already hold the single write lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAW_LOCK_KEY])


def _week_tasks(monday: dt.date) -> list[CallbackTask]:
    return list(CallbackTask.objects.filter(week=monday).select_related("ticket", "assignee").order_by("id"))


@transaction.atomic
def callback_sample_draw(
    *, week: dt.date, percent: int | None = None, rng: random.Random | None = None
) -> list[CallbackTask]:
    """Draw the callback sample from the requests archived in the week before ``week``.

    ``week`` is any day of the drawing week; the sampled week runs Monday 00:00 to
    Sunday 24:00 local time (``TIME_ZONE``). Per client, ``percent`` % (default
    ``CALLBACK_SAMPLE_PERCENT``) rounded half up, at least one for every client with
    an archived request; tasks go round-robin to the active quality staff (none: left
    unassigned, logged). Idempotent: once a week has tasks, drawing it again returns
    them and draws nothing. ValidationError ``percent`` outside 1–100.
    Side effects: CallbackTask rows (``week`` = the sampled Monday), one
    ``callback.draw`` audit row.
    """
    percent = settings.CALLBACK_SAMPLE_PERCENT if percent is None else percent
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise ValidationError({"percent": [_("The sample share must be a whole percentage from 1 to 100.")]})
    rng = rng or secrets.SystemRandom()
    monday = sampled_week(week)
    _draw_lock()
    existing = _week_tasks(monday)
    if existing:
        return existing
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    archived = (
        Ticket.objects.filter(
            status=workflow.Status.ARCHIVED, closed_at__gte=start, closed_at__lt=start + dt.timedelta(days=7)
        )
        .order_by("client_id", "id")
        .values_list("client_id", "id")
    )
    per_client: dict[int, list[int]] = defaultdict(list)
    for client_id, ticket_id in archived:
        per_client[client_id].append(ticket_id)
    chosen: list[int] = []
    for client_id in sorted(per_client):
        ids = per_client[client_id]
        chosen.extend(sorted(rng.sample(ids, sample_size(len(ids), percent))))
    if not chosen:
        return []
    staff = list(User.objects.filter(is_active=True, role__in=QUALITY_ROLES).order_by("id"))
    if not staff:
        logger.warning("callback sample of %s: no active quality staff; %s tasks left unassigned", monday, len(chosen))
    # Continue the rotation where earlier weeks left it, so that no one always gets the extra task.
    offset = CallbackTask.objects.count()
    CallbackTask.objects.bulk_create(
        CallbackTask(ticket_id=pk, week=monday, assignee=staff[(offset + i) % len(staff)] if staff else None)
        for i, pk in enumerate(chosen)
    )
    tasks = _week_tasks(monday)
    event_record(
        actor=None,
        action="callback.draw",
        after={
            "week": monday.isoformat(),
            "percent": percent,
            "tickets": [task.ticket.number for task in tasks],
            "assignees": sorted({task.assignee.get_username() for task in tasks if task.assignee is not None}),
        },
        actor_label="scheduler",
    )
    return tasks


@transaction.atomic
def callback_record(*, actor: User, callback_id: int, outcome: str, note: str = "") -> CallbackTask:
    """Record how a callback went: satisfied, dissatisfied or unreachable.

    Quality staff only (client users: ObjectNotFoundError; other staff:
    PermissionDeniedError); any quality staff member may record a colleague's task.
    An unreachable client may be called again; a satisfied or dissatisfied outcome is
    final (ValidationError ``outcome``). ValidationError ``outcome`` for an unknown
    outcome, ``note`` when a dissatisfied client's words are missing.
    Side effects: outcome, note and ``done_at``; an internal ``record`` timeline entry;
    ``callback.record`` audit row; a dissatisfied client gets a follow-up request.
    """
    if actor.is_client_side or not actor.is_active:
        raise ObjectNotFoundError(_("Not found."))
    require_quality(actor)
    task = CallbackTask.objects.select_for_update(of=("self",)).select_related("ticket").filter(pk=callback_id).first()
    if task is None:
        raise ObjectNotFoundError(_("Not found."))
    final = {CallbackTask.Outcome.SATISFIED, CallbackTask.Outcome.DISSATISFIED}
    if task.outcome in final:
        raise ValidationError({"outcome": [_("The outcome of this callback is already recorded.")]})
    if outcome not in CallbackTask.Outcome.values or outcome == CallbackTask.Outcome.PENDING:
        raise ValidationError({"outcome": [_("Choose satisfied, dissatisfied or unreachable.")]})
    note = (note or "").strip()
    if outcome == CallbackTask.Outcome.DISSATISFIED and not note:
        raise ValidationError({"note": [_("Write down what the client is dissatisfied with.")]})
    if len(note) > MAX_COMMENT:
        raise ValidationError({"note": [_("At most %(n)s characters.") % {"n": MAX_COMMENT}]})
    fields = ["outcome", "note", "done_at"]
    before = model_snapshot(task, fields)
    task.outcome = outcome
    task.note = note
    task.done_at = timezone.now()
    task.save(update_fields=fields)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=task.ticket_id)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RECORD,
        body=note,
        internal=True,
        data={"record": "callback", "id": task.pk, "outcome": outcome},
    )
    event_record(
        actor=actor,
        action="callback.record",
        obj=task,
        client_id=ticket.client_id,
        before=before,
        after=model_snapshot(task, fields),
    )
    if outcome == CallbackTask.Outcome.DISSATISFIED:
        summary = _("The client was dissatisfied on the quality callback of %(number)s.") % {"number": ticket.number}
        follow_up = follow_up_open(
            origin=ticket, actor=actor, channel=Channel.HOTLINE, summary=summary, source="callback"
        )
        # The callback note is the quality team's record: internal on the follow-up too.
        _event(ticket=follow_up, actor=actor, kind=TicketEvent.Kind.NOTE, body=note, internal=True)
    return task
