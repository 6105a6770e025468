"""Sending one delivery: claim, send through its channel, record the outcome.

Claiming is a conditional UPDATE (pending/retrying and due -> sending); only the worker
whose UPDATE changed the row sends, so two workers (or a task queued twice) never
deliver twice. A failure is retried with exponential backoff; after the last attempt
the delivery is dead-lettered and administrators get an in-app alert.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weibao.accounts.models import Role, User
from weibao.notifications.channels import REGISTRY, DeliveryError, Outgoing
from weibao.notifications.messages import render
from weibao.notifications.models import Delivery, InboxItem

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(seconds=30)
# A delivery still "sending" this long after its claim lost its worker; it is retried.
STALE_CLAIM = dt.timedelta(minutes=10)

State = Delivery.State


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min, 4 min, 8 min."""
    factor: int = 2 ** max(attempts - 1, 0)
    return BACKOFF_BASE * factor


def delivery_claim(*, key: str) -> bool:
    now = timezone.now()
    changed = Delivery.objects.filter(
        idempotency_key=key, state__in=[State.PENDING, State.RETRYING], next_attempt_at__lte=now
    ).update(state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    return changed == 1


def delivery_attempt(*, key: str) -> str:
    """Claim and send the delivery with idempotency key ``key``; returns its new state, or "skipped" if not claimed."""
    if not delivery_claim(key=key):
        return "skipped"
    delivery = Delivery.objects.select_related("notification", "endpoint", "user").get(idempotency_key=key)
    notification = delivery.notification
    channel = REGISTRY[delivery.channel]
    mentions: tuple[str, ...] = ()
    if delivery.endpoint is not None and delivery.endpoint.mention_on_duty:
        mentions = tuple(str(m) for m in notification.on_duty)
    try:
        rendered = render(
            event=notification.event, language=delivery.language, context=notification.context, link=notification.link
        )
        channel.send(
            Outgoing(
                delivery=delivery,
                notification=notification,
                subject=rendered.subject,
                body=rendered.body,
                mentions=mentions,
            )
        )
    except DeliveryError as exc:
        return _failed(delivery, exc.message, retry=exc.retry)
    except Exception as exc:  # a bug in a channel must not leave the row "sending" forever
        logger.exception("notification delivery %s failed", delivery.pk)
        return _failed(delivery, f"{type(exc).__name__}: {exc}", retry=True)
    Delivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
    return State.SENT.value


def _failed(delivery: Delivery, error: str, *, retry: bool) -> str:
    now = timezone.now()
    if retry and delivery.attempts < MAX_ATTEMPTS:
        due = now + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(
            state=State.RETRYING, next_attempt_at=due, last_error=error[:2000]
        )
        transaction.on_commit(lambda: _enqueue_at(delivery.idempotency_key, due))
        return State.RETRYING.value
    with transaction.atomic():
        changed = Delivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(
            state=State.DEAD, last_error=error[:2000]
        )
        if changed:
            dead_letter_alert(delivery=delivery, error=error)
    return State.DEAD.value


def _enqueue_at(key: str, due: dt.datetime) -> None:
    from weibao.notifications.tasks import deliver

    deliver.using(run_after=due).enqueue(key)


def dead_letter_alert(*, delivery: Delivery, error: str) -> None:
    """Tell every administrator in-app that a delivery was given up."""
    admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
    items = []
    for admin in admins:
        with translation.override(admin.language):
            title = _("Notification delivery failed: %(channel)s") % {"channel": delivery.get_channel_display()}
            body = _("Delivery %(key)s of event %(event)s was given up after %(attempts)s attempts: %(error)s") % {
                "key": delivery.idempotency_key[:12],
                "event": delivery.notification.event,
                "attempts": delivery.attempts,
                "error": error[:500],
            }
        items.append(
            InboxItem(
                user=admin, event="delivery.dead", title=title[:300], body=body, link="/notifications/deliveries/"
            )
        )
    InboxItem.objects.bulk_create(items)


def deliveries_requeue() -> int:
    """Queue again deliveries whose task was lost: stale claims and due rows left waiting."""
    now = timezone.now()
    stale = Delivery.objects.filter(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    stale_keys = list(stale.values_list("idempotency_key", flat=True)[:1000])
    Delivery.objects.filter(idempotency_key__in=stale_keys, state=State.SENDING).update(
        state=State.RETRYING, next_attempt_at=now
    )
    waiting = Delivery.objects.filter(
        state__in=[State.PENDING, State.RETRYING], next_attempt_at__lte=now - dt.timedelta(minutes=2)
    )
    keys = stale_keys + list(waiting.values_list("idempotency_key", flat=True)[:1000])
    from weibao.notifications.dispatch import enqueue_deliveries

    enqueue_deliveries(keys)
    return len(keys)


def deliveries_run_due(*, limit: int = 1000) -> dict[str, int]:
    """Send every due delivery in this process (tests, ``weibao shell``); returns counts per outcome."""
    counts: dict[str, int] = {}
    keys = list(
        Delivery.objects.filter(state__in=[State.PENDING, State.RETRYING], next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("idempotency_key", flat=True)[:limit]
    )
    for key in keys:
        outcome = delivery_attempt(key=key)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
