"""REST API of the client archive (R3): clients, sites, contacts, deployments, servers, files.

Every read goes through a scoped selector (another client's object: 404); every
write through a service (client users: 403 on their own objects).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import (
    CREATE_ERRORS,
    DELETE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Pagination,
)
from weibao.customers import selectors, services
from weibao.customers.downloads import technical_file_response
from weibao.customers.forms import catalog_model
from weibao.customers.models import Client, Contact, Deployment, DeploymentNode, Site, TechnicalFile
from weibao.customers.schemas import (
    ClientCreateIn,
    ClientFilters,
    ClientOut,
    ClientUpdateIn,
    ContactCreateIn,
    ContactFilters,
    ContactOut,
    ContactUpdateIn,
    DeploymentCreateIn,
    DeploymentFilters,
    DeploymentOut,
    DeploymentUpdateIn,
    NodeCreateIn,
    NodeFilters,
    NodeOut,
    NodeUpdateIn,
    SiteCreateIn,
    SiteFilters,
    SiteOut,
    SiteUpdateIn,
    TechnicalFileCreateIn,
    TechnicalFileFilters,
    TechnicalFileOut,
    TechnicalFileUpdateIn,
)

router = Router()
PAGE_SIZE = 50

# <entity>_id in a body -> (the service's argument, where to look the object up).
REFERENCES: dict[str, tuple[str, Callable[[User], QuerySet[Any]]]] = {
    "site_id": ("site", lambda actor: selectors.site_list(actor=actor)),
    "deployment_id": ("deployment", lambda actor: selectors.deployment_list(actor=actor)),
    "release_id": ("release", lambda actor: catalog_model("release")._default_manager.all()),
    "product_id": ("product", lambda actor: catalog_model("product")._default_manager.all()),
}
ID_NAMES = {argument: key for key, (argument, _lookup) in REFERENCES.items()}


def _with_objects(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each ``<entity>_id`` replaced by the object; unknown ids are field errors."""
    resolved: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in REFERENCES:
            resolved[key] = value
            continue
        argument, lookup = REFERENCES[key]
        if value is None:
            resolved[argument] = None
            continue
        found = lookup(actor).filter(pk=value).first()
        if found is None:
            errors[key] = [_("Select a valid choice. That choice is not one of the available choices.")]
        resolved[argument] = found
    if errors:
        raise ValidationError(errors)
    return resolved


@contextmanager
def _errors_named_as_in_the_request() -> Iterator[None]:
    # Services name model fields (``site``); the API's callers sent ``site_id``.
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({ID_NAMES.get(field, field): errors for field, errors in exc.error_dict.items()}) from exc


def _create_args(request: HttpRequest, payload: Any) -> tuple[User, dict[str, Any]]:
    actor = acting_user(request)
    return actor, _with_objects(actor, payload.dict())


def _changes(actor: User, payload: Any) -> dict[str, Any]:
    # PATCH: only the fields the caller sent; null clears an optional reference.
    return _with_objects(actor, payload.dict(exclude_unset=True))


# Clients


@router.get("/clients", response={200: list[ClientOut], **LIST_ERRORS}, operation_id="client_list")
@paginate(Pagination, page_size=PAGE_SIZE)
def client_list(request: HttpRequest, filters: Query[ClientFilters]) -> QuerySet[Client]:
    return selectors.client_list(actor=acting_user(request), **filters.dict())


@router.post("/clients", response={201: ClientOut, **CREATE_ERRORS}, operation_id="client_create")
def client_create(request: HttpRequest, payload: ClientCreateIn) -> Status[Client]:
    actor, data = _create_args(request, payload)
    return Status(201, services.client_create(actor=actor, **data))


@router.get("/clients/{client_id}", response={200: ClientOut, **READ_ERRORS}, operation_id="client_get")
def client_get(request: HttpRequest, client_id: int) -> Client:
    return selectors.client_get(actor=acting_user(request), client_id=client_id)


