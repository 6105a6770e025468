"""The audit trail page, its selectors, and the append-only rule."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.audit import event_record
from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.selectors import audit_event_list, events_for
from weibao.accounts.tokens import token_create
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db
URL = "/accounts/audit/"


def test_audit_list_url_is_the_one_the_menu_links_to() -> None:
    assert reverse("accounts:audit_list") == URL


def test_auditor_sees_the_trail_with_before_and_after(staff: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="thing.update", before={"name": "旧名称"}, after={"name": "新名称"})
    response = as_auditor.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "thing.update" in html
    assert "旧名称" in html
    assert "新名称" in html


def test_staff_without_audit_right_gets_403(as_staff: HttpClient) -> None:
    assert as_staff.get(URL).status_code == 403


def test_client_user_gets_404(as_client_a: HttpClient) -> None:
    assert as_client_a.get(URL).status_code == 404


def test_administrator_and_service_manager_may_read(as_admin: HttpClient, staff: User) -> None:
    assert as_admin.get(URL).status_code == 200
    staff.role = "service_manager"
    staff.save()
    http = HttpClient()
    http.force_login(staff)
    assert http.get(URL).status_code == 200


def test_filters_narrow_the_trail(staff: User, admin: User, auditor: User, as_auditor: HttpClient) -> None:
    token = token_create(actor=staff, name="监控导出", scope="read").token
    token_create(actor=admin, name="备份脚本", scope="read")
    event_record(actor=staff, action="tokenish.other")

    def actions(**params: str) -> list[tuple[str, str]]:
        page = as_auditor.get(URL, params)
        assert page.status_code == 200
        return [(e.action, e.actor_label) for e in page.context["objects"]]

    assert actions(action="token.") == [("token.create", "admin"), ("token.create", "staff")]
    assert actions(action="token.", actor="STAFF") == [("token.create", "staff")]
    assert actions(object_type="accounts.accesstoken", q="监控") == [("token.create", "staff")]
    assert [e.object_id for e in as_auditor.get(URL, {"q": "监控"}).context["objects"]] == [str(token.pk)]


def test_date_range_includes_the_whole_last_day(staff: User, as_auditor: HttpClient) -> None:
    day = dt.date(2026, 5, 10)
    for hour in (0, 23):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))
        with time_machine.travel(moment, tick=False):
            event_record(actor=staff, action=f"probe.h{hour}")
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 11, 0, 0)), tick=False):
        event_record(actor=staff, action="probe.next")
    page = as_auditor.get(URL, {"action": "probe.", "since": "2026-05-10", "until": "2026-05-10"})
    assert [e.action for e in page.context["objects"]] == ["probe.h23", "probe.h0"]


def test_reversed_date_range_names_the_field(as_auditor: HttpClient) -> None:
    page = as_auditor.get(URL, {"since": "2026-05-10", "until": "2026-05-01"})
    assert page.status_code == 200
    assert "until" in page.context["form"].errors
    assert "结束日期早于开始日期" in page.content.decode()


def test_junk_filters_do_not_break_the_page(as_auditor: HttpClient) -> None:
    page = as_auditor.get(URL, {"since": "yesterday", "object_type": "no.such", "page": "x"})
    assert page.status_code == 200
    assert "since" in page.context["form"].errors


def test_trail_is_paginated_and_served_in_a_fixed_number_of_queries(
    staff: User, as_auditor: HttpClient, django_assert_max_num_queries
) -> None:
    for index in range(60):
        token_create(actor=staff, name=f"t{index}", scope="read")
    with django_assert_max_num_queries(8):
        page = as_auditor.get(URL)
    assert len(page.context["objects"]) == 25
    assert page.context["page"].paginator.num_pages >= 3
    second = as_auditor.get(URL, {"page": "2", "action": "token."})
    assert second.context["page"].number == 2
    assert "action=token." in second.context["querystring"]


def test_selector_refuses_actors_without_the_audit_right(staff: User, client_a_user: User) -> None:
    for actor in (staff, client_a_user):
        with pytest.raises(PermissionDeniedError):
            audit_event_list(actor=actor)


def test_events_for_gives_one_objects_history_newest_first(staff: User) -> None:
    first = token_create(actor=staff, name="a", scope="read").token
    token_create(actor=staff, name="b", scope="read")
    event_record(actor=staff, action="token.note", obj=first)
    assert [e.action for e in events_for(first)] == ["token.note", "token.create"]
    assert len(events_for(first, limit=1)) == 1


def test_events_cannot_be_changed_or_deleted(staff: User) -> None:
    event = event_record(actor=staff, action="thing.create")
    event.action = "thing.forged"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "thing.create"


def test_event_keeps_a_label_for_an_actor_that_is_no_user() -> None:
    event = event_record(actor=None, actor_label="x" * 300, action="user.login_failed")
    assert event.actor_label == "x" * 150
    assert event_record(actor=None, action="system.tick").actor_label == "system"


def test_event_records_the_object_type_by_its_own_model(staff: User) -> None:
    token = token_create(actor=staff, name="a", scope="read").token
    event = AuditEvent.objects.get(action="token.create")
    assert event.object_type == ContentType.objects.get_for_model(AccessToken)
    assert event.object_id == str(token.pk)
    assert event.after["name"] == "a"


def test_admin_shows_events_read_only(as_admin: HttpClient, staff: User) -> None:
    event = event_record(actor=staff, action="thing.create")
    assert as_admin.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert as_admin.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert as_admin.post(reverse("admin:accounts_auditevent_delete", args=[event.pk])).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_hides_the_token_hash_and_revokes_through_the_service(as_admin: HttpClient, staff: User) -> None:
    token = token_create(actor=staff, name="a", scope="read").token
    page = as_admin.get(reverse("admin:accounts_accesstoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.secret_hash not in page.content.decode()
    as_admin.post(
        reverse("admin:accounts_accesstoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoke", actor_label="admin").exists()
