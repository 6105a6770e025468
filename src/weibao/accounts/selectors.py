"""Reads of the audit trail and of a user's own tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import AccessToken, AuditEvent, LoginThrottle, TotpDevice, User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError

# Framework tables whose rows never get events of their own.
_UNAUDITED_APPS = ("admin", "auth", "contenttypes", "sessions", "django_tasks_db")


def _aware(moment: dt.datetime) -> dt.datetime:
    # A time without an offset is read in the configured local time zone.
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def audit_event_list(
    *,
    actor: User,
    action: str = "",
    actor_label: str = "",
    object_type: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    q: str = "",
) -> QuerySet[AuditEvent]:
    """The whole audit trail, newest first, narrowed by the filters given.

    ``action`` matches a prefix (``user.`` gives every account event); ``actor_label``
    is a user name (also names tried in failed sign-ins); ``object_type`` is
    ``app_label.model``; ``since`` is inclusive, ``until`` exclusive; ``q`` searches
    the object's name.
    Raises PermissionDeniedError unless ``actor.can_read_audit``.
    """
    if not actor.can_read_audit:
        raise PermissionDeniedError(_("Only auditors and administrators may read the audit trail."))
    events = AuditEvent.objects.select_related("object_type").order_by("-at", "-id")
    if action.strip():
        events = events.filter(action__startswith=action.strip())
    if actor_label.strip():
        events = events.filter(actor_label__iexact=actor_label.strip())
    if object_type.strip():
        app_label, _sep, model = object_type.strip().lower().partition(".")
        events = events.filter(object_type__app_label=app_label, object_type__model=model)
    if since is not None:
        events = events.filter(at__gte=_aware(since))
    if until is not None:
        events = events.filter(at__lt=_aware(until))
    if q.strip():
        events = events.filter(object_repr__icontains=q.strip())
    return events


def audit_object_types() -> list[ContentType]:
    """The kinds of object the audit trail can be filtered by, in a stable order."""
    return list(ContentType.objects.exclude(app_label__in=_UNAUDITED_APPS).order_by("app_label", "model"))


def events_for(obj: models.Model, limit: int = 50) -> list[AuditEvent]:
    """The latest events about one object, newest first, for its history panel.

    Preconditions: the caller fetched ``obj`` through a scoped selector, so the actor
    may see it and therefore its history.
    """
    return list(AuditEvent.objects.for_object(obj).order_by("-at", "-id")[:limit])


def token_list(*, actor: User) -> QuerySet[AccessToken]:
    """The actor's own access tokens, newest first (revoked and expired ones included)."""
    return AccessToken.objects.filter(user=actor).order_by("-created_at", "-id")


def token_get(*, actor: User, token_id: int) -> AccessToken:
    """One token the actor may manage: their own, or anyone's for an administrator.

    Raises ObjectNotFoundError otherwise (another user's token looks like no token).
    """
    tokens = AccessToken.objects.select_related("user")
    if not actor.is_administrator:
        tokens = tokens.filter(user=actor)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise ObjectNotFoundError(_("No such token."))
    return token


# The events a user's login history shows.
LOGIN_HISTORY_ACTIONS = ("user.login", "user.login_failed", "user.lockout", "user.unlock", "user.session_expired")


def login_history(*, actor: User) -> QuerySet[AuditEvent]:
    """The actor's own sign-ins, failed attempts at their name, lockouts and timeouts, newest first.

    Anyone signed in may read their own; failures are found through the event's object
    (the user the attempted name matched), so attempts at unknown names never show.
    """
    user_type = ContentType.objects.get_for_model(User)
    mine = Q(object_type=user_type, object_id=str(actor.pk))
    return AuditEvent.objects.filter(mine, action__in=LOGIN_HISTORY_ACTIONS).order_by("-at", "-id")


def _require_security_officer(actor: User) -> None:
    if not actor.can_manage_security:
        raise PermissionDeniedError(_("Only security officers and administrators may manage account security."))


def security_user_list(*, actor: User, q: str = "", locked_only: bool = False) -> QuerySet[User]:
    """Users with their two-factor state (``has_totp``) and lock (``locked_until``), by user name.

    Raises PermissionDeniedError unless ``actor.can_manage_security``.
    """
    _require_security_officer(actor)
    locks = LoginThrottle.objects.filter(
        kind=LoginThrottle.Kind.USERNAME, key=Lower(OuterRef("username")), locked_until__gt=timezone.now()
    )
    users = User.objects.annotate(
        has_totp=Exists(TotpDevice.objects.filter(user=OuterRef("pk"))),
        locked_until=Subquery(locks.values("locked_until")[:1]),
    ).order_by("username")
    if q.strip():
        term = q.strip()
        users = users.filter(Q(username__icontains=term) | Q(display_name__icontains=term))
    if locked_only:
        users = users.filter(locked_until__isnull=False)
    return users


def security_user_get(*, actor: User, user_id: int) -> User:
    """One user for the security pages. Raises PermissionDeniedError, ObjectNotFoundError."""
    _require_security_officer(actor)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ObjectNotFoundError(_("No such user."))
    return user


def lock_list(*, actor: User) -> QuerySet[LoginThrottle]:
    """Locks in force now (user names and addresses), the longest-running last.

    Raises PermissionDeniedError unless ``actor.can_manage_security``.
    """
    _require_security_officer(actor)
    return LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("locked_until", "kind", "key")
