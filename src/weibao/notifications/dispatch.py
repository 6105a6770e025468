"""The one way other apps tell people something: ``notify()``.

Example (inside the service that made the change, in its transaction)::

    from weibao.notifications.dispatch import Recipients, notify
    from weibao.notifications import events

    notify(
        event=events.REQUEST_ASSIGNED,
        recipients=Recipients(user_ids=(engineer.pk,), roles=("service_manager",)),
        context={"number": ticket.number, "title": ticket.title, "actor": str(actor)},
        client_id=ticket.client_id,
        link=f"/tickets/{ticket.pk}/",
        dedup_key=f"ticket:{ticket.pk}:assigned:{engineer.pk}",
    )

What happens:

- Rows are written in the caller's transaction (a rollback takes them away): one
  ``Notification`` and one ``Delivery`` per (recipient, channel). The delivery tasks are
  enqueued on commit; a worker (``weibao worker``) sends them, retrying with backoff.
- People: ``user_ids`` plus every active *staff* user holding one of ``roles`` (plus the
  roles the event's rule adds). Roles never reach client users: a higher layer that wants
  a client's contacts resolves them to ``user_ids`` (or ``emails``) itself.
- Channels per person: the event's rule (default: in-app and e-mail), minus what the
  person switched off in their preferences. E-mail needs an address on the user.
- ``emails``: extra addresses with no account (sent in the default language).
- ``on_duty``: the on-duty contacts as free text (mobile numbers, IM user ids); the group
  robots of this event @-mention them (DingTalk ``atMobiles``, WeCom
  ``mentioned_mobile_list``, Feishu ``<at user_id>``).
- Group robots and outbound webhooks an administrator configured get the event when they
  subscribe to it and to this client (or to all clients).
- ``context``: JSON-serialisable values the templates use. Every built-in template shows
  ``number`` and ``title`` when present, ``summary`` when present, and the ``link``.
  Dates are stored as ISO strings.
- ``link``: a path inside Weibao (``/tickets/12/``) shown with the message.
- ``dedup_key``: calling again with the same event and key adds nothing for a recipient
  and channel already served (idempotent per recipient + channel). Without it every call
  notifies.
- ``client_id``: the client the event is about; in-app entries carry it, endpoints filter by it.

Raises ``ValueError`` for an event not in ``events.EVENTS`` (a programming error).
Never sends anything itself and never raises for an unreachable recipient.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from weibao.accounts.models import CLIENT_ROLES, User
from weibao.notifications.events import EVENTS
from weibao.notifications.models import ChannelKind, Delivery, Endpoint, Notification, Preference, Rule

DEFAULT_CHANNELS: tuple[str, ...] = (ChannelKind.INAPP.value, ChannelKind.EMAIL.value)


@dataclass(frozen=True)
class Recipients:
    """Who should hear of an event; see ``notify``."""

    user_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    on_duty: tuple[str, ...] = ()


def _key(event: str, dedup_key: str, recipient: str, channel: str) -> str:
    if not dedup_key:
        return uuid.uuid4().hex
    raw = "\x00".join((event, dedup_key, recipient, channel))
    return hashlib.sha256(raw.encode()).hexdigest()


def rule_for(event: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """(enabled, personal channels, extra roles) of an event; defaults without a rule row."""
    rule = Rule.objects.filter(event=event).first()
    if rule is None:
        return True, DEFAULT_CHANNELS, ()
    channels = tuple(c for c in rule.channels if c in DEFAULT_CHANNELS) if rule.channels else DEFAULT_CHANNELS
    return rule.enabled, channels, tuple(rule.extra_roles)


def _people(user_ids: Iterable[int], roles: Iterable[str], *, event: str, channels: Iterable[str]) -> list[User]:
    """The users to tell, each annotated ``off_<channel>`` when their preferences switch it off."""
    staff_roles = [r for r in roles if r not in CLIENT_ROLES]
    switched_off = {
        f"off_{channel}": Exists(
            Preference.objects.filter(user=OuterRef("pk"), event=event, channel=channel, enabled=False)
        )
        for channel in channels
    }
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=list(user_ids)) | (Q(role__in=staff_roles) & ~Q(role__in=list(CLIENT_ROLES))))
        .annotate(**switched_off)
        .order_by("pk")
    )


def notify(
    *,
    event: str,
    recipients: Recipients,
    context: Mapping[str, Any],
    client_id: int | None = None,
    link: str = "",
    dedup_key: str = "",
) -> None:
    """Record a notification and enqueue its deliveries on commit (see the module docstring)."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    enabled, channels, extra_roles = rule_for(event)
    if not enabled:
        return
    # No savepoint inside the caller's transaction (two queries fewer); a transaction of its own otherwise.
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            event=event,
            client_id=client_id,
            context=dict(context),
            link=link[:500],
            dedup_key=dedup_key[:200],
            on_duty=[s for s in recipients.on_duty if s],
        )
        people = _people(recipients.user_ids, (*recipients.roles, *extra_roles), event=event, channels=channels)
        rows: list[Delivery] = []
        mailed: set[str] = set()
        for person in people:
            for channel in channels:
                if getattr(person, f"off_{channel}"):
                    continue
                if channel == ChannelKind.EMAIL and not person.email:
                    continue
                address = person.email if channel == ChannelKind.EMAIL else ""
                if address:
                    mailed.add(address.lower())
                rows.append(
                    Delivery(
                        notification=notification,
                        channel=channel,
                        user=person,
                        address=address,
                        language=person.language,
                        idempotency_key=_key(event, dedup_key, f"user:{person.pk}", channel),
                    )
                )
        for email in dict.fromkeys(e.strip() for e in recipients.emails if e.strip()):
            if email.lower() in mailed:
                continue
            mailed.add(email.lower())
            rows.append(
                Delivery(
                    notification=notification,
                    channel=ChannelKind.EMAIL,
                    address=email,
                    language=settings.LANGUAGE_CODE,
                    idempotency_key=_key(event, dedup_key, f"email:{email.lower()}", ChannelKind.EMAIL),
                )
            )
        for endpoint in Endpoint.objects.filter(enabled=True).order_by("pk"):
            if endpoint.wants(event, client_id):
                rows.append(
                    Delivery(
                        notification=notification,
                        channel=endpoint.kind,
                        endpoint=endpoint,
                        language=settings.LANGUAGE_CODE,
                        idempotency_key=_key(event, dedup_key, f"endpoint:{endpoint.pk}", endpoint.kind),
                    )
                )
        # A key already served (same dedup_key) is skipped; queueing its task again is harmless.
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(partial(enqueue_deliveries, [row.idempotency_key for row in rows]))


def enqueue_deliveries(keys: Iterable[str]) -> None:
    """Queue one delivery task per idempotency key (claiming makes a second task for one key harmless).

    All in one transaction: one commit (one fsync) for the lot instead of one per task.
    """
    from weibao.notifications.tasks import deliver

    with transaction.atomic():
        for key in keys:
            deliver.enqueue(key)
