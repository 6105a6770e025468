"""The accounts API: /me, /tokens, /audit-events."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from weibao.accounts.audit import event_record
from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.tokens import token_create

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_me_describes_the_signed_in_user(staff: User, as_staff: HttpClient) -> None:
    body = as_staff.get("/api/v1/me").json()
    assert body == {
        "id": staff.pk,
        "username": "staff",
        "display_name": "",
        "email": "",
        "phone": "",
        "role": "agent",
        "language": "zh-hans",
    }


def test_anonymous_caller_gets_401() -> None:
    response = HttpClient().get("/api/v1/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_patch_me_changes_only_the_fields_sent(staff: User, as_staff: HttpClient) -> None:
    staff.email = "keep@example.cn"
    staff.save()
    response = as_staff.patch("/api/v1/me", {"display_name": "张工", "language": "en"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["display_name"] == "张工"
    staff.refresh_from_db()
    assert (staff.display_name, staff.language, staff.email) == ("张工", "en", "keep@example.cn")
    assert AuditEvent.objects.filter(action="user.update", actor=staff).count() == 1


def test_patch_me_with_bad_fields_gets_422_in_chinese(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.patch("/api/v1/me", {"email": "x", "phone": "电话", "language": "fr"}, content_type=JSON)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"email", "phone", "language"}
    assert "有效" in errors["email"][0]
    assert "电话号码" in errors["phone"][0]
    staff.refresh_from_db()
    assert staff.language == "zh-hans"


def test_patch_me_with_bad_fields_gets_422_in_english_for_an_english_user(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    response = as_staff.patch("/api/v1/me", {"email": "x", "display_name": 5}, content_type=JSON)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["display_name"] == ["Enter text."]
    response = as_staff.patch("/api/v1/me", {"email": "x"}, content_type=JSON)
    assert response.json()["errors"]["email"] == ["Enter a valid email address."]


def test_patch_me_with_too_long_name_names_the_field(as_staff: HttpClient) -> None:
    response = as_staff.patch("/api/v1/me", {"display_name": "长" * 101}, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["display_name"]


def test_create_token_returns_the_plaintext_once(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(
        "/api/v1/tokens",
        {"name": "导出", "scope": "read_write", "expires_at": "2099-01-01T00:00:00"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith(f"wb_{body['prefix']}_")
    assert body["scope"] == "read_write"
    assert body["expires_at"].startswith("2099-01-01T00:00:00")
    listed = as_staff.get("/api/v1/tokens").json()
    assert listed["count"] == 1
    assert "token" not in listed["items"][0]
    assert body["token"] not in str(AccessToken.objects.values_list())


def test_create_token_with_bad_input_gets_422_naming_fields(as_staff: HttpClient) -> None:
    response = as_staff.post(
        "/api/v1/tokens", {"name": " ", "scope": "all", "expires_at": "2001-01-01T00:00:00Z"}, content_type=JSON
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"name", "scope", "expires_at"}
    assert "令牌" in errors["name"][0]
    assert not AccessToken.objects.exists()


def test_create_token_with_bad_input_speaks_english_for_an_english_user(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    response = as_staff.post("/api/v1/tokens", {"scope": "read"}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["This field is required."]}
    response = as_staff.post("/api/v1/tokens", {"name": "", "scope": "x"}, content_type=JSON)
    assert response.json()["errors"]["scope"] == ["Choose read or read-write."]


def test_revoke_token_gives_204_and_another_users_token_404(staff: User, admin: User, as_staff: HttpClient) -> None:
    mine = token_create(actor=staff, name="a", scope="read").token
    theirs = token_create(actor=admin, name="b", scope="read").token
    assert as_staff.delete(f"/api/v1/tokens/{mine.pk}").status_code == 204
    assert as_staff.delete(f"/api/v1/tokens/{theirs.pk}").status_code == 404
    assert as_staff.delete("/api/v1/tokens/999999").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_token_list_is_paginated_in_a_fixed_number_of_queries(
    staff: User, as_staff: HttpClient, django_assert_max_num_queries
) -> None:
    for index in range(55):
        token_create(actor=staff, name=f"t{index}", scope="read")
    with django_assert_max_num_queries(5):
        body = as_staff.get("/api/v1/tokens").json()
    assert body["count"] == 55
    assert len(body["items"]) == 50
    assert len(as_staff.get("/api/v1/tokens?page=2").json()["items"]) == 5


def test_audit_events_for_an_auditor_with_filters(staff: User, as_auditor: HttpClient) -> None:
    token_create(actor=staff, name="监控导出", scope="read")
    event_record(actor=staff, action="thing.update", before={"a": 1}, after={"a": 2})
    body = as_auditor.get("/api/v1/audit-events", {"action": "token.", "actor": "staff"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["object_type"] == "accounts.accesstoken"
    assert item["object_repr"].startswith("监控导出")
    assert item["after"]["name"] == "监控导出"
    other = as_auditor.get("/api/v1/audit-events", {"action": "thing."}).json()["items"][0]
    assert (other["before"], other["after"], other["object_type"]) == ({"a": 1}, {"a": 2}, None)


def test_audit_events_time_filters_accept_times_with_and_without_offsets(staff: User, as_auditor: HttpClient) -> None:
    event_record(actor=staff, action="thing.update")
    assert as_auditor.get("/api/v1/audit-events", {"since": "2000-01-01T00:00:00"}).json()["count"] >= 1
    assert as_auditor.get("/api/v1/audit-events", {"until": "2000-01-01T00:00:00+08:00"}).json()["count"] == 0


def test_audit_events_bad_filter_gets_422_naming_it(as_auditor: HttpClient) -> None:
    response = as_auditor.get("/api/v1/audit-events", {"since": "yesterday"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["since"]


def test_audit_events_are_refused_to_staff_and_client_users(as_staff: HttpClient, as_client_a: HttpClient) -> None:
    for http in (as_staff, as_client_a):
        response = http.get("/api/v1/audit-events")
        assert response.status_code == 403
        assert "审计" in response.json()["detail"]


def test_audit_events_are_listed_in_a_fixed_number_of_queries(
    staff: User, as_auditor: HttpClient, django_assert_max_num_queries
) -> None:
    for index in range(60):
        token_create(actor=staff, name=f"t{index}", scope="read")
    with django_assert_max_num_queries(5):
        body = as_auditor.get("/api/v1/audit-events").json()
    assert len(body["items"]) == 50
