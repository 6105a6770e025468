"""In-app: an entry in the person's notification centre."""

from __future__ import annotations

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, register
from weibao.notifications.models import ChannelKind, InboxItem


@register
class InAppChannel(Channel):
    kind = ChannelKind.INAPP.value

    def send(self, message: Outgoing) -> None:
        delivery = message.delivery
        if delivery.user_id is None:
            raise DeliveryError("in-app delivery without a user", retry=False)
        InboxItem.objects.get_or_create(
            delivery=delivery,
            defaults={
                "user_id": delivery.user_id,
                "client_id": message.notification.client_id,
                "event": message.notification.event,
                "title": message.subject,
                "body": message.body,
                "link": message.notification.link,
            },
        )
