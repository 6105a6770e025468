"""Every write to announcements: create, update, publish, withdraw, read receipts.

Writers are vendor staff who may change the archive; each write is audited. Publishing
notifies every client user the audience reaches (in-app and their chosen channels)
through ``notifications.notify``; opening an announcement records one read receipt per
user, however often it is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.announcements.models import Announcement, AnnouncementRead
from weibao.announcements.selectors import audience_user_ids
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError, WeibaoError
from weibao.core.sanitize import html_sanitize
from weibao.core.snapshot import model_snapshot, snapshot_diff
from weibao.customers.models import Client
from weibao.notifications.dispatch import Recipients, notify
from weibao.notifications.events import ANNOUNCEMENT_PUBLISHED

MAX_TITLE = 200
MAX_BODY = 100_000
Audience = Announcement.Audience
Status = Announcement.Status


class AnnouncementStateError(WeibaoError):
    """The announcement is not in a state that allows this (publish twice, edit a withdrawn one)."""

    status_code = 409


def can_announce(actor: User) -> bool:
    """Vendor staff who may change the archive write and publish announcements."""
    return actor.can_write_archive and not actor.is_client_side


def _require_writer(actor: User) -> None:
    if not can_announce(actor):
        raise PermissionDeniedError(_("You may not write announcements."))


def _snapshot(announcement: Announcement) -> dict[str, Any]:
    picture = model_snapshot(announcement)
    picture["clients"] = sorted(announcement.clients.values_list("pk", flat=True)) if announcement.pk else []
    return picture


def _clean(
    *,
    title: str,
    body: str,
    audience: str,
    clients: Iterable[Client],
    product: Product | None,
    release: Release | None,
    expires_at: dt.datetime | None,
    now: dt.datetime,
) -> tuple[str, str, list[Client], Product | None, Release | None]:
    """The values to store; ValidationError naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("The title cannot be empty.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("At most %(n)s characters.") % {"n": MAX_TITLE}]
    if len(body or "") > MAX_BODY:
        errors["body"] = [_("At most %(n)s characters.") % {"n": MAX_BODY}]
    clean_body = html_sanitize(body or "")
    if not clean_body.strip() and "body" not in errors:
        errors["body"] = [_("The text cannot be empty.")]
    chosen = list(clients)
    errors.update(_audience_errors(audience, chosen, product, release))
    if audience == Audience.RELEASE and release is not None and not errors:
        product = release.product
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    if audience != Audience.CLIENTS:
        chosen = []
    if audience in (Audience.ALL, Audience.CLIENTS):
        product = None
    if audience != Audience.RELEASE:
        release = None
    return title, clean_body, chosen, product, release


def _audience_errors(
    audience: str, clients: list[Client], product: Product | None, release: Release | None
) -> dict[str, list[str]]:
    if audience not in Audience.values:
        return {"audience": [_("Unknown audience.")]}
    if audience == Audience.CLIENTS and not clients:
        return {"clients": [_("Choose at least one client.")]}
    if audience == Audience.PRODUCT and product is None:
        return {"product": [_("Choose the product.")]}
    if audience == Audience.RELEASE:
        if release is None:
            return {"release": [_("Choose the version.")]}
        if product is not None and release.product_id != product.pk:
            return {"release": [_("This version belongs to another product.")]}
    return {}


@transaction.atomic
def announcement_create(
    *,
    actor: User,
    title: str,
    body: str,
    audience: str = Audience.ALL,
    clients: Iterable[Client] = (),
    product: Product | None = None,
    release: Release | None = None,
    pinned: bool = False,
    expires_at: dt.datetime | None = None,
    source_request_id: int | None = None,
) -> Announcement:
    """A draft announcement. Vendor writers only; ValidationError per field; audited."""
    _require_writer(actor)
    return _draft(
        actor=actor,
        title=title,
        body=body,
        audience=audience,
        clients=clients,
        product=product,
        release=release,
        pinned=pinned,
        expires_at=expires_at,
        source_request_id=source_request_id,
    )


def announcement_draft_for_request(
    *, actor: User, request_id: int, title: str, body: str, clients: Iterable[Client]
) -> Announcement:
    """The draft a tested optimization request leaves for staff to review and publish (R1.5).

    The caller has already checked that ``actor`` may record the request's tests; the
    draft names the request's client only, so nothing of one client's request reaches
    another client unless staff widen the audience.
    """
    return _draft(
        actor=actor,
        title=title[:MAX_TITLE],
        body=body,
        audience=Audience.CLIENTS,
        clients=clients,
        product=None,
        release=None,
        pinned=False,
        expires_at=None,
        source_request_id=request_id,
    )


@transaction.atomic
def _draft(
    *,
    actor: User,
    title: str,
    body: str,
    audience: str,
    clients: Iterable[Client],
    product: Product | None,
    release: Release | None,
    pinned: bool,
    expires_at: dt.datetime | None,
    source_request_id: int | None,
) -> Announcement:
    title, body, chosen, product, release = _clean(
        title=title,
        body=body,
        audience=audience,
        clients=clients,
        product=product,
        release=release,
        expires_at=expires_at,
        now=timezone.now(),
    )
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        audience=audience,
        product=product,
        release=release,
        pinned=pinned,
        expires_at=expires_at,
        source_request_id=source_request_id,
        created_by=actor,
    )
    announcement.clients.set(chosen)
    event_record(actor=actor, action="announcement.create", obj=announcement, after=_snapshot(announcement))
    return announcement


