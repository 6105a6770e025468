"""Notification channels, one plugin module per kind; importing this package registers them all."""

from __future__ import annotations

from weibao.notifications.channels import dingtalk, email, feishu, inapp, webhook, wecom
from weibao.notifications.channels.base import REGISTRY, Channel, DeliveryError, Outgoing

__all__ = [
    "REGISTRY",
    "Channel",
    "DeliveryError",
    "Outgoing",
    "dingtalk",
    "email",
    "feishu",
    "inapp",
    "webhook",
    "wecom",
]
