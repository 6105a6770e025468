"""Every write to products and releases.

Products and releases are vendor-wide: they belong to no client, so their events
carry no ``client_id``. Only users who may change the archive may write them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.catalog.errors import ProductInUseError
from weibao.catalog.models import Product, Release
from weibao.core.errors import PermissionDeniedError
from weibao.core.snapshot import model_snapshot

PRODUCT_FIELDS = frozenset({"name", "code", "description", "is_active"})
RELEASE_FIELDS = frozenset({"version", "released_on", "notes"})


def _snapshot(instance: Product | Release) -> dict[str, Any]:
    # updated_at changes on every save and says nothing about the change.
    picture = model_snapshot(instance)
    picture.pop("updated_at", None)
    return picture


def _require_writer(actor: User) -> None:
    if not actor.can_write_archive:
        raise PermissionDeniedError(_("You may not change products and releases."))


def _apply(instance: Product | Release, changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        # A caller bug, not bad input: forms and schemas only offer allowed fields.
        raise TypeError(f"cannot change {sorted(unknown)} of {type(instance).__name__}")
    _refuse_nulls(instance, changes)
    for name, value in changes.items():
        setattr(
            instance, name, value.strip() if isinstance(value, str) and name not in {"description", "notes"} else value
        )


def _refuse_nulls(instance: Model, changes: Mapping[str, Any]) -> None:
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


@transaction.atomic
def product_create(*, actor: User, name: str, code: str, description: str = "", is_active: bool = True) -> Product:
    """Add a product.

    Needs ``actor.can_write_archive`` (else PermissionDeniedError).
    Raises ValidationError naming the field (blank or duplicate name/code).
    Side effects: Product row, ``product.create`` event.
    """
    _require_writer(actor)
    product = Product()
    _apply(product, {"name": name, "code": code, "description": description, "is_active": is_active}, PRODUCT_FIELDS)
    product.full_clean()
    product.save()
    event_record(actor=actor, action="product.create", obj=product, after=_snapshot(product))
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, changes: Mapping[str, Any]) -> Product:
    """Change some of a product's fields (``name``, ``code``, ``description``, ``is_active``).

    Needs ``actor.can_write_archive``. Locks the row. Raises ValidationError per field.
    Side effects: ``product.update`` event with the changed fields before and after.
    """
    _require_writer(actor)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    before = _snapshot(locked)
    _apply(locked, changes, PRODUCT_FIELDS)
    locked.full_clean()
    locked.save()
    event_record(actor=actor, action="product.update", obj=locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product and its releases, unless a deployment uses it.

    Needs ``actor.can_write_archive``. Raises ProductInUseError (409) when deployed.
    Side effects: deletes rows; ``release.delete`` and ``product.delete`` events.
    """
    _require_writer(actor)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    in_use = locked.deployments.count()
    if in_use:
        raise ProductInUseError(
            ngettext(
                "%(count)d deployment runs this product, so it cannot be deleted. Mark it out of service instead.",
                "%(count)d deployments run this product, so it cannot be deleted. Mark it out of service instead.",
                in_use,
            )
            % {"count": in_use}
        )
    for release in locked.releases.all():
        event_record(actor=actor, action="release.delete", obj=release, before=_snapshot(release))
        release.delete()
    event_record(actor=actor, action="product.delete", obj=locked, before=_snapshot(locked))
    locked.delete()


@transaction.atomic
def release_create(
    *, actor: User, product: Product, version: str, released_on: dt.date | None, notes: str = ""
) -> Release:
    """Add a release of ``product``.

    Needs ``actor.can_write_archive``. Raises ValidationError per field (the version
    is unique within the product).
    Side effects: Release row, ``release.create`` event.
    """
    _require_writer(actor)
    release = Release(product=product)
    _apply(release, {"version": version, "released_on": released_on, "notes": notes}, RELEASE_FIELDS)
    _full_clean_release(release)
    release.save()
    event_record(actor=actor, action="release.create", obj=release, after=_snapshot(release))
    return release


@transaction.atomic
def release_update(*, actor: User, release: Release, changes: Mapping[str, Any]) -> Release:
    """Change some of a release's fields (``version``, ``released_on``, ``notes``).

    Needs ``actor.can_write_archive``. Locks the row. Raises ValidationError per field.
    Side effects: ``release.update`` event.
    """
    _require_writer(actor)
    locked = Release.objects.select_for_update().select_related("product").get(pk=release.pk)
    before = _snapshot(locked)
    _apply(locked, changes, RELEASE_FIELDS)
    _full_clean_release(locked)
    locked.save()
    event_record(actor=actor, action="release.update", obj=locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def release_delete(*, actor: User, release: Release) -> None:
    """Delete a release no deployment uses.

    Needs ``actor.can_write_archive``. Raises ProductInUseError (409) when deployed.
    Side effects: deletes the row; ``release.delete`` event.
    """
    _require_writer(actor)
    locked = Release.objects.select_for_update().select_related("product").get(pk=release.pk)
    in_use = locked.deployments.count()
    if in_use:
        raise ProductInUseError(
            ngettext(
                "%(count)d deployment runs this version, so it cannot be deleted.",
                "%(count)d deployments run this version, so it cannot be deleted.",
                in_use,
            )
            % {"count": in_use}
        )
    event_record(actor=actor, action="release.delete", obj=locked, before=_snapshot(locked))
    locked.delete()


def _full_clean_release(release: Release) -> None:
    # The (product, version) constraint would otherwise be reported without a
    # field; the version is the field the user has to change.
    errors: dict[str, list[str]] = {}
    duplicate = Release.objects.filter(product_id=release.product_id, version=release.version).exclude(pk=release.pk)
    if release.version and duplicate.exists():
        errors["version"] = [_("This product already has a release with this version.")]
    try:
        release.full_clean(validate_constraints=not errors)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
