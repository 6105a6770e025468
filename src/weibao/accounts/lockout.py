"""Lockout after repeated failed sign-ins, per user name and per client address.

After ``settings.LOCKOUT_FAILURES`` failures within ``settings.LOCKOUT_MINUTES``,
the user name (from any address) or the address (for any user name) is refused for
``settings.LOCKOUT_MINUTES``, right password or not. Counting uses conditional
UPDATEs on one row per key, so several web servers sharing the database agree and
exactly one of them records each lockout. API tokens do not go through here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import LoginThrottle, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError

USERNAME_LIMIT = 150


def username_key(username: str) -> str:
    # Lower-cased (as SQL LOWER does, for the security list) so that "Staff" and "staff" share one counter.
    return username.strip().lower()[:USERNAME_LIMIT]


@dataclass(frozen=True)
class Attempt:
    """The user name and client address of one sign-in attempt."""

    username: str
    address: str | None

    def throttle_keys(self) -> list[tuple[str, str]]:
        keys = [(LoginThrottle.Kind.USERNAME.value, username_key(self.username))]
        if self.address:
            keys.append((LoginThrottle.Kind.ADDRESS.value, self.address))
        return keys


def _matching(keys: list[tuple[str, str]]) -> Q:
    found = Q(pk__in=[])
    for kind, key in keys:
        found |= Q(kind=kind, key=key)
    return found


def locked_message() -> str:
    return _(
        "This account is temporarily locked after too many failed sign-ins. "
        "Try again later or ask a security officer to unlock it."
    )


def login_is_locked(*, attempt: Attempt) -> bool:
    """Whether the user name or the address of ``attempt`` is locked now (one query)."""
    return LoginThrottle.objects.filter(_matching(attempt.throttle_keys()), locked_until__gt=timezone.now()).exists()


def _user_named(username: str) -> User | None:
    return User.objects.filter(username__iexact=username.strip()).order_by("pk").first()


@transaction.atomic
def login_failure_register(*, attempt: Attempt) -> list[LoginThrottle]:
    """Count one failed sign-in against its user name and address; lock those over the limit.

    Preconditions: the failure itself is already in the audit trail.
    Side effects: creates or updates LoginThrottle rows; for each key this call locks,
    writes one ``user.lockout`` event (only the server whose UPDATE set the lock does).
    Returns the throttles this call locked.
    """
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    limit = max(settings.LOCKOUT_FAILURES, 1)
    newly_locked: list[LoginThrottle] = []
    for kind, key in attempt.throttle_keys():
        LoginThrottle.objects.bulk_create(
            [LoginThrottle(kind=kind, key=key, failures=0, window_started_at=now)], ignore_conflicts=True
        )
        rows = LoginThrottle.objects.filter(kind=kind, key=key)
        # A window that ran out starts afresh, unless a lock is still running.
        rows.filter(window_started_at__lte=now - window).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now)
        ).update(failures=0, window_started_at=now)
        rows.update(failures=F("failures") + 1)
        locked = (
            rows.filter(failures__gte=limit)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .update(locked_until=now + window, failures=0, window_started_at=now)
        )
        if locked:
            throttle = rows.get()
            newly_locked.append(throttle)
            user = _user_named(attempt.username) if kind == LoginThrottle.Kind.USERNAME else None
            event_record(
                actor=None,
                actor_label=attempt.username[:USERNAME_LIMIT] or "?",
                action="user.lockout",
                obj=user,
                after={
                    "kind": kind,
                    "key": key,
                    "failures": limit,
                    "locked_until": throttle.locked_until.isoformat() if throttle.locked_until else None,
                },
            )
    return newly_locked


@transaction.atomic
def login_failure_record(*, attempt: Attempt, reason: str) -> None:
    """Audit one failed sign-in and, unless a lock refused it, count it toward lockout.

    ``reason`` is ``password`` (wrong name or password), ``locked`` (refused while
    locked) or ``code`` (wrong second-factor code). The attempted name may match no
    user, so it is kept as a label, never as the actor; when it names a user, that
    user is the event's object, so that their login history shows it.
    Side effects: a ``user.login_failed`` event; see ``login_failure_register``.
    """
    attempted = attempt.username.strip()[:USERNAME_LIMIT]
    target = User.objects.filter(username=attempted).first() if attempted else None
    event_record(
        actor=None,
        actor_label=attempted or "?",
        action="user.login_failed",
        obj=target,
        after={"username": attempted, "reason": reason},
    )
    if reason != "locked":
        login_failure_register(attempt=attempt)


@transaction.atomic
def lockout_release(*, actor: User, throttle_id: int) -> LoginThrottle:
    """Lift one lock (a user name's or an address's) before it runs out.

    Preconditions: ``actor.can_manage_security``.
    Side effects: clears the lock and the failure count; writes a ``user.unlock`` event.
    Raises ObjectNotFoundError for an unknown id, PermissionDeniedError for anyone else.
    """
    throttle = LoginThrottle.objects.select_for_update().filter(pk=throttle_id).first()
    if throttle is None:
        raise ObjectNotFoundError(_("No such lock."))
    if not actor.can_manage_security:
        raise PermissionDeniedError(_("Only security officers and administrators may unlock accounts."))
    before = {"failures": throttle.failures, "locked_until": _iso(throttle.locked_until)}
    LoginThrottle.objects.filter(pk=throttle.pk).update(failures=0, locked_until=None, window_started_at=timezone.now())
    throttle.refresh_from_db()
    user = _user_named(throttle.key) if throttle.kind == LoginThrottle.Kind.USERNAME else None
    event_record(
        actor=actor,
        action="user.unlock",
        obj=user,
        before=before,
        after={"kind": throttle.kind, "key": throttle.key, "failures": 0, "locked_until": None},
        only_changes=False,
    )
    return throttle


def user_unlock(*, actor: User, user: User) -> int:
    """Lift the lock on ``user``'s name, if any; returns how many locks were lifted.

    Preconditions and events as for ``lockout_release``.
    """
    if not actor.can_manage_security:
        raise PermissionDeniedError(_("Only security officers and administrators may unlock accounts."))
    lifted = 0
    for throttle in LoginThrottle.objects.filter(
        kind=LoginThrottle.Kind.USERNAME, key=username_key(user.username), locked_until__gt=timezone.now()
    ):
        lockout_release(actor=actor, throttle_id=throttle.pk)
        lifted += 1
    return lifted


def user_locked_until(user: User) -> dt.datetime | None:
    """When the lock on ``user``'s name runs out, or None if it is not locked."""
    throttle = LoginThrottle.objects.filter(
        kind=LoginThrottle.Kind.USERNAME, key=username_key(user.username), locked_until__gt=timezone.now()
    ).first()
    return throttle.locked_until if throttle else None


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
