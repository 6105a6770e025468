"""WeCom (企业微信) group robot: the webhook URL carries the key; markdown, or text to @-mention."""

from __future__ import annotations

from typing import Any

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, platform_result, post_json, register
from weibao.notifications.models import ChannelKind

MARKDOWN_LIMIT = 4096  # bytes, as the platform documents
TEXT_LIMIT = 2048


def _cut(text: str, limit: int) -> str:
    raw = text.encode()
    return raw[:limit].decode(errors="ignore") if len(raw) > limit else text


def payload(message: Outgoing) -> dict[str, Any]:
    if message.mentions:
        return {
            "msgtype": "text",
            "text": {
                "content": _cut(f"{message.subject}\n{message.body}", TEXT_LIMIT),
                "mentioned_mobile_list": list(message.mentions),
            },
        }
    return {
        "msgtype": "markdown",
        "markdown": {"content": _cut(f"### {message.subject}\n{message.body}", MARKDOWN_LIMIT)},
    }


@register
class WeComChannel(Channel):
    kind = ChannelKind.WECOM.value

    def send(self, message: Outgoing) -> None:
        endpoint = message.delivery.endpoint
        if endpoint is None:
            raise DeliveryError("robot delivery without an endpoint", retry=False)
        response = post_json(endpoint.url, payload(message))
        platform_result(response, code_field="errcode", message_field="errmsg", platform="WeCom")
