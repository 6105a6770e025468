"""Password policy (等保 2.0 level 3): character classes, history and expiry.

The validators plug into Django's AUTH_PASSWORD_VALIDATORS, so every form that sets
a password (change, reset, admin, ``createadmin``, the demo loader) applies them.
Their limits are read from settings at call time.
"""

from __future__ import annotations

import datetime as dt
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from weibao.accounts.models import PasswordHistory, User


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters ``password`` uses."""
    classes = [
        any(ch.islower() for ch in password),
        any(ch.isupper() for ch in password),
        any(ch in string.digits for ch in password),
        any(not ch.isalnum() for ch in password),
    ]
    return sum(classes)


class CharacterClassesValidator:
    """At least ``settings.PASSWORD_CLASSES`` of: lower case, upper case, digit, symbol."""

    def validate(self, password: str, user: User | None = None) -> None:
        needed = min(settings.PASSWORD_CLASSES, 4)
        if character_classes(password) < needed:
            raise ValidationError(
                ngettext(
                    "The password must mix at least %(count)d kind of character: "
                    "lower case, upper case, digits, symbols.",
                    "The password must mix at least %(count)d kinds of character: "
                    "lower case, upper case, digits, symbols.",
                    needed,
                )
                % {"count": needed},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        needed = min(settings.PASSWORD_CLASSES, 4)
        return ngettext(
            "Your password must mix at least %(count)d kind of character: lower case, upper case, digits, symbols.",
            "Your password must mix at least %(count)d kinds of character: lower case, upper case, digits, symbols.",
            needed,
        ) % {"count": needed}


class PasswordHistoryValidator:
    """Refuses the last ``settings.PASSWORD_HISTORY`` passwords and records each new one."""

    def validate(self, password: str, user: User | None = None) -> None:
        keep = settings.PASSWORD_HISTORY
        if user is None or user.pk is None or keep <= 0:
            return
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password_hash", flat=True)[:keep])
        # Users from before the history existed still may not "change" to their current password.
        if user.password and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "You used this password recently; choose one that differs from your last password.",
                    "You used this password recently; choose one that differs from your last %(count)d passwords.",
                    keep,
                )
                % {"count": keep},
                code="password_reused",
            )

    def password_changed(self, password: str, user: User) -> None:
        """Called by Django after a new password was saved: remember it, keep only the latest."""
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password_hash=user.password, created_at=now)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            max(settings.PASSWORD_HISTORY, 1) :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self) -> str:
        keep = settings.PASSWORD_HISTORY
        if keep <= 0:
            return ""
        return ngettext(
            "It may not be your last password.", "It may not be one of your last %(count)d passwords.", keep
        ) % {"count": keep}


def password_expires_at(user: User) -> dt.datetime | None:
    """When ``user``'s password stops working without a change; None when expiry is off."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.has_usable_password():
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + dt.timedelta(days=days)


def password_is_expired(user: User) -> bool:
    expires = password_expires_at(user)
    return expires is not None and expires <= timezone.now()
