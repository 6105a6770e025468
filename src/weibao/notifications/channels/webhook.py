"""Generic outbound webhook: JSON, HMAC-SHA256 over timestamp + body, an idempotency key per delivery.

Headers: ``X-Weibao-Event``, ``X-Weibao-Timestamp`` (Unix seconds), ``X-Weibao-Signature:
sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``, ``Idempotency-Key`` (the same on
every retry of one delivery). A 2xx answer is success; others are retried with backoff.
"""

from __future__ import annotations

import json
import time

from django.core.serializers.json import DjangoJSONEncoder

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, post_json, register
from weibao.notifications.channels.signing import webhook_sign
from weibao.notifications.models import ChannelKind


def body_of(message: Outgoing) -> bytes:
    notification = message.notification
    document = {
        "id": message.delivery.idempotency_key,
        "event": notification.event,
        "created_at": notification.created_at,
        "client_id": notification.client_id,
        "link": notification.link,
        "subject": message.subject,
        "text": message.body,
        "context": notification.context,
        "on_duty": list(message.mentions),
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


@register
class WebhookChannel(Channel):
    kind = ChannelKind.WEBHOOK.value

    def send(self, message: Outgoing) -> None:
        endpoint = message.delivery.endpoint
        if endpoint is None:
            raise DeliveryError("webhook delivery without an endpoint", retry=False)
        body = body_of(message)
        timestamp = int(time.time())
        headers = {
            "X-Weibao-Event": message.notification.event,
            "X-Weibao-Timestamp": str(timestamp),
            "Idempotency-Key": message.delivery.idempotency_key,
        }
        if endpoint.secret:
            headers["X-Weibao-Signature"] = "sha256=" + webhook_sign(endpoint.secret, timestamp, body)
        post_json(endpoint.url, content=body, headers=headers)