@router.patch("/clients/{client_id}", response={200: ClientOut, **WRITE_ERRORS}, operation_id="client_update")
def client_update(request: HttpRequest, client_id: int, payload: ClientUpdateIn) -> Client:
    actor = acting_user(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    return services.client_update(actor=actor, client=client, changes=_changes(actor, payload))


@router.delete("/clients/{client_id}", response={204: None, **DELETE_ERRORS}, operation_id="client_delete")
def client_delete(request: HttpRequest, client_id: int) -> Status[None]:
    actor = acting_user(request)
    services.client_delete(actor=actor, client=selectors.client_get(actor=actor, client_id=client_id))
    return Status(204, None)


# Sites


@router.get("/sites", response={200: list[SiteOut], **LIST_ERRORS}, operation_id="site_list")
@paginate(Pagination, page_size=PAGE_SIZE)
def site_list(request: HttpRequest, filters: Query[SiteFilters]) -> QuerySet[Site]:
    return selectors.site_list(actor=acting_user(request), **filters.dict())


@router.post("/clients/{client_id}/sites", response={201: SiteOut, **WRITE_ERRORS}, operation_id="site_create")
def site_create(request: HttpRequest, client_id: int, payload: SiteCreateIn) -> Status[Site]:
    actor, data = _create_args(request, payload)
    client = selectors.client_get(actor=actor, client_id=client_id)
    return Status(201, services.site_create(actor=actor, client=client, **data))


@router.get("/sites/{site_id}", response={200: SiteOut, **READ_ERRORS}, operation_id="site_get")
def site_get(request: HttpRequest, site_id: int) -> Site:
    return selectors.site_get(actor=acting_user(request), site_id=site_id)


@router.patch("/sites/{site_id}", response={200: SiteOut, **WRITE_ERRORS}, operation_id="site_update")
def site_update(request: HttpRequest, site_id: int, payload: SiteUpdateIn) -> Site:
    actor = acting_user(request)
    site = selectors.site_get(actor=actor, site_id=site_id)
    return services.site_update(actor=actor, site=site, changes=_changes(actor, payload))


@router.delete("/sites/{site_id}", response={204: None, **DELETE_ERRORS}, operation_id="site_delete")
def site_delete(request: HttpRequest, site_id: int) -> Status[None]:
    actor = acting_user(request)
    services.site_delete(actor=actor, site=selectors.site_get(actor=actor, site_id=site_id))
    return Status(204, None)


# Contacts


@router.get("/contacts", response={200: list[ContactOut], **LIST_ERRORS}, operation_id="contact_list")
@paginate(Pagination, page_size=PAGE_SIZE)
def contact_list(request: HttpRequest, filters: Query[ContactFilters]) -> QuerySet[Contact]:
    """Contacts; ``phone`` finds a caller by mobile or office number (spaces, dashes, +86 ignored)."""
    return selectors.contact_list(actor=acting_user(request), **filters.dict())


@router.post("/clients/{client_id}/contacts", response={201: ContactOut, **WRITE_ERRORS}, operation_id="contact_create")
def contact_create(request: HttpRequest, client_id: int, payload: ContactCreateIn) -> Status[Contact]:
    actor = acting_user(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    with _errors_named_as_in_the_request():
        data = _with_objects(actor, payload.dict())
        return Status(201, services.contact_create(actor=actor, client=client, **data))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, operation_id="contact_get")
def contact_get(request: HttpRequest, contact_id: int) -> Contact:
    return selectors.contact_get(actor=acting_user(request), contact_id=contact_id)


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS}, operation_id="contact_update")
def contact_update(request: HttpRequest, contact_id: int, payload: ContactUpdateIn) -> Contact:
    actor = acting_user(request)
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    with _errors_named_as_in_the_request():
        return services.contact_update(actor=actor, contact=contact, changes=_changes(actor, payload))


@router.delete("/contacts/{contact_id}", response={204: None, **DELETE_ERRORS}, operation_id="contact_delete")
def contact_delete(request: HttpRequest, contact_id: int) -> Status[None]:
    actor = acting_user(request)
    services.contact_delete(actor=actor, contact=selectors.contact_get(actor=actor, contact_id=contact_id))
    return Status(204, None)


# Deployments


@router.get("/deployments", response={200: list[DeploymentOut], **LIST_ERRORS}, operation_id="deployment_list")
@paginate(Pagination, page_size=PAGE_SIZE)
def deployment_list(request: HttpRequest, filters: Query[DeploymentFilters]) -> QuerySet[Deployment]:
    return selectors.deployment_list(actor=acting_user(request), **filters.dict())


