"""Complaints (R1.7): the complaint record and corrective and preventive actions.

- **First responder (首问负责制).** ``complaint_ensure`` makes the complaint record of a
  complaint request the first time vendor staff act on it: at registration when staff
  register it, or for a portal complaint when the first staff member updates, links or
  otherwise works on it. The first responder never changes afterwards; a *tracker* is
  named separately when the complaint cannot be solved at once.
- **Corrective and preventive actions** may be recorded on any request (a major fault's
  incident analysis needs them as much as a complaint does); they are vendor-internal.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import scoped
from weibao.tickets import notify as ticket_notify
from weibao.tickets import workflow
from weibao.tickets.models import (
    Complaint,
    CorrectiveAction,
    Ticket,
    TicketEvent,
)
from weibao.tickets.services._common import is_worker, require_worker, ticket_lock
from weibao.tickets.services._quality import (
    COMPLAINT_FIELDS,
    _event,
    _local_today,
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
