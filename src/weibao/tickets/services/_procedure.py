"""What the procedure's services share: the step check, record events, signatures.

Every procedure record (review, plan, task order, consent, work log, sign-off, data
change, milestone) is written with one timeline entry whose ``data`` names the record
(``{"record": "<kind>", "record_id": <id>, …}``) and one audit row.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import scoped
from weibao.tickets import workflow
from weibao.tickets.models import RemoteConsent, SignOff, TaskOrder, Ticket, TicketEvent
from weibao.tickets.services._common import (
    TransitionRefusedError,
    record_audit,
    refuse,
    require_worker,
    side_of,
    timeline_add,
)
from weibao.tickets.workflow import Action, Side, Status, TransitionRefused

SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Base64 of MAX_SIGNATURE_BYTES, rounded up to whole quads: longer text is refused undecoded.
_MAX_SIGNATURE_CHARS = (MAX_SIGNATURE_BYTES + 2) // 3 * 4

# States in which the work itself happens (task orders, data changes).
WORK_STATES = frozenset({Status.IN_PROGRESS, Status.TESTING})


def step_check(*, ticket: Ticket, actor: User, action: Action) -> Side:
    """The actor's side, once the procedure allows ``action`` on ``ticket`` now.

    Checked before any record is written so that a refused step explains itself
    (TransitionRefusedError) instead of failing on a form field first.
    """
    side = side_of(actor)
    if side == Side.STAFF:
        require_worker(actor)
    try:
        workflow.transition_check(
            status=ticket.state, kind=ticket.kind_enum, action=action, side=side, resume_status=ticket.resume_status
        )
    except TransitionRefused as exc:
        raise refuse(exc) from None
    return side


def require_open(ticket: Ticket) -> None:
    """Refuse records on a closed request: its records were confirmed and archived (R1.4 step 5)."""
    if ticket.is_closed:
        raise TransitionRefusedError(
            _("%(number)s is closed (%(status)s): its records can no longer change.")
            % {"number": ticket.number, "status": workflow.STATUS_LABELS[ticket.state]}
        )


def require_work_state(ticket: Ticket, what: str) -> None:
    """Refuse ``what`` unless the request is in progress or testing."""
    if ticket.state not in WORK_STATES:
        raise TransitionRefusedError(
            _("%(what)s only while the request is in progress or testing; it is now “%(status)s”.")
            % {"what": what, "status": workflow.STATUS_LABELS[ticket.state]}
        )


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}


def clean_record(record: Model, errors: dict[str, list[str]], exclude: list[str]) -> None:
    """Run the model's own validation, adding its messages to ``errors``."""
    try:
        record.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in errors_of(exc).items():
            errors.setdefault(key, []).extend(messages)


def record_event(
    *,
    ticket: Ticket,
    actor: User | None,
    record: Model,
    name: str,
    kind: str = TicketEvent.Kind.RECORD,
    body: str = "",
    extra: dict[str, Any] | None = None,
) -> TicketEvent:
    """The public timeline entry naming ``record`` (client users see every procedure record)."""
    data: dict[str, Any] = {"record": name, "record_id": record.pk}
    data.update(extra or {})
    return timeline_add(ticket=ticket, actor=actor, kind=kind, body=body, data=data)


def record_changed(*, actor: User, action: str, record: Model, ticket: Ticket, before: dict[str, Any]) -> None:
    """The audit row for a change to an existing record, with before/after."""
    fields = [f.name for f in record._meta.concrete_fields if f.name != "signature"]
    event_record(
        actor=actor,
        action=action,
        obj=record,
        client_id=ticket.client_id,
        before=before,
        after=model_snapshot(record, fields),
    )


def record_snapshot(record: Model) -> dict[str, Any]:
    return model_snapshot(record, [f.name for f in record._meta.concrete_fields if f.name != "signature"])


def signature_clean(signature: str) -> str:
    """A drawn signature as stored: empty, or a ``data:image/png;base64,`` URL of a real PNG ≤ 200 KB.

    Raises ValidationError ``signature`` for anything else (another image type,
    broken base64, bytes that are not a PNG, too large).
    """
    value = (signature or "").strip()
    if not value:
        return ""
    if not value.startswith(SIGNATURE_PREFIX):
        raise ValidationError({"signature": [_("A drawn signature must be a PNG image (a data:image/png URL).")]})
    encoded = value[len(SIGNATURE_PREFIX) :]
    too_large = _("The drawn signature is larger than %(kb)s KB.") % {"kb": MAX_SIGNATURE_BYTES // 1024}
    if len(encoded) > _MAX_SIGNATURE_CHARS:
        raise ValidationError({"signature": [too_large]})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": [_("The drawn signature is not valid base64 data.")]}) from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError({"signature": [too_large]})
    # A PNG opens with its 8-byte magic and then the IHDR chunk (length, type).
    if not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise ValidationError({"signature": [_("The drawn signature is not a PNG image.")]})
    return value


def signoff_build(
    *,
    ticket: Ticket,
    actor: User,
    form: str,
    signer_name: str,
    signature: str,
    approved: bool = True,
    opinion: str = "",
    errors: dict[str, list[str]] | None = None,
) -> SignOff:
    """An unsaved, checked sign-off; problems go to ``errors`` (raised here when not given)."""
    problems: dict[str, list[str]] = {} if errors is None else errors
    name = (signer_name or "").strip()
    if not name:
        problems.setdefault("signer_name", []).append(_("Type your name to sign."))
    try:
        drawn = signature_clean(signature)
    except ValidationError as exc:
        drawn = ""
        for key, messages in errors_of(exc).items():
            problems.setdefault(key, []).extend(messages)
    signoff = SignOff(
        ticket=ticket,
        form=form,
        signer=actor,
        signer_name=name,
        approved=approved,
        opinion=(opinion or "").strip(),
        signature=drawn,
    )
    if name:
        clean_record(signoff, problems, exclude=["ticket", "signer", "signature"])
    if errors is None and problems:
        raise ValidationError(problems)
    return signoff


def signoff_save(*, signoff: SignOff, actor: User) -> SignOff:
    """Store a checked sign-off with its ``signed`` timeline entry and ``signoff.create`` audit row."""
    signoff.save()
    record_event(
        ticket=signoff.ticket,
        actor=actor,
        record=signoff,
        name="signoff",
        kind=TicketEvent.Kind.SIGNED,
        body=signoff.opinion,
        extra={"form": signoff.form, "approved": signoff.approved, "signer_name": signoff.signer_name},
    )
    record_audit(actor=actor, action="signoff.create", record=signoff, ticket=signoff.ticket)
    return signoff


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def local_time(instant: dt.datetime) -> str:
    return f"{timezone.localtime(instant):%Y-%m-%d %H:%M}"


def aware(instant: object, field: str) -> dt.datetime | None:
    """``instant`` as an aware datetime (naive ones in the site's time zone, as Django's forms do).

    Raises ValidationError ``field`` for anything but a datetime or None.
    """
    if instant is None:
        return None
    if not isinstance(instant, dt.datetime):
        raise ValidationError({field: [_("Give a date and a time.")]})
    if timezone.is_naive(instant):
        return timezone.make_aware(instant)
    return instant


def ticket_id_of(model: type[TaskOrder] | type[RemoteConsent], pk: int, actor: User) -> int:
    rows = scoped(model.objects.filter(pk=pk), actor, client_field="ticket__client")
    ticket_id = rows.values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        raise ObjectNotFoundError(_("Not found."))
    return int(ticket_id)
