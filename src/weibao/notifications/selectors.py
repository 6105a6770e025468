"""Reads of the notification centre and the settings pages.

A person sees only their own in-app entries: another person's entry (of any client)
answers ObjectNotFoundError, as if it did not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.notifications.events import EVENTS
from weibao.notifications.models import PERSONAL_CHANNELS, Delivery, InboxItem, Preference


def inbox_list(*, actor: User, unread: bool = False) -> QuerySet[InboxItem]:
    items = InboxItem.objects.filter(user=actor)
    if unread:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-created_at", "-pk")


def inbox_unread_count(*, actor: User) -> int:
    return InboxItem.objects.filter(user=actor, read_at__isnull=True).count()


def inbox_get(*, actor: User, pk: int) -> InboxItem:
    item = InboxItem.objects.filter(user=actor, pk=pk).first()
    if item is None:
        raise ObjectNotFoundError(_("Not found."))
    return item


def preference_table(*, actor: User) -> list[dict[str, object]]:
    """Every event x personal channel with the person's choice (on unless switched off)."""
    off = set(Preference.objects.filter(user=actor, enabled=False).values_list("event", "channel"))
    return [
        {
            "event": event,
            "event_label": str(label),
            "channel": channel.value,
            "channel_label": str(channel.label),
            "enabled": (event, channel.value) not in off,
        }
        for event, label in EVENTS.items()
        for channel in PERSONAL_CHANNELS
    ]


def delivery_list(*, state: str = "") -> QuerySet[Delivery]:
    deliveries = Delivery.objects.select_related("notification", "endpoint", "user")
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.order_by("-pk")
