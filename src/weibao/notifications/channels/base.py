"""The base class of notification channels: one small plugin module per kind."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from weibao.notifications.models import Delivery, Notification
from weibao.notifications.ssrf import OutboundRefusedError, guarded_client


@dataclass(frozen=True)
class Outgoing:
    """A delivery ready to send: the rows plus the wording in the recipient's language."""

    delivery: Delivery
    notification: Notification
    subject: str
    body: str
    mentions: tuple[str, ...]


class DeliveryError(Exception):
    """Sending failed; ``retry`` says whether trying again later can help."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


class Channel(ABC):
    kind: ClassVar[str]

    @abstractmethod
    def send(self, message: Outgoing) -> None:
        """Deliver ``message`` or raise DeliveryError. Must be safe to repeat (idempotency key)."""


REGISTRY: dict[str, Channel] = {}


def register(cls: type[Channel]) -> type[Channel]:
    REGISTRY[cls.kind] = cls()
    return cls


def post_json(
    url: str, payload: Any = None, *, content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST through the SSRF guard; network trouble and refused addresses become DeliveryError."""
    try:
        with guarded_client() as client:
            if content is not None:
                response = client.post(
                    url, content=content, headers={"Content-Type": "application/json", **(headers or {})}
                )
            else:
                response = client.post(url, json=payload, headers=headers or {})
    except OutboundRefusedError as exc:
        raise DeliveryError(exc.message, retry=False) from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if response.is_redirect:
        raise DeliveryError(f"HTTP {response.status_code}: redirect not followed", retry=False)
    if response.status_code >= 400:
        retry = response.status_code >= 500 or response.status_code in {408, 425, 429}
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", retry=retry)
    return response


def platform_result(response: httpx.Response, *, code_field: str, message_field: str, platform: str) -> None:
    """Robots answer HTTP 200 with an error code in the body; anything but 0 is a failure."""
    try:
        data = response.json()
    except ValueError as exc:
        raise DeliveryError(f"{platform}: answer is not JSON") from exc
    code = data.get(code_field) if isinstance(data, dict) else None
    if code != 0:
        message = data.get(message_field, "") if isinstance(data, dict) else ""
        raise DeliveryError(f"{platform} {code_field} {code}: {message}")
