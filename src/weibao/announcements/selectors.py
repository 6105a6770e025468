"""Reads of announcements, scoped to the actor.

Vendor staff see every announcement. A client user sees the published, unexpired ones
whose audience includes their client: every client, their client by name, or a client
with a deployment of the announced product (at the announced version, if one is set).
Anything else is absent for them (404), as another client's objects are everywhere.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.announcements.models import Announcement, AnnouncementRead
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import ClientMembership, Deployment
from weibao.customers.scope import client_id_of

Audience = Announcement.Audience


def _for_client(announcements: QuerySet[Announcement], client_id: int) -> QuerySet[Announcement]:
    deployments = Deployment.objects.filter(client_id=client_id, product_id=OuterRef("product_id"))
    at_release = deployments.filter(release_id=OuterRef("release_id"))
    return announcements.filter(
        Q(audience=Audience.ALL)
        | Q(audience=Audience.CLIENTS, clients__id=client_id)
        | Q(audience=Audience.PRODUCT, product__isnull=False) & Exists(deployments)
        | Q(audience=Audience.RELEASE, release__isnull=False) & Exists(at_release)
    ).distinct()


def announcements_visible(actor: User) -> QuerySet[Announcement]:
    """The announcements ``actor`` may read."""
    announcements = Announcement.objects.select_related("product", "release")
    if not actor.is_active:
        return announcements.none()
    if not actor.is_client_side:
        return announcements
    client_id = client_id_of(actor)
    if client_id is None:
        return announcements.none()
    now = timezone.now()
    live = announcements.filter(status=Announcement.Status.PUBLISHED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    return _for_client(live, client_id)


def announcement_list(*, actor: User) -> QuerySet[Announcement]:
    """Pinned first, then the newest; each carries ``is_read`` for the actor."""
    read = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=actor)
    return announcements_visible(actor).annotate(is_read=Exists(read)).order_by("-pinned", "-published_at", "-pk")


def announcement_get(*, actor: User, pk: int) -> Announcement:
    """One announcement the actor may read; ObjectNotFoundError otherwise."""
    found = announcements_visible(actor).filter(pk=pk).first()
    if found is None:
        raise ObjectNotFoundError(_("Not found."))
    return found


def unread_count(*, actor: User) -> int:
    """How many announcements the client user has not opened yet (0 for staff)."""
    if not actor.is_client_side:
        return 0
    read = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=actor)
    return announcements_visible(actor).exclude(Exists(read)).count()


def audience_user_ids(announcement: Announcement) -> list[int]:
    """The active client users the announcement reaches."""
    memberships = ClientMembership.objects.filter(user__is_active=True)
    if announcement.audience == Audience.CLIENTS:
        memberships = memberships.filter(client__in=announcement.clients.all())
    elif announcement.audience == Audience.PRODUCT:
        memberships = memberships.filter(client__deployments__product=announcement.product)
    elif announcement.audience == Audience.RELEASE:
        memberships = memberships.filter(client__deployments__release=announcement.release)
    return sorted(set(memberships.values_list("user_id", flat=True)))


def read_receipts(*, announcement: Announcement) -> QuerySet[AnnouncementRead]:
    """Who opened the announcement and when, earliest first (staff pages)."""
    return announcement.reads.select_related("user").order_by("read_at")
