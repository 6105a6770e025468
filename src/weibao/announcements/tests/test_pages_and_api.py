"""Announcement pages and API: staff write and publish, clients read and leave receipts, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import User
from weibao.announcements import services
from weibao.announcements.models import Announcement, AnnouncementRead
from weibao.customers.models import Client

pytestmark = pytest.mark.django_db
API = "/api/v1/announcements"


def _json(http: HttpClient, method: str, url: str, data: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if data is not None:
        kwargs = {"data": data, "content_type": "application/json"}
    return getattr(http, method)(url, **kwargs)


def test_staff_write_and_publish_on_the_pages_and_a_client_reads_it(
    as_staff: HttpClient, as_client_a: HttpClient, client_a: Client, client_a_user: User
) -> None:
    created = as_staff.post(
        reverse("announcements:create"),
        {
            "title": "春节值班安排",
            "body": "<p>2月6日至13日有值班工程师。</p>",
            "audience": "clients",
            "clients": [client_a.pk],
        },
    )
    assert created.status_code == 302, created.content.decode()
    announcement = Announcement.objects.get()
    as_staff.post(reverse("announcements:step", args=[announcement.pk]), {"step": "publish"})
    announcement.refresh_from_db()
    assert announcement.status == "published"
    listing = as_client_a.get(reverse("announcements:list")).content.decode()
    assert "春节值班安排" in listing
    assert "新" in listing
    page = as_client_a.get(reverse("announcements:detail", args=[announcement.pk]))
    assert "2月6日至13日" in page.content.decode()
    as_client_a.get(reverse("announcements:detail", args=[announcement.pk]))
    assert AnnouncementRead.objects.filter(announcement=announcement, user=client_a_user).count() == 1
    receipts = as_staff.get(reverse("announcements:detail", args=[announcement.pk])).content.decode()
    assert str(client_a_user) in receipts


def test_bad_input_on_the_form_names_the_field(as_staff: HttpClient) -> None:
    response = as_staff.post(reverse("announcements:create"), {"title": "", "body": "内容", "audience": "product"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "title" in errors
    assert not Announcement.objects.exists()


def test_client_isolation_pages_of_an_announcement_to_another_client_are_404(
    staff: User, client_a: Client, as_client_b: HttpClient
) -> None:
    announcement = services.announcement_create(
        actor=staff, title="仅甲", body="内容", audience="clients", clients=[client_a]
    )
    services.announcement_publish(actor=staff, announcement_id=announcement.pk)
    assert as_client_b.get(reverse("announcements:detail", args=[announcement.pk])).status_code == 404
    assert _json(as_client_b, "get", f"{API}/{announcement.pk}").status_code == 404
    assert _json(as_client_b, "post", f"{API}/{announcement.pk}/read").status_code == 404
    assert "仅甲" not in as_client_b.get(reverse("announcements:list")).content.decode()


def test_client_users_cannot_reach_the_staff_pages(as_client_a: HttpClient, staff: User) -> None:
    announcement = services.announcement_create(actor=staff, title="草稿", body="内容")
    assert as_client_a.get(reverse("announcements:create")).status_code == 404
    assert as_client_a.get(reverse("announcements:update", args=[announcement.pk])).status_code == 404  # a draft
    assert (
        as_client_a.post(reverse("announcements:step", args=[announcement.pk]), {"step": "publish"}).status_code == 404
    )


def test_api_create_publish_read_once(as_staff: HttpClient, as_client_a: HttpClient, client_a: Client) -> None:
    created = _json(
        as_staff,
        "post",
        API,
        {"title": "版本 2.1 上线", "body": "<p>新功能</p>", "clients": [client_a.pk], "audience": "clients"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    published = _json(as_staff, "post", f"{API}/{pk}/steps", {"step": "publish"})
    assert published.json()["status"] == "published"
    assert _json(as_client_a, "get", API).json()["items"][0]["is_read"] is False
    for _ in range(2):
        read = _json(as_client_a, "post", f"{API}/{pk}/read")
        assert read.status_code == 200
        assert read.json()["is_read"] is True
    assert AnnouncementRead.objects.filter(announcement_id=pk).count() == 1


def test_api_bad_input_names_the_field(as_staff: HttpClient) -> None:
    unknown = _json(as_staff, "post", API, {"title": "t", "body": "b", "audience": "clients", "clients": [999999]})
    assert unknown.status_code == 422
    assert "clients" in unknown.content.decode()
    empty = _json(as_staff, "post", API, {"title": " ", "body": "b"})
    assert empty.status_code == 422
    assert "title" in empty.content.decode()
    assert not Announcement.objects.exists()


def test_api_client_users_cannot_publish(as_client_a: HttpClient, staff: User) -> None:
    announcement = services.announcement_create(actor=staff, title="草稿", body="内容")
    assert _json(as_client_a, "post", API, {"title": "t", "body": "b"}).status_code == 403
    assert _json(as_client_a, "post", f"{API}/{announcement.pk}/steps", {"step": "publish"}).status_code == 404


def test_portal_list_query_budget(
    staff: User, client_a: Client, as_client_a: HttpClient, django_assert_max_num_queries: Any
) -> None:
    for n in range(10):
        announcement = services.announcement_create(actor=staff, title=f"通知 {n}", body="内容")
        services.announcement_publish(actor=staff, announcement_id=announcement.pk)
    with django_assert_max_num_queries(12):
        assert as_client_a.get(reverse("announcements:list")).status_code == 200
