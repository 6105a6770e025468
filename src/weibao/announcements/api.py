"""REST API of announcements: client users list, read and acknowledge theirs; staff write and publish."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from weibao.accounts.api_auth import acting_user
from weibao.announcements import selectors, services
from weibao.announcements.models import Announcement
from weibao.catalog.models import Product, Release
from weibao.core.api_errors import CREATE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Instant, ObjectId, Pagination
from weibao.customers.models import Client

router = Router()

AudienceName = Literal["all", "clients", "product", "release"]


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    audience: str
    clients: list[int]
    product: int | None
    release: int | None
    pinned: bool
    expires_at: dt.datetime | None
    status: str
    published_at: dt.datetime | None
    source_request: int | None
    is_read: bool

    @staticmethod
    def resolve_clients(obj: Announcement) -> list[int]:
        return sorted(c.pk for c in obj.clients.all())

    @staticmethod
    def resolve_product(obj: Announcement) -> int | None:
        return obj.product_id

    @staticmethod
    def resolve_release(obj: Announcement) -> int | None:
        return obj.release_id

    @staticmethod
    def resolve_source_request(obj: Announcement) -> int | None:
        return obj.source_request_id

    @staticmethod
    def resolve_is_read(obj: Announcement) -> bool:
        return bool(getattr(obj, "is_read", False))


class AnnouncementIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=100_000, description="HTML; sanitised (scripts, handlers and unsafe URLs removed).")
    audience: AudienceName = "all"
    clients: list[ObjectId] = Field(default_factory=list, max_length=1000)
    product: ObjectId | None = None
    release: ObjectId | None = None
    pinned: bool = False
    expires_at: Instant | None = None


class StepIn(Schema):
    step: Literal["publish", "withdraw"]


def _related(payload: AnnouncementIn) -> dict[str, Any]:
    """Ids replaced by rows; an unknown id names its field."""
    data = payload.model_dump()
    found_clients = list(Client.objects.filter(pk__in=data["clients"]))
    if len(found_clients) != len(set(data["clients"])):
        raise ValidationError({"clients": [_("No such client.")]})
    data["clients"] = found_clients
    for name, model in (("product", Product), ("release", Release)):
        if data[name] is not None:
            row = model.objects.filter(pk=data[name]).first()
            if row is None:
                raise ValidationError({name: [_("No such %(name)s.") % {"name": model._meta.verbose_name}]})
            data[name] = row
    return data


@router.get("/announcements", response={200: list[AnnouncementOut], **LIST_ERRORS}, operation_id="announcement_list")
@paginate(Pagination, page_size=50)
def announcement_list(request: HttpRequest) -> QuerySet[Announcement]:
    """Staff: every announcement; client users: the published, unexpired ones addressed to their client."""
    return selectors.announcement_list(actor=acting_user(request)).prefetch_related("clients")


@router.post("/announcements", response={201: AnnouncementOut, **CREATE_ERRORS}, operation_id="announcement_create")
def announcement_create(request: HttpRequest, payload: AnnouncementIn) -> Status[Announcement]:
    """Write a draft announcement; vendor staff who may change the archive."""
    announcement = services.announcement_create(actor=acting_user(request), **_related(payload))
    return Status(201, announcement)


@router.get(
    "/announcements/{announcement_id}", response={200: AnnouncementOut, **READ_ERRORS}, operation_id="announcement_get"
)
def announcement_get(request: HttpRequest, announcement_id: int) -> Announcement:
    """One announcement the caller may read (reading it here leaves no receipt; see ``/read``)."""
    return selectors.announcement_list(actor=acting_user(request)).get(
        pk=selectors.announcement_get(actor=acting_user(request), pk=announcement_id).pk
    )


@router.post(
    "/announcements/{announcement_id}/read",
    response={200: AnnouncementOut, **WRITE_ERRORS},
    operation_id="announcement_read",
)
def announcement_read(request: HttpRequest, announcement_id: int) -> Announcement:
    """Record that the calling client user read the announcement (once; repeating it changes nothing)."""
    actor = acting_user(request)
    services.announcement_mark_read(
        actor=actor, announcement=selectors.announcement_get(actor=actor, pk=announcement_id)
    )
    return selectors.announcement_list(actor=actor).get(pk=announcement_id)


@router.post(
    "/announcements/{announcement_id}/steps",
    response={200: AnnouncementOut, **WRITE_ERRORS},
    operation_id="announcement_step",
)
def announcement_step(request: HttpRequest, announcement_id: int, payload: StepIn) -> Announcement:
    """``publish`` a draft (its audience is notified) or ``withdraw`` a published announcement."""
    actor = acting_user(request)
    selectors.announcement_get(actor=actor, pk=announcement_id)
    act = services.announcement_publish if payload.step == "publish" else services.announcement_withdraw
    act(actor=actor, announcement_id=announcement_id)
    return selectors.announcement_list(actor=actor).get(pk=announcement_id)
