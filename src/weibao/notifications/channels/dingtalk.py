"""DingTalk (钉钉) group robot: access_token URL, signed with timestamp + sign; markdown with @mobiles."""

from __future__ import annotations

import time
from typing import Any

from weibao.notifications.channels.base import Channel, DeliveryError, Outgoing, platform_result, post_json, register
from weibao.notifications.channels.signing import dingtalk_sign
from weibao.notifications.models import ChannelKind


def payload(message: Outgoing) -> dict[str, Any]:
    text = f"### {message.subject}\n\n{message.body}"
    if message.mentions:
        # The platform only highlights a mention whose @number also appears in the text.
        text += "\n\n" + " ".join(f"@{m}" for m in message.mentions)
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": text},
        "at": {"atMobiles": list(message.mentions), "isAtAll": False},
    }


def signed_url(url: str, secret: str, now: float | None = None) -> str:
    if not secret:
        return url
    timestamp = int((time.time() if now is None else now) * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


@register
class DingTalkChannel(Channel):
    kind = ChannelKind.DINGTALK.value

    def send(self, message: Outgoing) -> None:
        endpoint = message.delivery.endpoint
        if endpoint is None:
            raise DeliveryError("robot delivery without an endpoint", retry=False)
        response = post_json(signed_url(endpoint.url, endpoint.secret), payload(message))
        platform_result(response, code_field="errcode", message_field="errmsg", platform="DingTalk")
