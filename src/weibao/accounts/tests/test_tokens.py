"""API tokens: the HTML pages, the services, and bearer authentication."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.models import AccessToken, AuditEvent, User
from weibao.accounts.tokens import token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


def test_created_token_is_shown_once_and_stored_only_as_a_hash(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(reverse("accounts:token_create"), {"name": "监控导出", "scope": "read"})
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    html = response.content.decode()
    assert f'class="secret" id="token-secret">{plaintext}<' in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    token = AccessToken.objects.get(user=staff)
    assert token.name == "监控导出"
    secret = plaintext.rsplit("_", 1)[-1]
    assert secret not in token.secret_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_accesstoken")
        assert secret not in str(cursor.fetchall())
    assert plaintext not in str(list(AuditEvent.objects.values_list("before", "after")))
    listing = as_staff.get(reverse("accounts:token_list")).content.decode()
    assert "监控导出" in listing
    assert secret not in listing


def test_token_list_shows_only_own_tokens_with_their_state(staff: User, admin: User, as_staff: HttpClient) -> None:
    token_create(actor=staff, name="mine", scope="read")
    revoked = token_create(actor=staff, name="old", scope="read").token
    token_revoke(actor=staff, token_id=revoked.pk)
    token_create(actor=admin, name="admins", scope="read")
    response = as_staff.get(reverse("accounts:token_list"))
    names = [t.name for t in response.context["objects"]]
    assert sorted(names) == ["mine", "old"]
    assert "badge danger" in response.content.decode()


def test_token_list_is_served_in_a_fixed_number_of_queries(
    staff: User, as_staff: HttpClient, django_assert_max_num_queries
) -> None:
    for index in range(30):
        token_create(actor=staff, name=f"t{index}", scope="read")
    with django_assert_max_num_queries(6):
        assert as_staff.get(reverse("accounts:token_list")).status_code == 200


def test_expiry_date_means_the_token_works_through_that_day(staff: User, as_staff: HttpClient) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    as_staff.post(reverse("accounts:token_create"), {"name": "x", "scope": "read", "expires_at": tomorrow.isoformat()})
    token = AccessToken.objects.get(user=staff)
    assert token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == tomorrow + dt.timedelta(days=1)
    assert timezone.localtime(token.expires_at).time() == dt.time.min


def test_invalid_token_form_names_fields_in_chinese(staff: User, as_staff: HttpClient) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = as_staff.post(
        reverse("accounts:token_create"), {"name": "  ", "scope": "everything", "expires_at": yesterday.isoformat()}
    )
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "这个字段是必填项" in str(errors["name"])
    assert "scope" in errors
    assert not AccessToken.objects.exists()


def test_past_expiry_is_refused_by_the_service_in_english_for_an_english_user(
    staff: User, as_staff: HttpClient
) -> None:
    staff.language = "en"
    staff.save()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = as_staff.post(
        reverse("accounts:token_create"), {"name": "x", "scope": "read", "expires_at": yesterday.isoformat()}
    )
    assert "The expiry must be in the future." in str(response.context["form"].errors["expires_at"])
    assert not AccessToken.objects.exists()


def test_past_expiry_is_refused_in_chinese(staff: User, as_staff: HttpClient) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = as_staff.post(
        reverse("accounts:token_create"), {"name": "x", "scope": "read", "expires_at": yesterday.isoformat()}
    )
    message = str(response.context["form"].errors["expires_at"])
    assert "The expiry" not in message
    assert "失效时间必须晚于当前时间" in message


def test_revoking_asks_first_then_revokes_on_post(staff: User, as_staff: HttpClient) -> None:
    token = token_create(actor=staff, name="x", scope="read").token
    url = reverse("accounts:token_revoke", kwargs={"pk": token.pk})
    assert as_staff.get(url).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    response = as_staff.post(url)
    assert response["Location"] == reverse("accounts:token_list")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(token.pk)).count() == 1


def test_another_users_token_cannot_be_revoked_from_the_page(admin: User, as_staff: HttpClient) -> None:
    token = token_create(actor=admin, name="x", scope="read").token
    url = reverse("accounts:token_revoke", kwargs={"pk": token.pk})
    assert as_staff.get(url).status_code == 404
    assert as_staff.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_client_user_cannot_revoke_another_clients_users_token(client_a_user: User, client_b_user: User) -> None:
    token = token_create(actor=client_b_user, name="x", scope="read").token
    http = HttpClient()
    http.force_login(client_a_user)
    assert http.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk})).status_code == 404


def test_a_read_token_reads_but_cannot_write(staff: User) -> None:
    plaintext = token_create(actor=staff, name="r", scope="read").plaintext
    http = HttpClient()
    assert http.get("/api/v1/me", headers=_bearer(plaintext)).json()["username"] == "staff"
    refused = http.post("/api/v1/tokens", {"name": "y"}, content_type="application/json", headers=_bearer(plaintext))
    assert refused.status_code == 403
    assert AccessToken.objects.count() == 1


def test_a_read_write_token_can_write(staff: User) -> None:
    plaintext = token_create(actor=staff, name="rw", scope="read_write").plaintext
    response = HttpClient().patch(
        "/api/v1/me", {"display_name": "张工"}, content_type="application/json", headers=_bearer(plaintext)
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "张工"


def test_revoked_expired_and_unknown_tokens_get_401(staff: User) -> None:
    revoked = token_create(actor=staff, name="a", scope="read")
    token_revoke(actor=staff, token_id=revoked.token.pk)
    expiring = token_create(actor=staff, name="b", scope="read", expires_at=timezone.now() + dt.timedelta(hours=1))
    http = HttpClient()
    assert http.get("/api/v1/me", headers=_bearer(revoked.plaintext)).status_code == 401
    assert http.get("/api/v1/me", headers=_bearer("wb_deadbeef_nothing")).status_code == 401
    assert http.get("/api/v1/me", headers=_bearer(expiring.plaintext[:-2] + "xx")).status_code == 401
    assert http.get("/api/v1/me", headers=_bearer(expiring.plaintext)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert http.get("/api/v1/me", headers=_bearer(expiring.plaintext)).status_code == 401


def test_token_of_a_deactivated_user_gets_401(staff: User) -> None:
    plaintext = token_create(actor=staff, name="a", scope="read").plaintext
    staff.is_active = False
    staff.save()
    assert HttpClient().get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401


def test_last_used_is_updated_at_most_once_a_minute(staff: User) -> None:
    issued = token_create(actor=staff, name="a", scope="read")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert token_authenticate(issued.plaintext) is not None
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        token_authenticate(issued.plaintext)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        HttpClient().get("/api/v1/me", headers=_bearer(issued.plaintext))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start + dt.timedelta(minutes=2)


def test_revoking_twice_is_harmless_and_recorded_once(staff: User) -> None:
    token = token_create(actor=staff, name="a", scope="read").token
    token_revoke(actor=staff, token_id=token.pk)
    first = AccessToken.objects.get(pk=token.pk).revoked_at
    token_revoke(actor=staff, token_id=token.pk)
    assert AccessToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
