"""Secrets intake must give back to other servers (mailbox passwords, IM app keys).

Stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
the secret key; a database dump alone does not reveal them. Changing the secret key
makes them unreadable: enter them again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"weibao.intake.secrets\x00" + str(settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_open(sealed: str) -> str:
    """The plain secret, or "" when none is stored or it was sealed under another secret key."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
