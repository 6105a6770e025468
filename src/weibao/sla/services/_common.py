"""What the service-level writes share: the in-use error, snapshots, and the locked-update step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Model

from weibao.core.errors import WeibaoError
from weibao.core.snapshot import model_snapshot


class ObjectInUseError(WeibaoError):
    """A calendar or policy still used by targets or contracts cannot be deleted."""

    status_code = 409


def snap(obj: Model) -> dict[str, Any]:
    return model_snapshot(
        obj, [f.name for f in obj._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
    )


def full_clean(obj: Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def unknown_refuse(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable fields: {sorted(unknown)}")


def locked_changed[M: Model](
    model: type[M],
    pk: int,
    changes: Mapping[str, Any],
    allowed: frozenset[str],
    snapshot: Callable[[M], dict[str, Any]] = snap,
) -> tuple[M, dict[str, Any]]:
    """Lock row ``pk``, keep its snapshot, then apply ``changes`` (only ``allowed`` fields) in memory.

    The caller validates, saves and records the event with the snapshot as ``before``.
    """
    unknown_refuse(changes, allowed)
    locked = model._default_manager.select_for_update().get(pk=pk)
    before = snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    return locked, before
