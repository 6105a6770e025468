"""Writes to a request itself: create, edit, move through the procedure, reply."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.sanitize import html_sanitize
from weibao.customers.models import Client, Contact, Deployment
from weibao.customers.scope import client_id_of
from weibao.customers.services.technical_files import SNIFF_BYTES, upload_errors
from weibao.customers.uploads import clean_file_name, sniff_content_type
from weibao.tickets import notify as ticket_notify
from weibao.tickets import workflow
from weibao.tickets.models import Attachment, Channel, Ticket, TicketEvent
from weibao.tickets.services._common import (
    is_worker,
    refuse,
    require_worker,
    side_of,
    snapshot,
    ticket_lock,
    ticket_save,
    timeline_add,
)
from weibao.tickets.services.clocks import clocks_start
from weibao.tickets.services.numbers import number_next
from weibao.tickets.services.quality import complaint_ensure, survey_token_issue
from weibao.tickets.workflow import Action, Side, Status, TransitionRefused

# Fields an edit may change (status and assignment have their own services).
EDITABLE_FIELDS = frozenset({"title", "description", "level", "kind", "deployment", "contact", "charging"})
RELATIONS = ("client", "deployment", "contact", "requester", "created_by", "team", "assignee", "parent", "merged_into")
CLIENT_CHANNELS = frozenset({Channel.PORTAL, Channel.API})
MAX_ATTACHMENTS = 10


def _check_relations(errors: dict[str, list[str]], ticket: Ticket) -> None:
    if ticket.deployment is not None and ticket.deployment.client_id != ticket.client_id:
        errors.setdefault("deployment", []).append(_("This deployment belongs to another client."))
    if ticket.contact is not None and ticket.contact.client_id != ticket.client_id:
        errors.setdefault("contact", []).append(_("This contact belongs to another client."))


def _validate(ticket: Ticket, extra: dict[str, list[str]] | None = None) -> None:
    errors: dict[str, list[str]] = dict(extra or {})
    try:
        # Related objects arrive as instances the caller already looked up (scoped); checking
        # that they exist would cost a query each on every request created.
        ticket.full_clean(exclude=["number", "status", "survey_token", *RELATIONS], validate_unique=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    _check_relations(errors, ticket)
    if errors:
        raise ValidationError(errors)


def _store_attachments(
    *, ticket: Ticket, event: TicketEvent | None, actor: User, files: Sequence[UploadedFile[Any]], internal: bool
) -> list[Attachment]:
    """Check every file first, then store them; a refused file stores none."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": [_("At most %(n)s files at a time.") % {"n": MAX_ATTACHMENTS}]})
    for upload in files:
        problem = upload_errors(upload).get("file")
        if problem:
            raise ValidationError({"files": [f"{clean_file_name(upload.name or '')}: {problem}"]})
    stored = []
    for upload in files:
        digest, head = _digest(upload)
        name = clean_file_name(upload.name or "")
        attachment = Attachment(
            ticket=ticket,
            event=event,
            internal=internal,
            original_name=name,
            size=upload.size or 0,
            content_type=sniff_content_type(head, name, upload.content_type),
            sha256=digest,
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        name_stored = attachment.file.name or ""
        # The file is outside the transaction: take it away again if the row is not written.
        try:
            attachment.save()
        except BaseException:
            attachment.file.storage.delete(name_stored)
            raise
        stored.append(attachment)
    return stored


def _digest(upload: UploadedFile[Any]) -> tuple[str, bytes]:
    sha = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest(), head


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    client: Client,
    title: str,
    kind: str,
    channel: str,
    level: int = 3,
    description: str = "",
    deployment: Deployment | None = None,
    contact: Contact | None = None,
    requester: User | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    call_started_at: dt.datetime | None = None,
    call_seconds: int | None = None,
    files: Sequence[UploadedFile[Any]] = (),
    parent: Ticket | None = None,
) -> Ticket:
    """Register a new request and give it its number.

    Vendor staff register for any client (a hotline call, on-site, WeChat/QQ, or on
    the client's behalf with ``requester``); a client user only for their own client,
    through the portal or the API, as requester. Leader-signed kinds start awaiting
    the client leader (R1.5, R1.6). Raises ValidationError per field; another
    client's objects are ObjectNotFoundError.
    Side effects: the Ticket, its ``created`` timeline entry, attachments, the
    ``ticket.create`` audit row.
    """
    side = side_of(actor)
    if side == Side.STAFF:
        require_worker(actor)
    elif client_id_of(actor) != client.pk:
        raise ObjectNotFoundError(_("Not found."))
    errors: dict[str, list[str]] = {}
    if side != Side.STAFF:
        requester = actor
        if channel not in CLIENT_CHANNELS:
            channel = Channel.PORTAL
    on_behalf = side == Side.STAFF and requester is not None
    if requester is not None and (not requester.is_client_side or client_id_of(requester) != client.pk):
        errors["requester"] = [_("The requester must be a user of this client.")]
    try:
        kind_value = workflow.Kind(kind)
    except ValueError:
        kind_value = None
    ticket = Ticket(
        client=client,
        deployment=deployment,
        contact=contact,
        requester=requester,
        created_by=actor,
        on_behalf=on_behalf,
        channel=channel,
        kind=kind,
        level=level,
        title=(title or "").strip(),
        description=html_sanitize(description or ""),
        status=workflow.initial_status(kind_value) if kind_value else "",
        caller_name=(caller_name or "").strip(),
        caller_phone=(caller_phone or "").strip(),
        call_started_at=call_started_at,
        call_seconds=call_seconds,
        parent=parent,
    )
    if parent is not None and parent.merged_into_id is not None:
        errors["parent"] = [_("A merged request cannot be a parent.")]
    _validate(ticket, errors)
    ticket.number = number_next()
    ticket.save()
    event = timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.CREATED,
        body=ticket.description,
        data={"channel": channel, "on_behalf": on_behalf},
    )
    if files:
        _store_attachments(ticket=ticket, event=event, actor=actor, files=files, internal=False)
    complaint_ensure(ticket=ticket, actor=actor)
    clocks_start(ticket=ticket, actor=actor)
    event_record(actor=actor, action="ticket.create", obj=ticket, client_id=client.pk, after=snapshot(ticket))
    ticket_notify.request_created(ticket=ticket)
    return ticket


