"""Writes to deployments and the servers and devices they run on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.customers.errors import ArchiveInUseError
from weibao.customers.models import Client, Deployment, DeploymentNode, Site
from weibao.customers.services._common import apply_changes, require_writer, snapshot, validate

DEPLOYMENT_FIELDS = frozenset({"site", "name", "product", "release", "environment", "url", "went_live_on", "notes"})
NODE_FIELDS = frozenset({"role", "hostname", "address", "os", "specification", "notes"})


class CatalogRelease(Protocol):
    """A catalog release as this app sees it; customers and catalog never import each other."""

    @property
    def pk(self) -> Any: ...

    @property
    def product_id(self) -> int: ...


@transaction.atomic
def deployment_create(
    *,
    actor: User,
    client: Client,
    name: str,
    release: CatalogRelease | None,
    product: Any | None = None,
    site: Site | None = None,
    environment: str = Deployment.Environment.PRODUCTION,
    url: str = "",
    went_live_on: dt.date | None = None,
    notes: str = "",
) -> Deployment:
    """Record that ``release`` runs for ``client``.

    ``product`` defaults to the release's product; given, it must match.
    Scope then permission; ValidationError per field (the name is unique per
    client; site must be the client's own).
    Side effects: Deployment row, ``deployment.create`` event.
    """
    require_writer(actor, client.pk)
    deployment = Deployment(client=client)
    if product is None and release is not None:
        deployment.product_id = release.product_id
    elif product is not None:
        deployment.product = product
    fields = {
        "site": site,
        "name": name,
        "release": release,
        "environment": environment,
        "url": url,
        "went_live_on": went_live_on,
        "notes": notes,
    }
    apply_changes(deployment, fields, DEPLOYMENT_FIELDS)
    validate(deployment, _deployment_duplicate(deployment))
    deployment.save()
    event_record(
        actor=actor, action="deployment.create", obj=deployment, client_id=client.pk, after=snapshot(deployment)
    )
    return deployment


@transaction.atomic
def deployment_update(*, actor: User, deployment: Deployment, changes: Mapping[str, Any]) -> Deployment:
    """Change some of a deployment's fields; an upgrade is a change of ``release``.

    A new release without a product moves the deployment to that release's product.
    Scope then permission; ValidationError per field.
    Side effects: ``deployment.update`` event.
    """
    require_writer(actor, deployment.client_id)
    locked = Deployment.objects.select_for_update().get(pk=deployment.pk)
    before = snapshot(locked)
    changes = dict(changes)
    release = changes.get("release")
    if release is not None and "product" not in changes:
        locked.product_id = release.product_id
    apply_changes(locked, changes, DEPLOYMENT_FIELDS)
    validate(locked, _deployment_duplicate(locked))
    locked.save()
    event_record(
        actor=actor,
        action="deployment.update",
        obj=locked,
        client_id=locked.client_id,
        before=before,
        after=snapshot(locked),
    )
    return locked


@transaction.atomic
def deployment_delete(*, actor: User, deployment: Deployment) -> None:
    """Delete a deployment and its servers and devices.

    Refused with ArchiveInUseError (409) while a contract covers it: the contract
    would silently lose part of its scope. Its technical files stay, unlinked.
    Side effects: a ``node.delete`` event per server and ``deployment.delete``.
    """
    require_writer(actor, deployment.client_id)
    locked = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if locked.contracts.exists():
        raise ArchiveInUseError(
            _("A contract covers this deployment, so it cannot be deleted. Remove it from the contract first.")
        )
    for node in locked.nodes.all():
        event_record(actor=actor, action="node.delete", obj=node, client_id=locked.client_id, before=snapshot(node))
    event_record(
        actor=actor, action="deployment.delete", obj=locked, client_id=locked.client_id, before=snapshot(locked)
    )
    locked.delete()


@transaction.atomic
def node_create(
    *,
    actor: User,
    deployment: Deployment,
    role: str,
    hostname: str,
    address: str | None = None,
    os: str = "",
    specification: str = "",
    notes: str = "",
) -> DeploymentNode:
    """Add a server or device to ``deployment``.

    Scope then permission; ValidationError per field (host name unique within
    the deployment, a valid IPv4/IPv6 address).
    Side effects: DeploymentNode row, ``node.create`` event.
    """
    require_writer(actor, deployment.client_id)
    node = DeploymentNode(deployment=deployment)
    fields = {
        "role": role,
        "hostname": hostname,
        "address": address or None,
        "os": os,
        "specification": specification,
        "notes": notes,
    }
    apply_changes(node, fields, NODE_FIELDS)
    validate(node, _node_duplicate(node))
    node.save()
    event_record(actor=actor, action="node.create", obj=node, client_id=deployment.client_id, after=snapshot(node))
    return node


@transaction.atomic
def node_update(*, actor: User, node: DeploymentNode, changes: Mapping[str, Any]) -> DeploymentNode:
    """Change some of a server's or device's fields. Scope then permission; ValidationError per field.

    Side effects: ``node.update`` event.
    """
    client_id = Deployment.objects.filter(pk=node.deployment_id).values_list("client_id", flat=True).first()
    require_writer(actor, client_id)
    locked = DeploymentNode.objects.select_for_update().get(pk=node.pk)
    before = snapshot(locked)
    changes = dict(changes)
    if "address" in changes:
        changes["address"] = changes["address"] or None
    apply_changes(locked, changes, NODE_FIELDS)
    validate(locked, _node_duplicate(locked))
    locked.save()
    event_record(
        actor=actor, action="node.update", obj=locked, client_id=client_id, before=before, after=snapshot(locked)
    )
    return locked


@transaction.atomic
def node_delete(*, actor: User, node: DeploymentNode) -> None:
    """Delete a server or device. Scope then permission. Side effects: ``node.delete`` event."""
    client_id = Deployment.objects.filter(pk=node.deployment_id).values_list("client_id", flat=True).first()
    require_writer(actor, client_id)
    locked = DeploymentNode.objects.select_for_update().get(pk=node.pk)
    event_record(actor=actor, action="node.delete", obj=locked, client_id=client_id, before=snapshot(locked))
    locked.delete()


def _deployment_duplicate(deployment: Deployment) -> dict[str, str]:
    duplicate = Deployment.objects.filter(client_id=deployment.client_id, name=deployment.name).exclude(
        pk=deployment.pk
    )
    if deployment.name and duplicate.exists():
        return {"name": _("This client already has a deployment with this name.")}
    return {}


def _node_duplicate(node: DeploymentNode) -> dict[str, str]:
    duplicate = DeploymentNode.objects.filter(deployment_id=node.deployment_id, hostname=node.hostname).exclude(
        pk=node.pk
    )
    if node.hostname and duplicate.exists():
        return {"hostname": _("This deployment already has a server or device with this host name.")}
    return {}
