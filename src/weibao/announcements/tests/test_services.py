"""Announcements: audiences, publishing, read receipts, bad input, audit and sanitising."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from weibao.accounts.models import AuditEvent, User
from weibao.announcements import selectors, services
from weibao.announcements.models import Announcement, AnnouncementRead
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.customers.models import Client, Deployment
from weibao.notifications.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal_product(client_a: Client) -> tuple[Product, Release]:
    """A product only client A runs, at version 2.1."""
    product = Product.objects.create(code="jmfw", name="居民服务小程序")
    old = Release.objects.create(product=product, version="2.0", released_on=dt.date(2026, 3, 1))
    new = Release.objects.create(product=product, version="2.1", released_on=dt.date(2026, 9, 1))
    Deployment.objects.create(client=client_a, name="小程序", product=product, release=new)
    return product, old


def _published(staff: User, **fields: Any) -> Announcement:
    announcement = services.announcement_create(
        actor=staff, title="系统升级通知", body="<p>周六 22:00 升级。</p>", **fields
    )
    return services.announcement_publish(actor=staff, announcement_id=announcement.pk)


def test_an_announcement_to_every_client_reaches_both_clients(staff, client_a_user, client_b_user) -> None:
    announcement = _published(staff)
    for user in (client_a_user, client_b_user):
        assert selectors.announcement_get(actor=user, pk=announcement.pk) == announcement


def test_client_isolation_an_announcement_to_client_a_is_absent_for_client_b(
    staff, client_a, client_a_user, client_b_user
) -> None:
    announcement = _published(staff, audience="clients", clients=[client_a])
    assert selectors.announcement_get(actor=client_a_user, pk=announcement.pk) == announcement
    with pytest.raises(ObjectNotFoundError):
        selectors.announcement_get(actor=client_b_user, pk=announcement.pk)
    assert list(selectors.announcement_list(actor=client_b_user)) == []


def test_product_and_version_audiences_reach_the_clients_running_them(
    staff, portal_product, client_a_user, client_b_user
) -> None:
    product, old_release = portal_product
    by_product = _published(staff, audience="product", product=product)
    at_old_version = _published(staff, audience="release", release=old_release)
    assert [a.pk for a in selectors.announcement_list(actor=client_a_user)] == [by_product.pk]
    assert list(selectors.announcement_list(actor=client_b_user)) == []
    assert at_old_version.product == product  # taken from the version
    assert selectors.audience_user_ids(by_product) == [client_a_user.pk]
    assert selectors.audience_user_ids(at_old_version) == []


def _told(user: User) -> int:
    return Delivery.objects.filter(notification__event="announcement.published", channel="inapp", user=user).count()


def test_publishing_notifies_the_audience_in_app_once(staff, client_a, client_a_user, client_b_user) -> None:
    announcement = _published(staff, audience="clients", clients=[client_a])
    assert _told(client_a_user) == 1
    assert _told(client_b_user) == 0
    with pytest.raises(services.AnnouncementStateError):
        services.announcement_publish(actor=staff, announcement_id=announcement.pk)
    assert _told(client_a_user) == 1


def test_drafts_withdrawn_and_expired_announcements_are_absent_for_clients(staff, client_a_user) -> None:
    draft = services.announcement_create(actor=staff, title="草稿", body="内容")
    withdrawn = services.announcement_withdraw(actor=staff, announcement_id=_published(staff).pk)
    soon = timezone.now() + dt.timedelta(days=1)
    expiring = _published(staff, expires_at=soon)
    visible = {a.pk for a in selectors.announcement_list(actor=client_a_user)}
    assert draft.pk not in visible
    assert withdrawn.pk not in visible
    assert expiring.pk in visible
    with time_machine.travel(soon + dt.timedelta(minutes=1)):
        assert expiring.pk not in {a.pk for a in selectors.announcement_list(actor=client_a_user)}
    assert {a.pk for a in selectors.announcement_list(actor=staff)} >= {draft.pk, withdrawn.pk, expiring.pk}


def test_read_receipt_is_recorded_once_per_user(staff, client_a_user) -> None:
    announcement = _published(staff)
    assert selectors.unread_count(actor=client_a_user) == 1
    assert services.announcement_mark_read(actor=client_a_user, announcement=announcement) is True
    assert services.announcement_mark_read(actor=client_a_user, announcement=announcement) is False
    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    assert selectors.unread_count(actor=client_a_user) == 0
    assert services.announcement_mark_read(actor=staff, announcement=announcement) is False


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": "<script>alert(1)</script>"}, "body"),
        ({"audience": "clients"}, "clients"),
        ({"audience": "product"}, "product"),
        ({"audience": "release"}, "release"),
        ({"audience": "everyone"}, "audience"),
        ({"expires_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "expires_at"),
    ],
)
def test_bad_input_names_the_field_in_chinese(staff, fields, field) -> None:
    values: dict[str, Any] = {"title": "升级通知", "body": "内容", **fields}
    with pytest.raises(ValidationError) as exc:
        services.announcement_create(actor=staff, **values)
    assert field in exc.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(exc.value.message_dict[field]))
    assert not Announcement.objects.exists()


def test_a_version_of_another_product_is_refused(staff, product, portal_product) -> None:
    _other_product, other_release = portal_product
    with pytest.raises(ValidationError) as exc:
        services.announcement_create(
            actor=staff, title="t", body="b", audience="release", product=product, release=other_release
        )
    assert "release" in exc.value.message_dict


def test_sanitised_html_scripts_and_handlers_do_not_survive(staff) -> None:
    announcement = services.announcement_create(
        actor=staff,
        title="通知",
        body='<p onclick="alert(1)">升级</p><script>alert(2)</script><a href="javascript:alert(3)">链接</a>',
    )
    assert "script" not in announcement.body
    assert "onclick" not in announcement.body
    assert "javascript:" not in announcement.body
    assert "升级" in announcement.body


def test_client_users_and_read_only_roles_cannot_write(client_a_user, auditor) -> None:
    for actor in (client_a_user, auditor):
        with pytest.raises(PermissionDeniedError):
            services.announcement_create(actor=actor, title="t", body="b")


def test_audit_rows_for_create_update_publish_and_withdraw(staff, client_a, client_b) -> None:
    announcement = services.announcement_create(actor=staff, title="通知", body="内容")
    services.announcement_update(
        actor=staff, announcement_id=announcement.pk, changes={"audience": "clients", "clients": [client_a, client_b]}
    )
    services.announcement_publish(actor=staff, announcement_id=announcement.pk)
    services.announcement_withdraw(actor=staff, announcement_id=announcement.pk)
    actions = list(
        AuditEvent.objects.filter(action__startswith="announcement.").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["announcement.create", "announcement.update", "announcement.publish", "announcement.withdraw"]
    with pytest.raises(services.AnnouncementStateError):
        services.announcement_update(actor=staff, announcement_id=announcement.pk, changes={"title": "改"})
