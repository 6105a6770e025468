"""JSON-safe pictures of model rows, for before/after in event rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


def json_value(value: object) -> JsonValue:
    """``value`` as JSON can hold it: dates in ISO form, rows as their key, files by name."""
    result: JsonValue
    if value is None or isinstance(value, str | int | float | bool):
        result = value
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        result = value.isoformat()
    elif isinstance(value, models.Model):
        result = value.pk
    elif isinstance(value, list | tuple | set):
        result = [json_value(item) for item in value]
    elif hasattr(value, "name"):  # FieldFile; Decimal and UUID fall through to str()
        result = str(value.name or "")
    else:
        result = str(value)
    return result


def model_snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Concrete field values of ``instance`` (foreign keys as ids), JSON-safe."""
    wanted = set(fields) if fields is not None else None
    picture: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name in {"password"}:
            continue
        picture[field.name] = json_value(getattr(instance, field.attname))
    return picture


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose value changed, on both sides."""
    keys = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
