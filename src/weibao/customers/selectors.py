"""Reads of the client archive, always narrowed by ``customers.scope``.

Fetching one object the actor may not see raises ObjectNotFoundError, exactly as
if it did not exist (404, never 403).
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import AuditEvent, User
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site, TechnicalFile
from weibao.customers.scope import scoped, visible_clients

M = TypeVar("M", bound=Model)

# Shortest tail of a number worth matching on its own: a local landline number
# without its area code (8 digits in most Chinese cities, 7 in a few).
PHONE_TAIL_DIGITS = 7


def _one[M: Model](queryset: QuerySet[M], pk: int) -> M:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ObjectNotFoundError(_("Not found."))
    return found


def client_list(
    *, actor: User, q: str = "", kind: str = "", region: str = "", is_active: bool | None = None
) -> QuerySet[Client]:
    """Clients ``actor`` may see, filtered; ``q`` matches name, short name, code or region."""
    clients = visible_clients(actor)
    if q.strip():
        term = q.strip()
        clients = clients.filter(
            Q(name__icontains=term)
            | Q(short_name__icontains=term)
            | Q(code__icontains=term)
            | Q(region__icontains=term)
        )
    if kind:
        clients = clients.filter(kind=kind)
    if region.strip():
        clients = clients.filter(region__icontains=region.strip())
    if is_active is not None:
        clients = clients.filter(is_active=is_active)
    return clients.annotate(deployment_count=Count("deployments")).order_by("name")


def client_get(*, actor: User, client_id: int) -> Client:
    """One client ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    return _one(visible_clients(actor), client_id)


def client_regions(*, actor: User) -> list[str]:
    """The distinct non-empty regions of the visible clients, for the region filter."""
    regions = visible_clients(actor).exclude(region="").values_list("region", flat=True).distinct()
    return sorted(regions)


def client_history(*, actor: User, client: Client, limit: int = 50) -> QuerySet[AuditEvent]:
    """Recent events about ``client``'s archive.

    Vendor staff see every event recorded for the client; client-side users see
    only changes to the client record itself, since other events may quote
    internal notes. Precondition: ``client`` came from a scoped selector.
    """
    if actor.is_client_side:
        return AuditEvent.objects.for_object(client)[:limit]
    return AuditEvent.objects.filter(client_id=client.pk)[:limit]


def site_list(*, actor: User, client_id: int | None = None, q: str = "") -> QuerySet[Site]:
    """Sites ``actor`` may see, of one client if given."""
    sites = scoped(Site.objects.select_related("client"), actor)
    if client_id is not None:
        sites = sites.filter(client_id=client_id)
    if q.strip():
        sites = sites.filter(Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()))
    return sites


def site_get(*, actor: User, site_id: int) -> Site:
    """One site ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    return _one(scoped(Site.objects.select_related("client"), actor), site_id)


def phone_candidates(phone: str) -> tuple[set[str], str]:
    """The stored forms a dialled number may have, and its digits for tail matching."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
    forms = {phone.strip(), digits} - {""}
    return forms, digits


def contact_list(
    *,
    actor: User,
    client_id: int | None = None,
    q: str = "",
    phone: str = "",
    email: str = "",
    name: str = "",
) -> QuerySet[Contact]:
    """Contacts ``actor`` may see.

    ``phone`` matches mobile or office phone, ignoring spaces, dashes and a +86
    prefix, and also when the dialled number is the tail of a stored one (a
    landline without its area code). ``email`` matches exactly, ignoring case;
    ``name`` and ``q`` match parts of the name (``q`` also phone, e-mail, position).
    """
    contacts = scoped(Contact.objects.select_related("client", "site"), actor)
    if client_id is not None:
        contacts = contacts.filter(client_id=client_id)
    if phone.strip():
        forms, digits = phone_candidates(phone)
        match = Q(mobile__in=forms) | Q(office_phone__in=forms)
        if len(digits) >= PHONE_TAIL_DIGITS:
            match |= Q(mobile__endswith=digits) | Q(office_phone__endswith=digits)
        contacts = contacts.filter(match)
    if email.strip():
        contacts = contacts.filter(email__iexact=email.strip())
    if name.strip():
        contacts = contacts.filter(name__icontains=name.strip())
    if q.strip():
        term = q.strip()
        contacts = contacts.filter(
            Q(name__icontains=term)
            | Q(title__icontains=term)
            | Q(mobile__icontains=term)
            | Q(office_phone__icontains=term)
            | Q(email__icontains=term)
        )
    return contacts


