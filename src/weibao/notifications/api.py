"""REST API of the notifications app, mounted under /api/v1/: the caller's notification centre and preferences."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from weibao.accounts.api_auth import acting_user
from weibao.core.api_errors import LIST_ERRORS, WRITE_ERRORS, Pagination
from weibao.notifications import selectors, services
from weibao.notifications.models import InboxItem
from weibao.notifications.schemas import InboxItemOut, MarkedOut, PreferenceOut, PreferencesIn, UnreadOut

router = Router()


@router.get("/notifications", response={200: list[InboxItemOut], **LIST_ERRORS}, operation_id="notification_list")
@paginate(Pagination, page_size=50)
def notification_list(request: HttpRequest, unread: bool = False) -> QuerySet[InboxItem]:
    """The caller's in-app notifications, newest first; ``unread`` keeps the unread ones."""
    return selectors.inbox_list(actor=acting_user(request), unread=unread)


@router.get("/notifications/unread", response={200: UnreadOut, **LIST_ERRORS}, operation_id="notification_unread")
def notification_unread(request: HttpRequest) -> dict[str, int]:
    """How many of the caller's notifications are unread (the bell's number)."""
    return {"count": selectors.inbox_unread_count(actor=acting_user(request))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: InboxItemOut, **WRITE_ERRORS},
    operation_id="notification_read",
)
def notification_read(request: HttpRequest, notification_id: int) -> InboxItem:
    """Mark one of the caller's notifications read; another person's answers 404."""
    return services.inbox_mark_read(actor=acting_user(request), pk=notification_id)


@router.post("/notifications/read-all", response={200: MarkedOut, **WRITE_ERRORS}, operation_id="notification_read_all")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    """Mark all the caller's notifications read."""
    return {"marked": services.inbox_mark_all_read(actor=acting_user(request))}


@router.get(
    "/notification-preferences",
    response={200: list[PreferenceOut], **LIST_ERRORS},
    operation_id="notification_preference_list",
)
def notification_preference_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every event and personal channel with the caller's choice (on unless switched off)."""
    return selectors.preference_table(actor=acting_user(request))


@router.put(
    "/notification-preferences",
    response={200: list[PreferenceOut], **WRITE_ERRORS},
    operation_id="notification_preference_update",
)
def notification_preference_update(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, Any]]:
    """Switch channels on or off per event for the caller; unknown events or channels name the item."""
    actor = acting_user(request)
    services.preferences_set(actor=actor, choices=[(i.event, i.channel, i.enabled) for i in payload.items])
    return selectors.preference_table(actor=actor)
