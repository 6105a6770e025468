"""Reads of products and releases.

Products and releases are vendor-wide, not client objects: every signed-in user
may read them. Deployment counts are counted over every client, so they are left
out for client-side users, who must not learn about other clients' systems.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError


def _require_signed_in(actor: User) -> None:
    if not actor.is_active:
        raise ObjectNotFoundError(_("Not found."))


def product_list(*, actor: User, q: str = "", is_active: bool | None = None) -> QuerySet[Product]:
    """Products matching ``q`` (name or code) and ``is_active``, with release counts.

    Staff also get ``deployment_count``; inactive actors get nothing.
    """
    if not actor.is_active:
        return Product.objects.none()
    products = Product.objects.search(q.strip()).annotate(release_count=Count("releases", distinct=True))
    if not actor.is_client_side:
        products = products.annotate(deployment_count=Count("deployments", distinct=True))
    if is_active is not None:
        products = products.filter(is_active=is_active)
    return products.order_by("name")


def product_get(*, actor: User, product_id: int) -> Product:
    """One product. Raises ObjectNotFoundError if it does not exist."""
    _require_signed_in(actor)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ObjectNotFoundError(_("Not found."))
    return product


def product_deployment_count(*, actor: User, product: Product) -> int | None:
    """How many deployments run ``product``; None for client-side users (see module note)."""
    if actor.is_client_side:
        return None
    return product.deployments.count()


def release_list(*, actor: User, product: Product | None = None, q: str = "") -> QuerySet[Release]:
    """Releases, newest first within each product; of one ``product`` if given."""
    if not actor.is_active:
        return Release.objects.none()
    releases = Release.objects.select_related("product")
    if not actor.is_client_side:
        releases = releases.annotate(deployment_count=Count("deployments"))
    if product is not None:
        releases = releases.filter(product=product)
    if q.strip():
        releases = releases.filter(version__icontains=q.strip())
    return releases.order_by("product__name", "-released_on", "-version")


def release_get(*, actor: User, release_id: int) -> Release:
    """One release with its product. Raises ObjectNotFoundError if it does not exist."""
    _require_signed_in(actor)
    release = Release.objects.select_related("product").filter(pk=release_id).first()
    if release is None:
        raise ObjectNotFoundError(_("Not found."))
    return release
