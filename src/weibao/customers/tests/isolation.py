"""Client-isolation coverage for the client archive (see tests/isolation_registry.py).

Each entry points at client B's object of the shared ``ClientArchive``; client A
must get 404 for every one of them, on pages and in the API alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Params = Callable[[Any], dict[str, int]]

ROUTES: dict[str, Params] = {
    "customers:client_detail": lambda archive: {"pk": archive.client.pk},
    "customers:client_update": lambda archive: {"pk": archive.client.pk},
    "customers:client_delete": lambda archive: {"pk": archive.client.pk},
    "customers:site_create": lambda archive: {"client_pk": archive.client.pk},
    "customers:site_update": lambda archive: {"pk": archive.site.pk},
    "customers:site_delete": lambda archive: {"pk": archive.site.pk},
    "customers:contact_create": lambda archive: {"client_pk": archive.client.pk},
    "customers:contact_update": lambda archive: {"pk": archive.contact.pk},
    "customers:contact_delete": lambda archive: {"pk": archive.contact.pk},
    "customers:deployment_create": lambda archive: {"client_pk": archive.client.pk},
    "customers:deployment_detail": lambda archive: {"pk": archive.deployment.pk},
    "customers:deployment_update": lambda archive: {"pk": archive.deployment.pk},
    "customers:deployment_delete": lambda archive: {"pk": archive.deployment.pk},
    "customers:node_create": lambda archive: {"deployment_pk": archive.deployment.pk},
    "customers:node_update": lambda archive: {"pk": archive.node.pk},
    "customers:node_delete": lambda archive: {"pk": archive.node.pk},
    "customers:technical_file_create": lambda archive: {"client_pk": archive.client.pk},
    "customers:technical_file_update": lambda archive: {"pk": archive.technical_file.pk},
    "customers:technical_file_delete": lambda archive: {"pk": archive.technical_file.pk},
    "customers:technical_file_download": lambda archive: {"pk": archive.technical_file.pk},
}

API: dict[str, Params] = {
    "client_get": lambda archive: {"client_id": archive.client.pk},
    "client_update": lambda archive: {"client_id": archive.client.pk},
    "client_delete": lambda archive: {"client_id": archive.client.pk},
    "site_create": lambda archive: {"client_id": archive.client.pk},
    "site_get": lambda archive: {"site_id": archive.site.pk},
    "site_update": lambda archive: {"site_id": archive.site.pk},
    "site_delete": lambda archive: {"site_id": archive.site.pk},
    "contact_create": lambda archive: {"client_id": archive.client.pk},
    "contact_get": lambda archive: {"contact_id": archive.contact.pk},
    "contact_update": lambda archive: {"contact_id": archive.contact.pk},
    "contact_delete": lambda archive: {"contact_id": archive.contact.pk},
    "deployment_create": lambda archive: {"client_id": archive.client.pk},
    "deployment_get": lambda archive: {"deployment_id": archive.deployment.pk},
    "deployment_update": lambda archive: {"deployment_id": archive.deployment.pk},
    "deployment_delete": lambda archive: {"deployment_id": archive.deployment.pk},
    "node_create": lambda archive: {"deployment_id": archive.deployment.pk},
    "node_get": lambda archive: {"node_id": archive.node.pk},
    "node_update": lambda archive: {"node_id": archive.node.pk},
    "node_delete": lambda archive: {"node_id": archive.node.pk},
    "technical_file_create": lambda archive: {"client_id": archive.client.pk},
    "technical_file_get": lambda archive: {"technical_file_id": archive.technical_file.pk},
    "technical_file_update": lambda archive: {"technical_file_id": archive.technical_file.pk},
    "technical_file_delete": lambda archive: {"technical_file_id": archive.technical_file.pk},
    "technical_file_download": lambda archive: {"technical_file_id": archive.technical_file.pk},
}
