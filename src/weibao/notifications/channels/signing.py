"""Signatures of the robot platforms and of our outbound webhooks (shared with the test fakes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: url-encoded base64 of HMAC-SHA256 keyed with the secret over "timestamp\\nsecret"."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64 of HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_sign(secret: str, timestamp_s: int, body: bytes) -> str:
    """Our webhooks: hex HMAC-SHA256 keyed with the secret over "timestamp." + body."""
    return hmac.new(secret.encode(), str(timestamp_s).encode() + b"." + body, hashlib.sha256).hexdigest()