@transaction.atomic
def ticket_update(
    *, actor: User, ticket_id: int, changes: Mapping[str, Any], expected_version: int | None = None
) -> Ticket:
    """Change a request's summary, description, type, level, deployment, contact or charging.

    Vendor workers only. Raises TicketConflictError if ``expected_version`` is stale,
    ValidationError per field. Side effects: a ``changed`` timeline entry listing the
    fields, ``ticket.update`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of a request")
    before = snapshot(ticket)
    nulls = {
        name: [_("This field cannot be empty.")]
        for name, value in changes.items()
        if value is None and name not in {"deployment", "contact"}
    }
    if nulls:
        raise ValidationError(nulls)
    for name, value in changes.items():
        if name == "description":
            setattr(ticket, name, html_sanitize(value))
        else:
            setattr(ticket, name, value.strip() if isinstance(value, str) else value)
    if (
        "kind" in changes
        and changes["kind"] != before["kind"]
        and (
            workflow.Kind(before["kind"]) in workflow.LEADER_SIGNED_KINDS
            or changes["kind"] in workflow.LEADER_SIGNED_KINDS
        )
    ):
        raise ValidationError(
            {"kind": [_("A request cannot change to or from a type that needs the client leader's sign-off.")]}
        )
    _validate(ticket)
    after = snapshot(ticket)
    changed = sorted(k for k in after if after[k] != before[k])
    if "description" in changes and changes["description"] is not None:
        changed.append("description")
    if not changed:
        return ticket
    timeline_add(ticket=ticket, actor=actor, kind=TicketEvent.Kind.CHANGED, data={"fields": changed})
    ticket_save(ticket=ticket, actor=actor, action="ticket.update", before=before)
    return ticket


@transaction.atomic
def ticket_transition(
    *,
    actor: User,
    ticket_id: int,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    merge_into: Ticket | None = None,
) -> Ticket:
    """Move a request one step through the procedure (see ``workflow``).

    Refuses a step the procedure does not allow now with TransitionRefusedError
    saying why; steps in REASON_REQUIRED need ``reason`` (ValidationError ``reason``).
    Records kept on the request (review opinion, plan, acceptance form …) are written
    by the services in ``procedure`` that call this one.
    Side effects: status, ``resume_status``, ``closed_at``, ``reopen_count``; a
    ``status`` timeline entry; ``ticket.<action>`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    try:
        step = Action(action)
    except ValueError:
        raise ValidationError({"action": [_("Unknown action “%(action)s”.") % {"action": action}]}) from None
    side = side_of(actor)
    if side == Side.STAFF:
        require_worker(actor)
    if step == Action.WITHDRAW and side == Side.CLIENT and ticket.requester_id not in {actor.pk, None}:
        raise PermissionDeniedError(_("Only the person who opened the request or their leader may withdraw it."))
    try:
        target = workflow.transition_check(
            status=ticket.state, kind=ticket.kind_enum, action=step, side=side, resume_status=ticket.resume_status
        )
    except TransitionRefused as exc:
        raise refuse(exc) from None
    reason = (reason or "").strip()
    if step in workflow.REASON_REQUIRED and not reason:
        raise ValidationError(
            {"reason": [_("Say why: “%(action)s” needs a reason.") % {"action": workflow.ACTION_LABELS[step]}]}
        )
    if step == Action.MERGE:
        _check_merge(ticket, merge_into)
    complaint_ensure(ticket=ticket, actor=actor)
    before = snapshot(ticket)
    source = ticket.state
    _apply(ticket, step, source, target, reason=reason, merge_into=merge_into)
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.STATUS,
        body=reason,
        data={"action": step.value, "from": source.value, "to": target.value},
    )
    ticket_save(ticket=ticket, actor=actor, action=f"ticket.{step.value}", before=before)
    ticket_notify.status_changed(ticket=ticket, target=target)
    if step == Action.MERGE and merge_into is not None:
        timeline_add(
            ticket=merge_into,
            actor=actor,
            kind=TicketEvent.Kind.LINKED,
            data={"merged": ticket.number},
            body=_("%(number)s was merged into this request.") % {"number": ticket.number},
        )
    return ticket


def _apply(
    ticket: Ticket, step: Action, source: Status, target: Status, *, reason: str, merge_into: Ticket | None
) -> None:
    if target in workflow.HOLDS:
        ticket.resume_status = source
    elif source in workflow.HOLDS:
        ticket.resume_status = ""
    if step == Action.REJECT_FIX:
        ticket.reopen_count += 1
    if step == Action.MERGE and merge_into is not None:
        ticket.merged_into = merge_into
    if step == Action.CLOSE:
        ticket.close_reason = reason
    ticket.status = target
    if target in workflow.CLOSED:
        ticket.closed_at = timezone.now()
    if target == Status.ARCHIVED:
        survey_token_issue(ticket=ticket)


def _check_merge(ticket: Ticket, into: Ticket | None) -> None:
    if into is None:
        raise ValidationError({"merge_into": [_("Choose the request to merge into.")]})
    if into.pk == ticket.pk:
        raise ValidationError({"merge_into": [_("A request cannot be merged into itself.")]})
    if into.client_id != ticket.client_id:
        raise ValidationError({"merge_into": [_("Only requests of the same client can be merged.")]})
    if into.is_closed:
        raise ValidationError({"merge_into": [_("The request to merge into is already closed.")]})


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    ticket_id: int,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile[Any]] = (),
    expected_version: int | None = None,
) -> TicketEvent:
    """Add a reply (seen by the client) or an internal note (staff only) with attachments.

    A client user's reply to a request waiting on the client resumes it. Client
    users cannot write internal notes (PermissionDeniedError). ValidationError
    ``body`` when both text and files are empty. Side effects: a ``reply``/``note``
    timeline entry, attachments, ``ticket.reply``/``ticket.note`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    side = side_of(actor)
    if internal and side != Side.STAFF:
        raise PermissionDeniedError(_("Only vendor staff can write internal notes."))
    if side == Side.STAFF:
        require_worker(actor)
    clean = html_sanitize(body or "")
    if not clean.strip() and not files:
        raise ValidationError({"body": [_("Write a message or attach a file.")]})
    if ticket.is_closed and side != Side.STAFF:
        raise ValidationError({"body": [_("This request is closed; open a new one or reply to the survey.")]})
    complaint_ensure(ticket=ticket, actor=actor)
    before = snapshot(ticket)
    kind = TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY
    event = timeline_add(ticket=ticket, actor=actor, kind=kind, body=clean, internal=internal)
    if files:
        _store_attachments(ticket=ticket, event=event, actor=actor, files=files, internal=internal)
    if side != Side.STAFF and ticket.state == Status.PENDING_CLIENT:
        ticket.status = ticket.resume_status or Status.IN_PROGRESS
        ticket.resume_status = ""
        timeline_add(
            ticket=ticket,
            actor=actor,
            kind=TicketEvent.Kind.STATUS,
            data={"action": Action.RESUME.value, "from": Status.PENDING_CLIENT.value, "to": ticket.status},
        )
    ticket_save(ticket=ticket, actor=actor, action="ticket.note" if internal else "ticket.reply", before=before)
    ticket_notify.request_replied(ticket=ticket, event=event, actor=actor)
    return event


def worker_check(user: User | None) -> None:
    """Refuse assigning to someone who cannot work on requests."""
    if user is not None and not is_worker(user):
        raise ValidationError({"assignee": [_("Requests can only be assigned to vendor engineers and agents.")]})