@router.post(
    "/clients/{client_id}/deployments", response={201: DeploymentOut, **WRITE_ERRORS}, operation_id="deployment_create"
)
def deployment_create(request: HttpRequest, client_id: int, payload: DeploymentCreateIn) -> Status[Deployment]:
    actor = acting_user(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    with _errors_named_as_in_the_request():
        data = _with_objects(actor, payload.dict())
        deployment = services.deployment_create(actor=actor, client=client, **data)
    return Status(201, selectors.deployment_get(actor=actor, deployment_id=deployment.pk))


@router.get("/deployments/{deployment_id}", response={200: DeploymentOut, **READ_ERRORS}, operation_id="deployment_get")
def deployment_get(request: HttpRequest, deployment_id: int) -> Deployment:
    return selectors.deployment_get(actor=acting_user(request), deployment_id=deployment_id)


@router.patch(
    "/deployments/{deployment_id}", response={200: DeploymentOut, **WRITE_ERRORS}, operation_id="deployment_update"
)
def deployment_update(request: HttpRequest, deployment_id: int, payload: DeploymentUpdateIn) -> Deployment:
    actor = acting_user(request)
    deployment = selectors.deployment_get(actor=actor, deployment_id=deployment_id)
    with _errors_named_as_in_the_request():
        services.deployment_update(actor=actor, deployment=deployment, changes=_changes(actor, payload))
    return selectors.deployment_get(actor=actor, deployment_id=deployment_id)


@router.delete("/deployments/{deployment_id}", response={204: None, **DELETE_ERRORS}, operation_id="deployment_delete")
def deployment_delete(request: HttpRequest, deployment_id: int) -> Status[None]:
    actor = acting_user(request)
    deployment = selectors.deployment_get(actor=actor, deployment_id=deployment_id)
    services.deployment_delete(actor=actor, deployment=deployment)
    return Status(204, None)


# Servers and devices


@router.get("/nodes", response={200: list[NodeOut], **LIST_ERRORS}, operation_id="node_list")
@paginate(Pagination, page_size=PAGE_SIZE)
def node_list(request: HttpRequest, filters: Query[NodeFilters]) -> QuerySet[DeploymentNode]:
    return selectors.node_list(actor=acting_user(request), **filters.dict())


@router.post("/deployments/{deployment_id}/nodes", response={201: NodeOut, **WRITE_ERRORS}, operation_id="node_create")
def node_create(request: HttpRequest, deployment_id: int, payload: NodeCreateIn) -> Status[DeploymentNode]:
    actor, data = _create_args(request, payload)
    deployment = selectors.deployment_get(actor=actor, deployment_id=deployment_id)
    return Status(201, services.node_create(actor=actor, deployment=deployment, **data))


@router.get("/nodes/{node_id}", response={200: NodeOut, **READ_ERRORS}, operation_id="node_get")
def node_get(request: HttpRequest, node_id: int) -> DeploymentNode:
    return selectors.node_get(actor=acting_user(request), node_id=node_id)


@router.patch("/nodes/{node_id}", response={200: NodeOut, **WRITE_ERRORS}, operation_id="node_update")
def node_update(request: HttpRequest, node_id: int, payload: NodeUpdateIn) -> DeploymentNode:
    actor = acting_user(request)
    node = selectors.node_get(actor=actor, node_id=node_id)
    services.node_update(actor=actor, node=node, changes=_changes(actor, payload))
    return selectors.node_get(actor=actor, node_id=node_id)


@router.delete("/nodes/{node_id}", response={204: None, **DELETE_ERRORS}, operation_id="node_delete")
def node_delete(request: HttpRequest, node_id: int) -> Status[None]:
    actor = acting_user(request)
    services.node_delete(actor=actor, node=selectors.node_get(actor=actor, node_id=node_id))
    return Status(204, None)


# Technical files


@router.get(
    "/technical-files", response={200: list[TechnicalFileOut], **LIST_ERRORS}, operation_id="technical_file_list"
)
@paginate(Pagination, page_size=PAGE_SIZE)
def technical_file_list(request: HttpRequest, filters: Query[TechnicalFileFilters]) -> QuerySet[TechnicalFile]:
    return selectors.technical_file_list(actor=acting_user(request), **filters.dict())


@router.post(
    "/clients/{client_id}/technical-files",
    response={201: TechnicalFileOut, **WRITE_ERRORS},
    operation_id="technical_file_create",
)
def technical_file_create(
    request: HttpRequest,
    client_id: int,
    payload: Form[TechnicalFileCreateIn],
    file: File[UploadedFile],
) -> Status[TechnicalFile]:
    """Upload a file (multipart/form-data) with its title, kind and optional deployment."""
    actor = acting_user(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    with _errors_named_as_in_the_request():
        data = _with_objects(actor, payload.dict())
        return Status(201, services.technical_file_create(actor=actor, client=client, file=file, **data))


@router.get(
    "/technical-files/{technical_file_id}",
    response={200: TechnicalFileOut, **READ_ERRORS},
    operation_id="technical_file_get",
)
def technical_file_get(request: HttpRequest, technical_file_id: int) -> TechnicalFile:
    return selectors.technical_file_get(actor=acting_user(request), technical_file_id=technical_file_id)


@router.patch(
    "/technical-files/{technical_file_id}",
    response={200: TechnicalFileOut, **WRITE_ERRORS},
    operation_id="technical_file_update",
)
def technical_file_update(
    request: HttpRequest, technical_file_id: int, payload: TechnicalFileUpdateIn
) -> TechnicalFile:
    actor = acting_user(request)
    technical_file = selectors.technical_file_get(actor=actor, technical_file_id=technical_file_id)
    with _errors_named_as_in_the_request():
        services.technical_file_update(actor=actor, technical_file=technical_file, changes=_changes(actor, payload))
    return selectors.technical_file_get(actor=actor, technical_file_id=technical_file_id)


@router.delete(
    "/technical-files/{technical_file_id}", response={204: None, **DELETE_ERRORS}, operation_id="technical_file_delete"
)
def technical_file_delete(request: HttpRequest, technical_file_id: int) -> Status[None]:
    actor = acting_user(request)
    technical_file = selectors.technical_file_get(actor=actor, technical_file_id=technical_file_id)
    services.technical_file_delete(actor=actor, technical_file=technical_file)
    return Status(204, None)


@router.get(
    "/technical-files/{technical_file_id}/download",
    response={200: None, **READ_ERRORS},
    operation_id="technical_file_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment (Content-Disposition carries its name).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def technical_file_download(request: HttpRequest, technical_file_id: int) -> HttpResponseBase:
    technical_file = selectors.technical_file_get(actor=acting_user(request), technical_file_id=technical_file_id)
    return technical_file_response(technical_file)
