"""Secrets Weibao must give back to other parties, kept sealed in the database.

An authenticator's shared secret and a robot's signing secret cannot be hashed like a
password: the plain value is needed to check a code or sign a request. ``SealedField``
stores them encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
the secret key, so a database dump or a backup of the database alone does not reveal
them. Python code sees the plain value.

Changing the secret key makes sealed values unreadable: they read as empty (the robot
must be given its secret again, the user enrols the authenticator again). A value
written before sealing was introduced (not a Fernet token) reads as it is, and is
sealed the next time the row is saved.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

# Every Fernet token starts with its version byte 0x80, "gA" in URL-safe base64.
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - a format marker, not a secret


def _fernet(purpose: str) -> Fernet:
    digest = hashlib.sha256(f"weibao.sealed.{purpose}\x00{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str, *, purpose: str) -> str:
    """The sealed form of ``plain`` ("" stays "")."""
    return _fernet(purpose).encrypt(plain.encode()).decode() if plain else ""


def unseal(stored: str, *, purpose: str) -> str:
    """The plain value; "" if it was sealed under another secret key; unsealed legacy values as they are."""
    if not stored:
        return ""
    if not stored.startswith(_TOKEN_PREFIX):
        return stored
    try:
        return _fernet(purpose).decrypt(stored.encode()).decode()
    except InvalidToken:
        return ""


class SealedField(models.TextField[Any, Any]):
    """A text column holding a sealed secret; reads and writes the plain value in Python.

    Sealing is randomised: the column cannot be filtered on.
    """

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        return None if value is None else unseal(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value), purpose=self.purpose)
