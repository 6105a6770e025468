"""Personal access tokens: create (shown once), authenticate, revoke.

A token reads ``wb_<prefix>_<secret>``; the prefix finds the row, the secret is
compared by its SHA-256 in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import AccessToken, User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.snapshot import model_snapshot

TOKEN_PREFIX = "wb_"  # noqa: S105 -- a marker, not a secret
# last_used_at is written at most this often per token, to keep reads cheap.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    plaintext: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, scope: str, expires_at: dt.datetime | None = None) -> IssuedToken:
    """Issue a token for ``actor``; the plaintext is returned here and never again.

    Raises ValidationError naming ``name``/``scope``/``expires_at``.
    Side effects: AccessToken row, ``token.create`` event.
    """
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name.")]
    if scope not in AccessToken.Scope.values:
        errors["scope"] = [_("Choose read or read-write.")]
    if expires_at is not None and timezone.is_naive(expires_at):
        # An API caller may omit the offset; read it as local time, as the UI does.
        expires_at = timezone.make_aware(expires_at)
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = AccessToken(
        user=actor, name=name[:100], prefix=prefix, secret_hash=_hash(secret), scope=scope, expires_at=expires_at
    )
    token.full_clean(exclude=["secret_hash"])
    token.save()
    event_record(
        actor=actor, action="token.create", obj=token, after=model_snapshot(token, ["name", "scope", "expires_at"])
    )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}{prefix}_{secret}")


def token_authenticate(raw: str, *, now: dt.datetime | None = None) -> AccessToken | None:
    """The live token matching ``raw``, its last use updated; None if none matches."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> AccessToken:
    """Revoke one of ``actor``'s own tokens (administrators: anyone's).

    Raises ObjectNotFoundError for a token the actor may not see.
    Side effects: sets revoked_at, ``token.revoke`` event. Revoking twice is a no-op.
    """
    tokens = AccessToken.objects.select_for_update()
    if not actor.is_administrator:
        tokens = tokens.filter(user=actor)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise ObjectNotFoundError(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(actor=actor, action="token.revoke", obj=token, after={"revoked_at": token.revoked_at.isoformat()})
    return token
