"""E-mail through Django's mailer; automatic mail says so (RFC 3834)."""

from __future__ import annotations

from django.core.mail import EmailMessage

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, register
from weibao.notifications.models import ChannelKind


@register
class EmailChannel(Channel):
    kind = ChannelKind.EMAIL.value

    def send(self, message: Outgoing) -> None:
        address = message.delivery.address
        if not address:
            raise DeliveryError("no e-mail address", retry=False)
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[address],
            headers={
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "All",
                "X-Weibao-Event": message.notification.event,
                "X-Weibao-Delivery": message.delivery.idempotency_key,
            },
        )
        try:
            mail.send()
        except OSError as exc:  # smtplib errors are OSErrors
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
