"""Writes on a user's own account: profile and password."""

from __future__ import annotations

from django.db import transaction

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.snapshot import model_snapshot

PROFILE_FIELDS = ("display_name", "email", "phone", "language")


@transaction.atomic
def user_update_profile(
    *,
    actor: User,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
) -> User:
    """Change the actor's own profile; a field given as None stays as it is.

    Preconditions: ``actor`` is signed in (any role may edit their own profile).
    Side effects: saves the user row and writes a ``user.update`` event; on success the
    new values are copied onto ``actor`` so the rest of the request sees them.
    Raises ValidationError naming the fields at fault; nothing is saved then.
    """
    # Work on a fresh row so that rejected input never lingers on request.user.
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = model_snapshot(user, PROFILE_FIELDS)
    changes = {"display_name": display_name, "email": email, "phone": phone, "language": language}
    for field, value in changes.items():
        if value is not None:
            setattr(user, field, value.strip())
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(PROFILE_FIELDS))
    event_record(actor=actor, action="user.update", obj=user, before=before, after=model_snapshot(user, PROFILE_FIELDS))
    for field in PROFILE_FIELDS:
        setattr(actor, field, getattr(user, field))
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, action: str = "user.password_change") -> User:
    """Store a new password for ``user``, already checked by the password validators.

    Preconditions: the caller verified the right to do so (the old password, or a
    valid reset link, for which ``action`` is ``user.password_reset``).
    Side effects: saves the password hash, writes an event without any password in it.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    event_record(actor=actor, action=action, obj=user)
    return user
