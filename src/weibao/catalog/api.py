"""REST API for products and releases (vendor-wide: any signed-in user reads, archive writers write)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.catalog import selectors, services
from weibao.catalog.models import Product, Release
from weibao.catalog.schemas import (
    ProductCreateIn,
    ProductOut,
    ProductUpdateIn,
    ReleaseCreateIn,
    ReleaseOut,
    ReleaseUpdateIn,
)
from weibao.core.api_errors import (
    CREATE_ERRORS,
    DELETE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Pagination,
)

router = Router()


def _set_fields(payload: Any) -> dict[str, Any]:
    # PATCH: only what the caller sent; an explicit null reaches validation and
    # is refused there with the field's name.
    return dict(payload.dict(exclude_unset=True))


@router.get("/products", response={200: list[ProductOut], **LIST_ERRORS}, operation_id="product_list")
@paginate(Pagination, page_size=50)
def product_list(request: HttpRequest, q: str = "", is_active: bool | None = None) -> QuerySet[Product]:
    return selectors.product_list(actor=acting_user(request), q=q, is_active=is_active)


@router.post("/products", response={201: ProductOut, **CREATE_ERRORS}, operation_id="product_create")
def product_create(request: HttpRequest, payload: ProductCreateIn) -> Status[Product]:
    return Status(201, services.product_create(actor=acting_user(request), **payload.dict()))


@router.get("/products/{product_id}", response={200: ProductOut, **READ_ERRORS}, operation_id="product_get")
def product_get(request: HttpRequest, product_id: int) -> Product:
    return selectors.product_get(actor=acting_user(request), product_id=product_id)


@router.patch("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS}, operation_id="product_update")
def product_update(request: HttpRequest, product_id: int, payload: ProductUpdateIn) -> Product:
    actor = acting_user(request)
    product = selectors.product_get(actor=actor, product_id=product_id)
    return services.product_update(actor=actor, product=product, changes=_set_fields(payload))


@router.delete("/products/{product_id}", response={204: None, **DELETE_ERRORS}, operation_id="product_delete")
def product_delete(request: HttpRequest, product_id: int) -> Status[None]:
    actor = acting_user(request)
    services.product_delete(actor=actor, product=selectors.product_get(actor=actor, product_id=product_id))
    return Status(204, None)


@router.get(
    "/products/{product_id}/releases", response={200: list[ReleaseOut], **READ_ERRORS}, operation_id="release_list"
)
@paginate(Pagination, page_size=50)
def release_list(request: HttpRequest, product_id: int) -> QuerySet[Release]:
    actor = acting_user(request)
    product = selectors.product_get(actor=actor, product_id=product_id)
    return selectors.release_list(actor=actor, product=product)


@router.post(
    "/products/{product_id}/releases", response={201: ReleaseOut, **WRITE_ERRORS}, operation_id="release_create"
)
def release_create(request: HttpRequest, product_id: int, payload: ReleaseCreateIn) -> Status[Release]:
    actor = acting_user(request)
    product = selectors.product_get(actor=actor, product_id=product_id)
    return Status(201, services.release_create(actor=actor, product=product, **payload.dict()))


@router.get("/releases/{release_id}", response={200: ReleaseOut, **READ_ERRORS}, operation_id="release_get")
def release_get(request: HttpRequest, release_id: int) -> Release:
    return selectors.release_get(actor=acting_user(request), release_id=release_id)


@router.patch("/releases/{release_id}", response={200: ReleaseOut, **WRITE_ERRORS}, operation_id="release_update")
def release_update(request: HttpRequest, release_id: int, payload: ReleaseUpdateIn) -> Release:
    actor = acting_user(request)
    release = selectors.release_get(actor=actor, release_id=release_id)
    return services.release_update(actor=actor, release=release, changes=_set_fields(payload))


@router.delete("/releases/{release_id}", response={204: None, **DELETE_ERRORS}, operation_id="release_delete")
def release_delete(request: HttpRequest, release_id: int) -> Status[None]:
    actor = acting_user(request)
    services.release_delete(actor=actor, release=selectors.release_get(actor=actor, release_id=release_id))
    return Status(204, None)
