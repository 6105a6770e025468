"""Request and response bodies of the client archive API.

References to other objects are ``<entity>_id`` integers; field errors name them so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import TextChoices
from ninja import Field, Schema

from weibao.core.api_errors import ObjectId
from weibao.customers.models import Client, Deployment, DeploymentNode, Site, TechnicalFile


def choice(choices: type[TextChoices], default: Any = ...) -> Any:
    """A choice field: documented as an enum, checked by the model (one message for forms and API).

    Plain strings, not Enum types, because several models' ``Kind`` enums would
    collide under one name in the OpenAPI components.
    """
    return Field(default, json_schema_extra={"enum": list(choices.values)})


class ClientOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    region: str
    address: str
    email_domains: str
    notes: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientCreateIn(Schema):
    name: str = Field(max_length=200)
    code: str = Field(max_length=50)
    kind: str = choice(Client.Kind)
    short_name: str = Field("", max_length=50)
    region: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    email_domains: str = Field("", max_length=300)
    notes: str = ""
    is_active: bool = True


class ClientUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    code: str | None = Field(None, max_length=50)
    kind: str | None = choice(Client.Kind, None)
    short_name: str | None = Field(None, max_length=50)
    region: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=300)
    email_domains: str | None = Field(None, max_length=300)
    notes: str | None = None
    is_active: bool | None = None


class SiteOut(Schema):
    id: int
    client_id: int
    name: str
    kind: str
    address: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SiteCreateIn(Schema):
    name: str = Field(max_length=200)
    kind: str = choice(Site.Kind, Site.Kind.OFFICE.value)
    address: str = Field("", max_length=300)
    notes: str = ""


class SiteUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    kind: str | None = choice(Site.Kind, None)
    address: str | None = Field(None, max_length=300)
    notes: str | None = None


class ContactOut(Schema):
    id: int
    client_id: int
    site_id: int | None
    name: str
    title: str
    mobile: str
    office_phone: str
    email: str
    wecom_id: str
    dingtalk_id: str
    feishu_id: str
    wechat_id: str
    is_leader: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactCreateIn(Schema):
    name: str = Field(max_length=100)
    site_id: int | None = None
    title: str = Field("", max_length=100)
    mobile: str = Field("", max_length=32)
    office_phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    wecom_id: str = Field("", max_length=100)
    dingtalk_id: str = Field("", max_length=100)
    feishu_id: str = Field("", max_length=100)
    wechat_id: str = Field("", max_length=100)
    is_leader: bool = False
    notes: str = ""


class ContactUpdateIn(Schema):
    name: str | None = Field(None, max_length=100)
    site_id: int | None = None
    title: str | None = Field(None, max_length=100)
    mobile: str | None = Field(None, max_length=32)
    office_phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    wecom_id: str | None = Field(None, max_length=100)
    dingtalk_id: str | None = Field(None, max_length=100)
    feishu_id: str | None = Field(None, max_length=100)
    wechat_id: str | None = Field(None, max_length=100)
    is_leader: bool | None = None
    notes: str | None = None


class DeploymentOut(Schema):
    id: int
    client_id: int
    site_id: int | None
    name: str
    product_id: int
    product_name: str = Field(alias="product.name")
    release_id: int
    version: str = Field(alias="release.version")
    environment: str
    url: str
    went_live_on: dt.date | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DeploymentCreateIn(Schema):
    name: str = Field(max_length=200)
    release_id: int
    product_id: int | None = None
    site_id: int | None = None
    environment: str = choice(Deployment.Environment, Deployment.Environment.PRODUCTION.value)
    url: str = Field("", max_length=200)
    went_live_on: dt.date | None = None
    notes: str = ""


class DeploymentUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    release_id: int | None = None
    product_id: int | None = None
    site_id: int | None = None
    environment: str | None = choice(Deployment.Environment, None)
    url: str | None = Field(None, max_length=200)
    went_live_on: dt.date | None = None
    notes: str | None = None


class NodeOut(Schema):
    id: int
    deployment_id: int
    client_id: int = Field(alias="deployment.client_id")
    role: str
    hostname: str
    address: str | None
    os: str
    specification: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class NodeCreateIn(Schema):
    role: str = choice(DeploymentNode.Role)
    hostname: str = Field(max_length=200)
    address: str | None = Field(None, max_length=39)
    os: str = Field("", max_length=100)
    specification: str = Field("", max_length=200)
    notes: str = ""


class NodeUpdateIn(Schema):
    role: str | None = choice(DeploymentNode.Role, None)
    hostname: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=39)
    os: str | None = Field(None, max_length=100)
    specification: str | None = Field(None, max_length=200)
    notes: str | None = None


class TechnicalFileOut(Schema):
    id: int
    client_id: int
    deployment_id: int | None
    title: str
    kind: str
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str = Field(alias="uploaded_by.username")
    created_at: dt.datetime
    updated_at: dt.datetime


class TechnicalFileCreateIn(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    title: str = Field(max_length=200)
    kind: str = choice(TechnicalFile.Kind, TechnicalFile.Kind.OTHER.value)
    deployment_id: int | None = None


class TechnicalFileUpdateIn(Schema):
    title: str | None = Field(None, max_length=200)
    kind: str | None = choice(TechnicalFile.Kind, None)
    deployment_id: int | None = None


# Query-string filters of the list operations.


class ClientFilters(Schema):
    q: str = ""
    kind: str = ""
    region: str = ""
    is_active: bool | None = None


class SiteFilters(Schema):
    client_id: ObjectId | None = None
    q: str = ""


class ContactFilters(Schema):
    client_id: ObjectId | None = None
    q: str = ""
    phone: str = Field("", description="A dialled number; spaces, dashes and a +86 prefix are ignored.")
    email: str = ""
    name: str = ""


class DeploymentFilters(Schema):
    client_id: ObjectId | None = None
    product_id: ObjectId | None = None
    release_id: ObjectId | None = None
    environment: str = ""
    q: str = ""


class NodeFilters(Schema):
    deployment_id: ObjectId | None = None
    client_id: ObjectId | None = None
    q: str = ""


class TechnicalFileFilters(Schema):
    client_id: ObjectId | None = None
    deployment_id: ObjectId | None = None
    kind: str = ""
    q: str = ""
