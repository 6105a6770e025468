"""Client-isolation coverage for the catalog (see tests/isolation_registry.py).

Products and releases are vendor-wide, not client objects: every signed-in user,
client users included, may read them, so client A is expected to *see* the
product and release that client B's deployment runs. They are listed under
SHARED_ROUTES / SHARED_API, which the walker checks for coverage but does not
expect to answer 404. ROUTES and API are empty on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Params = Callable[[Any], dict[str, int]]

ROUTES: dict[str, Params] = {}
API: dict[str, Params] = {}

SHARED_ROUTES: dict[str, Params] = {
    "catalog:product_detail": lambda archive: {"pk": archive.deployment.product_id},
    "catalog:product_update": lambda archive: {"pk": archive.deployment.product_id},
    "catalog:product_delete": lambda archive: {"pk": archive.deployment.product_id},
    "catalog:release_create": lambda archive: {"product_pk": archive.deployment.product_id},
    "catalog:release_update": lambda archive: {"pk": archive.deployment.release_id},
    "catalog:release_delete": lambda archive: {"pk": archive.deployment.release_id},
}

SHARED_API: dict[str, Params] = {
    "product_get": lambda archive: {"product_id": archive.deployment.product_id},
    "product_update": lambda archive: {"product_id": archive.deployment.product_id},
    "product_delete": lambda archive: {"product_id": archive.deployment.product_id},
    "release_list": lambda archive: {"product_id": archive.deployment.product_id},
    "release_create": lambda archive: {"product_id": archive.deployment.product_id},
    "release_get": lambda archive: {"release_id": archive.deployment.release_id},
    "release_update": lambda archive: {"release_id": archive.deployment.release_id},
    "release_delete": lambda archive: {"release_id": archive.deployment.release_id},
}
