"""Storing inbound messages once and handing them, once, to whoever makes requests of them.

Two steps, two transactions: :func:`message_store` writes the raw message under its
unique dedup key (a second delivery finds the row and writes nothing);
:func:`message_process` locks the row, and only while it is still ``received``
calls the registered handler (the service desk's) and records the outcome in the
same transaction as the request or reply it made. A crash between the two leaves a
``received`` row that the next poll processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.intake.models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)


class Quarantine(Exception):  # noqa: N818 - an outcome, not a failure
    """The handler sends the message to review, with a reason a person can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Ignore(Exception):  # noqa: N818 - an outcome, not a failure
    """Automatic mail (auto-reply, bounce, list): no request, no answer (RFC 3834)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Release:
    """A reviewer's decision: make a new request of the message for ``client_id``."""

    actor: User
    client_id: int | None


# What the handler answers: ("new" | "reply", request id).
Handler = Callable[[InboundMessage, Release | None], tuple[str, int]]
HANDLERS: list[Handler] = []


# Clients a reviewer may release a message to, as (id, name): the service desk provides them.
ClientChoices = Callable[[], list[tuple[int, str]]]
CLIENT_CHOICES: list[ClientChoices] = []


def client_choices() -> list[tuple[int, str]]:
    return CLIENT_CHOICES[0]() if CLIENT_CHOICES else []


def handler_register(handler: Handler) -> None:
    """The service desk registers the one function that turns a message into a request or reply."""
    if handler not in HANDLERS:
        HANDLERS.append(handler)


def message_store(
    *,
    source: str,
    dedup_key: str,
    raw: bytes = b"",
    payload: dict[str, Any] | None = None,
    mailbox: Mailbox | None = None,
    origin: str = "",
    sender: str = "",
    subject: str = "",
) -> tuple[InboundMessage, bool]:
    """Store an inbound message unless its dedup key is known; returns (row, created)."""
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                source=source,
                dedup_key=dedup_key[:255],
                raw=raw,
                payload=payload or {},
                mailbox=mailbox,
                origin=origin[:100],
                sender=sender[:255],
                subject=subject[:500],
            )
        return row, True
    except IntegrityError:
        return InboundMessage.objects.get(dedup_key=dedup_key[:255]), False


def message_process(*, message_id: int, release: Release | None = None) -> InboundMessage:
    """Turn a ``received`` message into a request or reply, or send it to review; once."""
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=message_id)
        wanted = InboundMessage.State.QUARANTINED if release is not None else InboundMessage.State.RECEIVED
        if row.state != wanted:
            return row
        if not HANDLERS:
            raise RuntimeError("no intake handler registered")
        try:
            with transaction.atomic():
                outcome, ticket_id = HANDLERS[0](row, release)
        except Quarantine as refused:
            row.state, row.reason = InboundMessage.State.QUARANTINED, refused.reason[:300]
        except Ignore as ignored:
            row.state, row.reason = InboundMessage.State.IGNORED, ignored.reason[:300]
        except Exception as exc:
            logger.exception("inbound message %s could not be processed", row.pk)
            row.state = InboundMessage.State.QUARANTINED
            row.reason = (_("Processing failed: %(error)s") % {"error": type(exc).__name__})[:300]
        else:
            row.state, row.outcome, row.ticket_id, row.reason = InboundMessage.State.DONE, outcome, ticket_id, ""
        row.processed_at = timezone.now()
        row.save(update_fields=["state", "outcome", "ticket_id", "reason", "processed_at"])
        if release is not None:
            event_record(
                actor=release.actor,
                action="intake.message.release",
                obj=row,
                client_id=release.client_id,
                after={"state": row.state, "ticket_id": row.ticket_id, "reason": row.reason},
                only_changes=False,
            )
        return row


def messages_process_pending(*, limit: int = 500) -> int:
    """Process messages left ``received`` (a poller stopped between storing and processing)."""
    ids = list(
        InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        message_process(message_id=pk)
    return len(ids)


def message_discard(*, actor: User, message_id: int) -> InboundMessage:
    """A reviewer discards a quarantined message; it stays stored, marked discarded."""
    with transaction.atomic():
        try:
            row = InboundMessage.objects.select_for_update().get(pk=message_id)
        except InboundMessage.DoesNotExist as exc:
            raise ObjectNotFoundError(_("Not found.")) from exc
        if row.state != InboundMessage.State.QUARANTINED:
            from django.core.exceptions import ValidationError

            raise ValidationError({"state": [_("Only messages in review can be discarded.")]})
        row.state = InboundMessage.State.DISCARDED
        row.processed_at = timezone.now()
        row.save(update_fields=["state", "processed_at"])
        event_record(
            actor=actor,
            action="intake.message.discard",
            obj=row,
            before={"state": InboundMessage.State.QUARANTINED},
            after={"state": row.state},
        )
        return row
