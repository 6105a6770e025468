"""Complaints (R1.7) and service quality (R7): complaint records, surveys, callbacks, follow-ups.

Choices made here, for the pages and the API built on them:

- **First responder (首问负责制).** ``complaint_ensure`` makes the complaint record of a
  complaint request the first time vendor staff act on it: at registration when staff
  register it, or for a portal complaint when the first staff member updates, links or
  otherwise works on it. The first responder never changes afterwards; a *tracker* is
  named separately when the complaint cannot be solved at once.
- **Corrective and preventive actions** may be recorded on any request (a major fault's
  incident analysis needs them as much as a complaint does); they are vendor-internal.
- **Surveys.** Only archived requests are rated, once. A client user of the request's
  client rates through the portal; anyone holding the survey link's token rates without
  signing in; quality staff may enter a rating heard on a callback. A rating of 1 or 2
  opens a follow-up request of type *consultation* (not a complaint: the client did not
  complain, the vendor follows up), titled "Follow-up: <number>", unassigned so that it
  shows in the unassigned queue, linked to the rated request as related and stored as
  ``Survey.follow_up``. A *dissatisfied* callback opens the same follow-up.
- **Callback sample.** Every week, ``CALLBACK_SAMPLE_PERCENT`` % of the requests archived
  the week before (Monday to Sunday, local time) are drawn per client, rounded half up
  and at least one per client that had any, and shared round-robin among the active
  quality staff. A week is drawn once: drawing it again returns the same tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError, WeibaoError
from weibao.core.sanitize import text_to_html
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import scoped
from weibao.tickets import notify as ticket_notify
from weibao.tickets import workflow
from weibao.tickets.models import (
    CallbackTask,
    Channel,
    Complaint,
    CorrectiveAction,
    Level,
    Survey,
    Ticket,
    TicketEvent,
)
from weibao.tickets.services._common import is_worker, require_worker, snapshot, ticket_lock, timeline_add
from weibao.tickets.services.numbers import number_next

logger = logging.getLogger(__name__)

# Who draws callbacks and records their outcome (服务质量监督 / 回访专员).
QUALITY_ROLES = frozenset({Role.QUALITY})
MAX_COMMENT = 5000
LOW_RATING = 2
COMPLAINT_FIELDS = ["first_responder", "tracker", "about", "handling", "result", "satisfaction"]
# pg_advisory_xact_lock key serialising weekly draws ("WBCALLBK" in ASCII).
DRAW_LOCK_KEY = 0x5742_4341_4C4C_424B
LINK_LABEL = "survey link"


class SurveyRefusedError(WeibaoError):
    """The request cannot be rated now (not archived yet, or already rated)."""

    status_code = 409


def is_quality(actor: User | None) -> bool:
    return actor is not None and actor.is_active and actor.role in QUALITY_ROLES


def require_quality(actor: User) -> None:
    if not is_quality(actor):
        raise PermissionDeniedError(_("Only quality staff may do this."))


def _local_today() -> dt.date:
    return timezone.localdate(timezone.now(), timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _event(
    *,
    ticket: Ticket,
    actor: User | None,
    kind: str,
    body: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """A timeline entry; one made through the survey link names the link, not "system"."""
    if actor is not None:
        return timeline_add(ticket=ticket, actor=actor, kind=kind, body=body, internal=internal, data=data)
    return TicketEvent.objects.create(
        ticket=ticket, actor_label=_("Survey link"), kind=kind, body=body, internal=internal, data=data or {}
    )


# Complaints (R1.7) ---------------------------------------------------------------------------


def complaint_ensure(*, ticket: Ticket, actor: User | None) -> Complaint | None:
    """The complaint record of ``ticket``, made on the first vendor action; idempotent.

    Call it wherever vendor staff act on a request (registration, updates, links …).
    Returns None for a request that is not a complaint, and, until a vendor worker acts
    on it, for a complaint a client opened itself (``actor`` a client user or None).
    The first call by a worker makes the record with that worker as first responder;
    every later call returns the same record unchanged, whoever calls.
    Preconditions: inside the caller's transaction. Side effects (first call only): the
    Complaint row, a ``record`` timeline entry naming the first responder,
    ``complaint.create`` audit row.
    """
    if ticket.kind != workflow.Kind.COMPLAINT:
        return None
    existing = Complaint.objects.filter(ticket=ticket).first()
    if existing is not None or actor is None or actor.is_client_side or not is_worker(actor):
        return existing
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(ticket=ticket, first_responder=actor)
    except IntegrityError:
        # Another transaction made the record first; its first responder stands.
        return Complaint.objects.get(ticket=ticket)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RECORD,
        body=_("%(name)s is the first responder for this complaint.")
        % {"name": actor.get_full_name() or actor.get_username()},
        data={"record": "complaint", "first_responder": actor.get_username()},
    )
    event_record(
        actor=actor,
        action="complaint.create",
        obj=complaint,
        client_id=ticket.client_id,
        after=model_snapshot(complaint, COMPLAINT_FIELDS),
    )
    ticket_notify.complaint_created(complaint=complaint)
    return complaint


def _complaint_ticket(*, actor: User, ticket_id: int) -> Ticket:
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    require_worker(actor)
    if ticket.kind != workflow.Kind.COMPLAINT:
        raise ValidationError({"ticket_id": [_("%(number)s is not a complaint.") % {"number": ticket.number}]})
    return ticket


@transaction.atomic
def complaint_update(
    *,
    actor: User,
    ticket_id: int,
    tracker: User | None = None,
    about: str | None = None,
    handling: str | None = None,
    result: str | None = None,
    satisfaction: int | None = None,
) -> Complaint:
    """Fill in a complaint record: tracker, what it is about, handling, result, satisfaction.

    Vendor workers only (PermissionDeniedError); the request must be a complaint
    (ValidationError ``ticket_id``). Every argument left None stays as it is; the first
    responder is never changed here. ValidationError ``tracker`` when the tracker is not
    an active vendor worker, ``satisfaction`` outside 1–5, ``about`` over 200 characters.
    Side effects: makes the record if none exists yet (this actor becomes first
    responder), the tracker follows the request, a ``record`` timeline entry (seen by the
    client: it keeps them informed), ``complaint.update`` audit row.
    """
    ticket = _complaint_ticket(actor=actor, ticket_id=ticket_id)
    complaint = complaint_ensure(ticket=ticket, actor=actor)
    assert complaint is not None  # a worker acting on a complaint always gets its record
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = model_snapshot(complaint, COMPLAINT_FIELDS)
    if tracker is not None and (tracker.is_client_side or not is_worker(tracker)):
        raise ValidationError({"tracker": [_("The tracker must be an active member of the vendor's staff.")]})
    if tracker is not None:
        complaint.tracker = tracker
    for name, value in (("about", about), ("handling", handling), ("result", result)):
        if value is not None:
            setattr(complaint, name, str(value).strip())
    if satisfaction is not None:
        complaint.satisfaction = satisfaction
    try:
        complaint.full_clean(exclude=["ticket", "first_responder"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    after = model_snapshot(complaint, COMPLAINT_FIELDS)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return complaint
    complaint.save()
    body = ""
    if "tracker" in changed and complaint.tracker is not None:
        name = complaint.tracker.get_full_name() or complaint.tracker.get_username()
        body = _("%(name)s tracks this complaint and keeps you informed.") % {"name": name}
        ticket.followers.add(complaint.tracker)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RECORD,
        body=body,
        data={"record": "complaint", "fields": changed},
    )
    event_record(
        actor=actor, action="complaint.update", obj=complaint, client_id=ticket.client_id, before=before, after=after
    )
    return complaint


@transaction.atomic
def corrective_action_add(
    *, actor: User, ticket_id: int, kind: str, description: str, owner: User | None, due_on: dt.date | None
) -> CorrectiveAction:
    """Record a corrective or preventive action (纠正预防措施) with its owner and due date.

    Vendor workers only. ValidationError ``kind`` (corrective/preventive), ``description``
    (empty), ``owner`` (missing, or not an active vendor worker), ``due_on`` (missing or
    before today). Side effects: the action row, the owner follows the request, an
    internal ``record`` timeline entry, ``corrective_action.add`` audit row; on a
    complaint, its record (first responder) if none exists yet.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    require_worker(actor)
    complaint_ensure(ticket=ticket, actor=actor)
    today = _local_today()
    action = CorrectiveAction(
        ticket=ticket,
        kind=kind,
        description=(description or "").strip(),
        owner=owner,
        due_on=today if due_on is None else due_on,
    )
    errors: dict[str, list[str]] = {}
    try:
        action.full_clean(exclude=["ticket", "done_at", "outcome"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if due_on is None:
        errors["due_on"] = [_("Give the date the action is due.")]
    if owner is not None and (owner.is_client_side or not is_worker(owner)) and "owner" not in errors:
        errors["owner"] = [_("The owner must be an active member of the vendor's staff.")]
    if "due_on" not in errors and action.due_on < today:
        errors["due_on"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    action.save()
    assert owner is not None
    ticket.followers.add(owner)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RECORD,
        body=action.description,
        internal=True,
        data={"record": "corrective_action", "id": action.pk, "kind": action.kind, "due_on": str(action.due_on)},
    )
    event_record(
        actor=actor,
        action="corrective_action.add",
        obj=action,
        client_id=ticket.client_id,
        after=model_snapshot(action, ["ticket", "kind", "description", "owner", "due_on"]),
    )
    return action


@transaction.atomic
def corrective_action_complete(*, actor: User, action_id: int, outcome: str) -> CorrectiveAction:
    """Mark a corrective or preventive action done, with what came of it.

    Vendor workers (client users: ObjectNotFoundError; auditors and other readers:
    PermissionDeniedError). ValidationError ``outcome`` when empty or when the action
    is already done. Side effects: ``done_at``, an internal ``record`` timeline entry,
    ``corrective_action.complete`` audit row.
    """
    if actor.is_client_side or not actor.is_active:
        raise ObjectNotFoundError(_("Not found."))
    action = (
        scoped(CorrectiveAction.objects.select_for_update(of=("self",)), actor, client_field="ticket__client")
        .select_related("ticket")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise ObjectNotFoundError(_("Not found."))
    require_worker(actor)
    outcome = (outcome or "").strip()
    if action.done_at is not None:
        raise ValidationError({"outcome": [_("This action was already completed.")]})
    if not outcome:
        raise ValidationError({"outcome": [_("Say what came of the action.")]})
    before = model_snapshot(action, ["done_at", "outcome"])
    action.done_at = timezone.now()
    action.outcome = outcome
    action.save(update_fields=["done_at", "outcome"])
    _event(
        ticket=action.ticket,
        actor=actor,
        kind=TicketEvent.Kind.RECORD,
        body=outcome,
        internal=True,
        data={"record": "corrective_action", "id": action.pk, "done": True},
    )
    event_record(
        actor=actor,
        action="corrective_action.complete",
        obj=action,
        client_id=action.ticket.client_id,
        before=before,
        after=model_snapshot(action, ["done_at", "outcome"]),
    )
    return action


# Surveys (R7) -------------------------------------------------------------------------------


def survey_token_issue(*, ticket: Ticket) -> str:
    """The secret of ``ticket``'s survey link, made on first call; idempotent.

    Call it when a request is closed (``ticket_transition`` does, on archiving). It does not check
    the status: the survey itself refuses a request that is not archived. A
    conditional UPDATE makes it safe against a concurrent call: both get the same token.
    ``ticket.survey_token`` is set on the instance too, so that a later full save of
    the caller's copy keeps it.
    """
    if ticket.survey_token:
        return ticket.survey_token
    token = secrets.token_urlsafe(32)
    if not Ticket.objects.filter(pk=ticket.pk, survey_token__isnull=True).update(survey_token=token):
        token = Ticket.objects.values_list("survey_token", flat=True).get(pk=ticket.pk) or token
    ticket.survey_token = token
    return token


def _survey_ticket(*, actor: User | None, ticket_id: int | None, token: str | None, via: str) -> Ticket:
    """The request to rate, locked; checks that ``via`` fits how it was reached."""
    if via not in Survey.Via.values:
        raise ValidationError({"via": [_("Unknown survey channel “%(via)s”.") % {"via": via}]})
    if (ticket_id is None) == (token is None):
        message = _("Give either the request or the survey link, not both.")
        raise ValidationError({"ticket_id": [message], "token": [message]})
    if token is not None:
        if via != Survey.Via.LINK:
            raise ValidationError({"via": [_("A rating through the survey link is given via the link.")]})
        ticket = Ticket.objects.select_for_update().filter(survey_token=token).first() if token else None
        if ticket is None:
            raise ObjectNotFoundError(_("This survey link is not valid."))
        return ticket
    if actor is None:
        raise PermissionDeniedError(_("Sign in or use the link of the survey."))
    assert ticket_id is not None
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    if actor.is_client_side:
        if via != Survey.Via.PORTAL:
            raise ValidationError({"via": [_("A client user rates through the portal.")]})
    elif via != Survey.Via.CALLBACK:
        raise PermissionDeniedError(_("Vendor staff cannot rate a request; only a callback records the client's."))
    else:
        require_quality(actor)
    return ticket


@transaction.atomic
def survey_submit(
    *,
    actor: User | None,
    ticket_id: int | None = None,
    token: str | None = None,
    rating: int,
    comment: str = "",
    via: str,
) -> Survey:
    """Record the client's rating (1–5) and comment on an archived request.

    Either ``ticket_id`` with a signed-in actor — a client user of the request's client
    (``via="portal"``) or quality staff entering what the client said on a callback
    (``via="callback"``) — or the survey link's ``token`` (``via="link"``), with or
    without a signed-in user. Errors: a wrong token or another client's request is
    ObjectNotFoundError; SurveyRefusedError when the request is not archived or already
    rated; ValidationError ``rating`` (not 1–5), ``comment`` (too long), ``via``.
    Side effects: the Survey, a ``rated`` timeline entry, ``survey.submit`` audit row;
    a rating of 2 or less opens a follow-up request (see the module's docstring).
    """
    ticket = _survey_ticket(actor=actor, ticket_id=ticket_id, token=token, via=via)
    if ticket.status != workflow.Status.ARCHIVED:
        raise SurveyRefusedError(
            _("%(number)s cannot be rated yet: only an archived request can be rated.") % {"number": ticket.number}
        )
    previous = Survey.objects.filter(ticket=ticket).first()
    if previous is not None:
        raise SurveyRefusedError(
            _("%(number)s was already rated on %(day)s; a request is rated once.")
            % {"number": ticket.number, "day": timezone.localdate(previous.created_at).isoformat()}
        )
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [_("Give a rating from 1 (very dissatisfied) to 5 (very satisfied).")]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)s characters.") % {"n": MAX_COMMENT}]
    if errors:
        raise ValidationError(errors)
    # Through the link the rating is anonymous unless a user of the request's client is signed in.
    respondent = actor
    if via == Survey.Via.LINK and (
        actor is None or not actor.is_client_side or not scoped(Ticket.objects.filter(pk=ticket.pk), actor).exists()
    ):
        respondent = None
    survey = Survey.objects.create(ticket=ticket, rating=rating, comment=comment, via=via, respondent=respondent)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RATED,
        body=comment,
        data={"rating": rating, "via": via},
    )
    event_record(
        actor=actor,
        action="survey.submit",
        obj=survey,
        client_id=ticket.client_id,
        after=model_snapshot(survey, ["ticket", "rating", "comment", "via", "respondent"]),
        actor_label=None if actor is not None else LINK_LABEL,
    )
    if rating <= LOW_RATING:
        summary = _("Rating %(rating)s of 5 for %(number)s.") % {"rating": rating, "number": ticket.number}
        survey.follow_up = follow_up_open(
            origin=ticket,
            actor=actor,
            channel=Channel.HOTLINE if via == Survey.Via.CALLBACK else Channel.PORTAL,
            summary=f"{summary}\n\n{comment}" if comment else summary,
            source="survey",
        )
        survey.save(update_fields=["follow_up"])
    return survey


def follow_up_open(*, origin: Ticket, actor: User | None, channel: str, summary: str, source: str) -> Ticket:
    """Open the follow-up request of a low rating or a dissatisfied callback on ``origin``.

    A consultation titled "Follow-up: <number>" for the same client, deployment,
    contact and requester, assigned to nobody (it shows in the unassigned queue),
    linked to ``origin`` as related. Preconditions: inside the caller's transaction,
    ``origin`` locked. Side effects: the request with its number, ``created`` and
    ``linked`` timeline entries on it and a ``linked`` entry on ``origin``,
    ``ticket.create`` audit row.
    """
    # Stored text is written in the site's language, whoever's browser triggered it.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Follow-up: %(number)s") % {"number": origin.number}
        linked_here = _("Opened to follow up %(number)s.") % {"number": origin.number}
    follow_up = Ticket(
        client_id=origin.client_id,
        deployment_id=origin.deployment_id,
        contact_id=origin.contact_id,
        requester_id=origin.requester_id,
        created_by=actor,
        channel=channel,
        kind=workflow.Kind.CONSULTATION,
        level=Level.MINOR,
        title=title[:200],
        description=text_to_html(summary),
        status=workflow.initial_status(workflow.Kind.CONSULTATION),
        number=number_next(),
    )
    follow_up.save()
    _event(
        ticket=follow_up,
        actor=actor,
        kind=TicketEvent.Kind.CREATED,
        body=follow_up.description,
        data={"channel": channel, "on_behalf": False, "follow_up_of": origin.number, "source": source},
    )
    follow_up.related.add(origin)
    _event(
        ticket=follow_up,
        actor=actor,
        kind=TicketEvent.Kind.LINKED,
        body=linked_here,
        data={"related": origin.number, "linked": True, "follow_up_of": origin.number},
    )
    _event(
        ticket=origin,
        actor=actor,
        kind=TicketEvent.Kind.LINKED,
        body=_("Follow-up request %(number)s was opened.") % {"number": follow_up.number},
        data={"related": follow_up.number, "linked": True, "follow_up": follow_up.number},
    )
    event_record(
        actor=actor,
        action="ticket.create",
        obj=follow_up,
        client_id=follow_up.client_id,
        after=snapshot(follow_up),
        actor_label=None if actor is not None else LINK_LABEL,
    )
    return follow_up


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
