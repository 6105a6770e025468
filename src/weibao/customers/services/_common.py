"""What every archive write shares: the scope-then-permission check and validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import client_id_of

# Free-text fields keep their spacing; every other string is stripped.
UNSTRIPPED = frozenset({"notes", "address"})


def require_writer(actor: User, client_id: int | None) -> None:
    """Refuse ``actor`` a write to client ``client_id``'s archive.

    A client user asking about another client's object learns nothing (404);
    only then is the write permission checked (403).
    """
    if not actor.is_active:
        raise ObjectNotFoundError(_("Not found."))
    if actor.is_client_side and (client_id is None or client_id_of(actor) != client_id):
        raise ObjectNotFoundError(_("Not found."))
    if not actor.can_write_archive:
        raise PermissionDeniedError(_("You may not change the client archive."))


def apply_changes(instance: Model, changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        # A caller bug, not bad input: forms and schemas only offer allowed fields.
        raise TypeError(f"cannot change {sorted(unknown)} of {type(instance).__name__}")
    refuse_nulls(instance, changes)
    for name, value in changes.items():
        setattr(instance, name, value.strip() if isinstance(value, str) and name not in UNSTRIPPED else value)


def refuse_nulls(instance: Model, changes: Mapping[str, Any]) -> None:
    """Refuse ``None`` for fields the database cannot hold null in, naming each field.

    ``full_clean`` skips a ``blank=True`` field whose value is empty, None included,
    so without this a null sent to an optional text field reached the database as
    an IntegrityError (a 500 the API fuzzer found).
    """
    errors = {
        name: [field.error_messages["null"]]
        for name, value in changes.items()
        if value is None and isinstance(field := instance._meta.get_field(name), Field) and not field.null
    }
    if errors:
        raise ValidationError(errors)


def validate(instance: Model, extra: Mapping[str, str] | None = None) -> None:
    """``full_clean`` plus the service's own field errors, raised together as one ValidationError.

    Unique-together constraints are checked by the caller (``extra``) so that the
    message names the field to change instead of standing alone.
    """
    errors: dict[str, list[str]] = {field: [message] for field, message in (extra or {}).items()}
    try:
        instance.full_clean(validate_constraints=not errors)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)


def snapshot(instance: Model) -> dict[str, Any]:
    """``model_snapshot`` without ``updated_at``, which changes on every save and says nothing."""
    picture = model_snapshot(instance)
    picture.pop("updated_at", None)
    return picture
