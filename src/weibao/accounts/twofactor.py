"""Optional two-factor sign-in with an authenticator app (TOTP) and one-time recovery codes.

Services: ``totp_enable``, ``totp_disable``, ``totp_reset`` and ``totp_check`` (the
second sign-in step). Codes are checked with a replay guard: a code, once accepted,
cannot be used again, even on another web server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import RecoveryCode, TotpDevice, User
from weibao.core.errors import PermissionDeniedError

ISSUER = "Weibao"
RECOVERY_CODE_COUNT = 10
# Unambiguous lower-case letters and digits; 16 of them carry 80 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16
# Accept the previous and the next 30-second step too: phones' clocks drift.
_DRIFT_STEPS = 1


def totp_secret_new() -> str:
    """A fresh random base32 secret (160 bits) for enrolment; nothing is stored."""
    return pyotp.random_base32(32)


def totp_provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def totp_qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI for an <img> (no inline script or style)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _recovery_hash(code: str) -> str:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second step ``code`` belongs to, within the allowed drift, or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _code_error(message: str) -> ValidationError:
    return ValidationError({"code": [ValidationError(message, code="invalid_code")]})


@transaction.atomic
def totp_enable(*, actor: User, secret: str, code: str) -> list[str]:
    """Turn on two-factor sign-in for the actor with ``secret``, proven by a current ``code``.

    Preconditions: ``secret`` came from ``totp_secret_new`` for this enrolment.
    Side effects: creates the TotpDevice and 10 recovery codes (only their hashes are
    kept), writes a ``user.totp_enable`` event.
    Returns the recovery codes in plain text: show them once, never store them.
    Raises ValidationError on ``code`` when it is wrong or TOTP is already on.
    """
    if TotpDevice.objects.filter(user=actor).exists():
        raise _code_error(_("Two-factor sign-in is already on for your account."))
    step = _matching_step(secret, code)
    if step is None:
        raise _code_error(_("The code is not right. Enter the 6 digits the app shows now."))
    device = TotpDevice(user=actor, secret=secret, last_step=step)
    device.full_clean(exclude=["user"])
    device.save()
    codes = _recovery_codes_replace(actor)
    event_record(actor=actor, action="user.totp_enable", obj=actor, after={"totp": True})
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code_new() for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes])
    return codes


def totp_check(*, user: User, code: str) -> str | None:
    """Check a second-factor code of ``user``: a current TOTP code or an unused recovery code.

    Side effects: remembers the TOTP step (a code works once); marks a recovery code used
    and writes a ``user.recovery_code_use`` event. Both with conditional UPDATEs, so two
    servers given the same code accept it once.
    Returns ``"totp"`` or ``"recovery"``, or None when the code is wrong or already used.
    """
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        return None
    step = _matching_step(device.secret, code)
    if step is not None:
        accepted = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
        return "totp" if accepted else None
    with transaction.atomic():
        used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            return None
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        event_record(actor=user, action="user.recovery_code_use", obj=user, after={"recovery_codes_left": left})
    return "recovery"


@transaction.atomic
def totp_disable(*, actor: User, code: str) -> None:
    """Turn off the actor's own two-factor sign-in, proven by a current or recovery code.

    Side effects: deletes the device and the recovery codes; writes ``user.totp_disable``.
    Raises ValidationError on ``code`` when it is wrong.
    """
    if totp_check(user=actor, code=code) is None:
        raise _code_error(_("The code is not right. Enter the 6 digits the app shows now, or a recovery code."))
    TotpDevice.objects.filter(user=actor).delete()
    RecoveryCode.objects.filter(user=actor).delete()
    event_record(actor=actor, action="user.totp_disable", obj=actor, before={"totp": True}, after={"totp": False})


@transaction.atomic
def totp_reset(*, actor: User, user: User) -> bool:
    """Remove another user's authenticator, e.g. when their phone is lost.

    Preconditions: ``actor.can_manage_security``.
    Side effects: deletes the device and recovery codes; writes ``user.totp_reset``.
    Returns whether the user had two-factor sign-in on.
    Raises PermissionDeniedError for anyone else.
    """
    if not actor.can_manage_security:
        raise PermissionDeniedError(_("Only security officers and administrators may reset two-factor sign-in."))
    deleted, _rows = TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if deleted:
        event_record(actor=actor, action="user.totp_reset", obj=user, before={"totp": True}, after={"totp": False})
    return bool(deleted)


def totp_enabled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
