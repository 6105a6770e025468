"""Collects each app's client-isolation coverage from ``weibao.<app>.tests.isolation``.

An app's ``isolation`` module may define:

- ``ROUTES``: URL name -> kwargs pointing at client B's object (client-scoped pages);
- ``API``: operation id -> path params pointing at client B's object;
- ``SHARED_ROUTES`` / ``SHARED_API``: the same for vendor-wide objects (products,
  releases) that every signed-in user may read; they are checked for coverage but
  not expected to 404;
- ``FACTORIES``: URL name or operation id -> a function that creates client B's
  object and returns the params (for objects the shared archive lacks).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

Params = Callable[[Any], dict[str, Any]]


@dataclass
class Coverage:
    routes: dict[str, Params] = field(default_factory=dict)
    api: dict[str, Params] = field(default_factory=dict)
    shared_routes: dict[str, Params] = field(default_factory=dict)
    shared_api: dict[str, Params] = field(default_factory=dict)


def collect() -> Coverage:
    coverage = Coverage()
    for config in apps.get_app_configs():
        if not config.name.startswith("weibao."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.isolation")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(config.name):
                continue
            raise
        factories: dict[str, Params] = getattr(module, "FACTORIES", {})
        coverage.routes.update(getattr(module, "ROUTES", {}))
        coverage.api.update(getattr(module, "API", {}))
        coverage.shared_routes.update(getattr(module, "SHARED_ROUTES", {}))
        coverage.shared_api.update(getattr(module, "SHARED_API", {}))
        for name, factory in factories.items():
            if name in coverage.shared_routes or name in coverage.shared_api:
                continue
            if ":" in name:
                coverage.routes[name] = factory
            else:
                coverage.api[name] = factory
    return coverage