def _locked(*, actor: User, announcement_id: int) -> Announcement:
    _require_writer(actor)
    found = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if found is None:
        raise ObjectNotFoundError(_("Not found."))
    return found


@transaction.atomic
def announcement_update(*, actor: User, announcement_id: int, changes: dict[str, Any]) -> Announcement:
    """Change a draft or published announcement (a correction); a withdrawn one is final (409)."""
    announcement = _locked(actor=actor, announcement_id=announcement_id)
    if announcement.status == Status.WITHDRAWN:
        raise AnnouncementStateError(_("A withdrawn announcement cannot be changed."))
    before = _snapshot(announcement)
    merged: dict[str, Any] = {
        "title": announcement.title,
        "body": announcement.body,
        "audience": announcement.audience,
        "clients": list(announcement.clients.all()),
        "product": announcement.product,
        "release": announcement.release,
        "expires_at": announcement.expires_at,
    }
    merged.update({k: v for k, v in changes.items() if k in merged})
    # An unchanged expiry that has since passed is not re-checked: the correction stands.
    expiry_changed = merged["expires_at"] != announcement.expires_at
    title, body, chosen, product, release = _clean(
        title=merged["title"],
        body=merged["body"],
        audience=merged["audience"],
        clients=merged["clients"],
        product=merged["product"],
        release=merged["release"],
        expires_at=merged["expires_at"] if expiry_changed else None,
        now=timezone.now(),
    )
    announcement.title, announcement.body = title, body
    announcement.audience = str(merged["audience"])
    announcement.product, announcement.release = product, release
    announcement.expires_at = merged["expires_at"]
    if "pinned" in changes:
        announcement.pinned = bool(changes["pinned"])
    announcement.save()
    announcement.clients.set(chosen)
    old, new = snapshot_diff(before, _snapshot(announcement))
    if new:
        event_record(actor=actor, action="announcement.update", obj=announcement, before=old, after=new)
    return announcement


@transaction.atomic
def announcement_publish(*, actor: User, announcement_id: int) -> Announcement:
    """Publish a draft: it shows to its audience, who are notified once (409 if not a draft)."""
    announcement = _locked(actor=actor, announcement_id=announcement_id)
    if announcement.status != Status.DRAFT:
        raise AnnouncementStateError(_("Only a draft can be published."))
    if announcement.expires_at is not None and announcement.expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    announcement.status = Status.PUBLISHED
    announcement.published_at = timezone.now()
    announcement.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        actor=actor,
        action="announcement.publish",
        obj=announcement,
        after={"status": announcement.status, "published_at": announcement.published_at.isoformat()},
    )
    users = audience_user_ids(announcement)
    if users:
        notify(
            event=ANNOUNCEMENT_PUBLISHED,
            recipients=Recipients(user_ids=tuple(users)),
            context={"title": announcement.title},
            link=reverse("announcements:detail", args=[announcement.pk]),
            dedup_key=f"announcement:{announcement.pk}",
        )
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor: User, announcement_id: int) -> Announcement:
    """Take a published announcement down; clients no longer see it (409 if not published)."""
    announcement = _locked(actor=actor, announcement_id=announcement_id)
    if announcement.status != Status.PUBLISHED:
        raise AnnouncementStateError(_("Only a published announcement can be withdrawn."))
    announcement.status = Status.WITHDRAWN
    announcement.save(update_fields=["status", "updated_at"])
    event_record(actor=actor, action="announcement.withdraw", obj=announcement, after={"status": announcement.status})
    return announcement


def announcement_mark_read(*, actor: User, announcement: Announcement) -> bool:
    """Record that ``actor`` opened ``announcement``; True the first time only. Staff reading leave no receipt."""
    if not actor.is_client_side:
        return False
    if AnnouncementRead.objects.filter(announcement=announcement, user=actor).exists():
        return False
    try:
        with transaction.atomic():
            AnnouncementRead.objects.create(announcement=announcement, user=actor)
    except IntegrityError:  # a second tab opened it at the same moment
        return False
    return True
