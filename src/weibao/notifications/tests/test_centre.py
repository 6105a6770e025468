"""The notification centre, preferences and the settings pages, through the API and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, User
from weibao.notifications import events
from weibao.notifications.delivering import deliveries_run_due
from weibao.notifications.dispatch import Recipients, notify
from weibao.notifications.models import Endpoint, InboxItem, MessageTemplate, Preference, Rule

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


def _item(user: User, title: str = "Reply on WB-1") -> InboxItem:
    return InboxItem.objects.create(user=user, event=events.REQUEST_REPLIED, title=title, link="/portal/1/")


def test_the_api_lists_only_the_callers_own_notifications(
    client_a_user: User, client_b_user: User, as_client_a: HttpClient
) -> None:
    _item(client_a_user, "mine")
    _item(client_b_user, "theirs")
    response = as_client_a.get(API)
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["mine"]
    assert as_client_a.get(f"{API}/unread").json() == {"count": 1}


def test_marking_read_counts_down_and_another_persons_entry_is_not_found(
    client_a_user: User, client_b_user: User, as_client_a: HttpClient
) -> None:
    mine = _item(client_a_user)
    theirs = _item(client_b_user)
    assert as_client_a.post(f"{API}/{theirs.pk}/read").status_code == 404
    response = as_client_a.post(f"{API}/{mine.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert as_client_a.get(f"{API}/unread").json() == {"count": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_the_callers_entries(
    staff: User, client_a_user: User, as_client_a: HttpClient
) -> None:
    _item(client_a_user)
    _item(client_a_user)
    _item(staff)
    assert as_client_a.post(f"{API}/read-all").json() == {"marked": 2}
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 1


def test_preferences_switch_a_channel_off_and_notify_respects_it(staff: User, as_staff: HttpClient) -> None:
    staff.email = "staff@example.com"
    staff.save()
    body = {"items": [{"event": "request.created", "channel": "email", "enabled": False}]}
    response = as_staff.put("/api/v1/notification-preferences", body, content_type="application/json")
    assert response.status_code == 200
    row = next(r for r in response.json() if r["event"] == "request.created" and r["channel"] == "email")
    assert row["enabled"] is False
    notify(event=events.REQUEST_CREATED, recipients=Recipients(user_ids=(staff.pk,)), context={})
    assert deliveries_run_due() == {"sent": 1}  # in-app only


def test_an_unknown_event_in_preferences_is_a_field_error(as_staff: HttpClient) -> None:
    body = {"items": [{"event": "request.exploded", "channel": "sms", "enabled": True}]}
    response = as_staff.put("/api/v1/notification-preferences", body, content_type="application/json")
    assert response.status_code in {400, 422}
    assert set(response.json()["errors"]) == {"items.0.event", "items.0.channel"}
    assert not Preference.objects.exists()


def test_the_preference_error_reads_in_chinese(staff: User, as_staff: HttpClient) -> None:
    body = {"items": [{"event": "request.exploded", "channel": "inapp", "enabled": True}]}
    response = as_staff.put(
        "/api/v1/notification-preferences",
        body,
        content_type="application/json",
        headers={"accept-language": "zh-hans"},
    )
    assert response.json()["errors"]["items.0.event"] == ["未知事件“request.exploded”。"]


def test_the_centre_page_lists_my_entries_and_opening_one_marks_it_read(
    client_a_user: User, client_b_user: User, as_client_a: HttpClient
) -> None:
    mine = _item(client_a_user, "mine")
    _item(client_b_user, "theirs")
    page = as_client_a.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    assert "mine" in page.content.decode()
    assert "theirs" not in page.content.decode()
    response = as_client_a.post(reverse("notifications:read", args=[mine.pk]), {"go": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_centre_page_is_in_chinese_for_a_chinese_user(client_a_user: User, as_client_a: HttpClient) -> None:
    page = as_client_a.get(reverse("notifications:inbox"), headers={"accept-language": "zh-hans"})
    assert "通知中心" in page.content.decode()


def test_the_preferences_page_saves_unticked_boxes_as_off(staff: User, as_staff: HttpClient) -> None:
    ticked = {"request.created|inapp": "on"}
    assert as_staff.post(reverse("notifications:preferences"), ticked).status_code == 200
    assert Preference.objects.get(user=staff, event="request.created", channel="inapp").enabled is True
    assert Preference.objects.get(user=staff, event="request.created", channel="email").enabled is False


def test_only_administrators_reach_the_channel_settings(as_staff: HttpClient, as_client_a: HttpClient) -> None:
    assert as_staff.get(reverse("notifications:channel_list")).status_code == 403
    assert as_client_a.get(reverse("notifications:rules")).status_code == 403


def test_an_administrator_adds_a_robot_and_its_secret_stays_out_of_the_audit_trail(as_admin: HttpClient) -> None:
    form = {
        "kind": "dingtalk",
        "name": "Ops group",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SECtop-secret",
        "events": ["sla.breached"],
        "enabled": "on",
        "mention_on_duty": "on",
    }
    response = as_admin.post(reverse("notifications:channel_create"), form)
    assert response.status_code == 302, response.context["form"].errors
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["sla.breached"]
    audit = AuditEvent.objects.get(action="notifications.channel.create")
    assert "SECtop-secret" not in str(audit.after)
    assert "abc" not in str(audit.after)


def test_a_channel_pointing_inside_is_refused_by_field(as_admin: HttpClient, settings: Any) -> None:
    settings.OUTBOUND_ALLOW = []
    form = {"kind": "webhook", "name": "Metadata", "url": "http://169.254.169.254/latest/", "enabled": "on"}
    response = as_admin.post(reverse("notifications:channel_create"), form)
    assert response.status_code == 200
    assert "不允许访问" in response.content.decode()  # the administrator reads Chinese
    assert not Endpoint.objects.exists()


def test_a_rule_saved_on_the_rules_page_changes_who_hears_of_an_event(as_admin: HttpClient) -> None:
    form = {"event": "sla.warning", "sla.warning-enabled": "on", "sla.warning-channels": ["inapp"]}
    assert as_admin.post(reverse("notifications:rules"), form).status_code == 302
    rule = Rule.objects.get(event="sla.warning")
    assert (rule.enabled, rule.channels) == (True, ["inapp"])


def test_an_administrators_template_is_used_and_a_broken_one_is_refused(staff: User, as_admin: HttpClient) -> None:
    url = reverse("notifications:template_edit", args=["request.created", "en"])
    broken = as_admin.post(url, {"subject": "{% if %}", "body": "x"})
    assert broken.status_code == 200
    assert "模板错误" in broken.content.decode()
    assert as_admin.post(url, {"subject": "NEW {{ number }}", "body": "Look: {{ link }}"}).status_code == 302
    assert MessageTemplate.objects.get().subject == "NEW {{ number }}"
    staff.language = "en"
    staff.save()
    notify(
        event=events.REQUEST_CREATED,
        recipients=Recipients(user_ids=(staff.pk,)),
        context={"number": "WB-9"},
        link="/tickets/9/",
    )
    deliveries_run_due()
    item = InboxItem.objects.get(user=staff)
    assert (item.title, item.body) == ("NEW WB-9", "Look: /tickets/9/")


def test_the_deliveries_page_shows_dead_letters(as_admin: HttpClient, settings: Any) -> None:
    settings.OUTBOUND_ALLOW = []
    Endpoint.objects.create(kind="webhook", name="inside", url="http://10.0.0.1/hook")
    notify(event=events.SLA_BREACHED, recipients=Recipients(), context={"number": "WB-3"})
    deliveries_run_due()
    page = as_admin.get(reverse("notifications:delivery_list"), {"state": "dead"})
    assert "10.0.0.1" in page.content.decode()