def contact_get(*, actor: User, contact_id: int) -> Contact:
    """One contact ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    return _one(scoped(Contact.objects.select_related("client", "site"), actor), contact_id)


def deployment_list(
    *,
    actor: User,
    client_id: int | None = None,
    product_id: int | None = None,
    release_id: int | None = None,
    environment: str = "",
    q: str = "",
) -> QuerySet[Deployment]:
    """Deployments ``actor`` may see, with client, site, product and release loaded.

    ``q`` matches the deployment's name or URL, the client's name or the version.
    """
    deployments = scoped(Deployment.objects.select_related("client", "site", "product", "release"), actor)
    if client_id is not None:
        deployments = deployments.filter(client_id=client_id)
    if product_id is not None:
        deployments = deployments.filter(product_id=product_id)
    if release_id is not None:
        deployments = deployments.filter(release_id=release_id)
    if environment:
        deployments = deployments.filter(environment=environment)
    if q.strip():
        term = q.strip()
        deployments = deployments.filter(
            Q(name__icontains=term)
            | Q(url__icontains=term)
            | Q(client__name__icontains=term)
            | Q(client__short_name__icontains=term)
            | Q(release__version__icontains=term)
        )
    return deployments


def deployment_get(*, actor: User, deployment_id: int) -> Deployment:
    """One deployment ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    queryset = Deployment.objects.select_related("client", "site", "product", "release")
    return _one(scoped(queryset, actor), deployment_id)


def node_list(
    *, actor: User, deployment_id: int | None = None, client_id: int | None = None, q: str = ""
) -> QuerySet[DeploymentNode]:
    """Servers and devices ``actor`` may see, of one deployment or client if given."""
    nodes = scoped(DeploymentNode.objects.select_related("deployment"), actor, client_field="deployment__client")
    if deployment_id is not None:
        nodes = nodes.filter(deployment_id=deployment_id)
    if client_id is not None:
        nodes = nodes.filter(deployment__client_id=client_id)
    if q.strip():
        term = q.strip()
        nodes = nodes.filter(Q(hostname__icontains=term) | Q(address__icontains=term) | Q(os__icontains=term))
    return nodes


def node_get(*, actor: User, node_id: int) -> DeploymentNode:
    """One server or device ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    queryset = DeploymentNode.objects.select_related("deployment", "deployment__client")
    return _one(scoped(queryset, actor, client_field="deployment__client"), node_id)


def technical_file_list(
    *,
    actor: User,
    client_id: int | None = None,
    deployment_id: int | None = None,
    kind: str = "",
    q: str = "",
) -> QuerySet[TechnicalFile]:
    """Technical files ``actor`` may see, newest first."""
    files = scoped(TechnicalFile.objects.select_related("client", "deployment", "uploaded_by"), actor)
    if client_id is not None:
        files = files.filter(client_id=client_id)
    if deployment_id is not None:
        files = files.filter(deployment_id=deployment_id)
    if kind:
        files = files.filter(kind=kind)
    if q.strip():
        files = files.filter(Q(title__icontains=q.strip()) | Q(original_name__icontains=q.strip()))
    return files


def technical_file_get(*, actor: User, technical_file_id: int) -> TechnicalFile:
    """One technical file ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    return _one(scoped(TechnicalFile.objects.select_related("client", "deployment"), actor), technical_file_id)
