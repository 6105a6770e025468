"""Feishu (飞书) custom bot: timestamp + sign in the body; rich text (post), or text with <at> mentions."""

from __future__ import annotations

import time
from typing import Any

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, platform_result, post_json, register
from weibao.notifications.channels.signing import feishu_sign
from weibao.notifications.models import ChannelKind


def payload(message: Outgoing, secret: str = "", now: float | None = None) -> dict[str, Any]:
    body: dict[str, Any]
    if message.mentions:
        ats = " ".join(f'<at user_id="{m}"></at>' for m in message.mentions)
        body = {"msg_type": "text", "content": {"text": f"{message.subject}\n{message.body}\n{ats}"}}
    else:
        lines = [[{"tag": "text", "text": line}] for line in message.body.splitlines() if line.strip()]
        body = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.subject, "content": lines}}}}
    if secret:
        timestamp = int(time.time() if now is None else now)
        body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    return body


@register
class FeishuChannel(Channel):
    kind = ChannelKind.FEISHU.value

    def send(self, message: Outgoing) -> None:
        endpoint = message.delivery.endpoint
        if endpoint is None:
            raise DeliveryError("robot delivery without an endpoint", retry=False)
        response = post_json(endpoint.url, payload(message, endpoint.secret))
        platform_result(response, code_field="code", message_field="msg", platform="Feishu")
