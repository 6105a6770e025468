"""A user's own login history; the security officer's page; separation of duties (三员分立)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, LoginThrottle, Role, TotpDevice, User
from weibao.accounts.tests.conftest import PASSWORD, is_signed_in, sign_in

pytestmark = pytest.mark.django_db


def _lock(username: str) -> None:
    # From several addresses, so that only the user name is locked.
    for attempt in range(5):
        sign_in(HttpClient(), username, "wrong-Password-1", address=f"10.8.0.{attempt}")


def test_login_history_shows_own_sign_ins_and_failures_only(staff: User, auditor: User) -> None:
    sign_in(HttpClient(), "staff", "wrong-Password-1", address="10.3.3.3")
    http = HttpClient()
    sign_in(http, "staff", PASSWORD, address="10.4.4.4")
    sign_in(HttpClient(), "auditor", PASSWORD, address="10.5.5.5")
    response = http.get(reverse("accounts:login_history"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [e.action for e in response.context["objects"]] == ["user.login", "user.login_failed"]
    assert "10.3.3.3" in html
    assert "10.4.4.4" in html
    assert "10.5.5.5" not in html
    assert "登录成功" in html
    assert "密码错误" in html


def test_login_history_in_english(staff: User) -> None:
    staff.language = "en"
    staff.save()
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    html = http.get(reverse("accounts:login_history")).content.decode()
    assert "Login history" in html
    assert "Signed in" in html


def test_login_history_lists_without_a_query_per_row(staff: User, django_assert_max_num_queries) -> None:
    for _attempt in range(4):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    with django_assert_max_num_queries(8):
        http.get(reverse("accounts:login_history"))


def test_security_officer_unlocks_from_the_security_page(staff: User, as_security_officer: HttpClient) -> None:
    _lock("staff")
    page = as_security_officer.get(reverse("accounts:security_user_list"), {"locked": "on"})
    assert [u.username for u in page.context["objects"]] == ["staff"]
    assert reverse("accounts:user_unlock", kwargs={"pk": staff.pk}) in page.content.decode()
    response = as_security_officer.post(reverse("accounts:user_unlock", kwargs={"pk": staff.pk}))
    assert response["Location"] == reverse("accounts:security_user_list")
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    assert is_signed_in(http)
    assert AuditEvent.objects.get(action="user.unlock").actor_label == "secofficer"


def test_security_officer_lifts_an_address_lock(staff: User, as_security_officer: HttpClient) -> None:
    for name in ("x1", "x2", "x3", "x4", "x5"):
        sign_in(HttpClient(), name, "wrong-Password-1", address="198.51.100.7")
    lock = LoginThrottle.objects.get(kind="address", key="198.51.100.7")
    page = as_security_officer.get(reverse("accounts:security_user_list"))
    assert "198.51.100.7" in page.content.decode()
    as_security_officer.post(reverse("accounts:lockout_release", kwargs={"pk": lock.pk}))
    http = HttpClient()
    sign_in(http, "staff", PASSWORD, address="198.51.100.7")
    assert is_signed_in(http)


def test_security_page_resets_two_factor(staff: User, as_security_officer: HttpClient) -> None:
    TotpDevice.objects.create(user=staff, secret="JBSWY3DPEHPK3PXP")
    as_security_officer.post(reverse("accounts:user_totp_reset", kwargs={"pk": staff.pk}))
    assert not TotpDevice.objects.filter(user=staff).exists()


def test_security_pages_are_refused_to_staff_and_hidden_from_client_users(
    staff: User, as_staff: HttpClient, as_client_a: HttpClient
) -> None:
    assert as_staff.get(reverse("accounts:security_user_list")).status_code == 403
    assert as_staff.post(reverse("accounts:user_unlock", kwargs={"pk": staff.pk})).status_code == 403
    assert as_client_a.get(reverse("accounts:security_user_list")).status_code == 404
    assert as_client_a.post(reverse("accounts:user_unlock", kwargs={"pk": staff.pk})).status_code == 404
    assert as_client_a.post(reverse("accounts:lockout_release", kwargs={"pk": 1})).status_code == 404


def test_unknown_ids_on_the_security_page_are_404(as_security_officer: HttpClient) -> None:
    assert as_security_officer.post(reverse("accounts:user_unlock", kwargs={"pk": 999999})).status_code == 404
    assert as_security_officer.post(reverse("accounts:lockout_release", kwargs={"pk": 999999})).status_code == 404


def test_security_page_lists_without_a_query_per_row(
    as_security_officer: HttpClient, django_assert_max_num_queries
) -> None:
    for n in range(30):
        User.objects.create(username=f"user{n:02d}", role=Role.AGENT)
    with django_assert_max_num_queries(8):
        assert as_security_officer.get(reverse("accounts:security_user_list")).status_code == 200


def test_without_separation_the_administrator_reads_the_audit_trail_and_unlocks(
    as_admin: HttpClient, as_auditor: HttpClient, as_security_officer: HttpClient
) -> None:
    assert as_admin.get(reverse("accounts:audit_list")).status_code == 200
    assert as_admin.get("/api/v1/audit-events").status_code == 200
    assert as_admin.get(reverse("accounts:security_user_list")).status_code == 200
    assert as_auditor.get(reverse("accounts:audit_list")).status_code == 200
    assert as_security_officer.get(reverse("accounts:audit_list")).status_code == 200


def test_with_separation_of_duties_the_administrator_cannot_read_the_audit_trail(
    settings, admin: User, as_admin: HttpClient, as_auditor: HttpClient, as_security_officer: HttpClient
) -> None:
    settings.SEPARATION_OF_DUTIES = True
    assert as_admin.get(reverse("accounts:audit_list")).status_code == 403
    assert as_admin.get("/api/v1/audit-events").status_code == 403
    assert as_admin.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403
    assert reverse("accounts:audit_list") not in as_admin.get(reverse("core:home")).content.decode()
    assert as_admin.get(reverse("accounts:security_user_list")).status_code == 403
    assert as_auditor.get(reverse("accounts:audit_list")).status_code == 200
    assert as_auditor.get("/api/v1/audit-events").status_code == 200
    assert as_security_officer.get(reverse("accounts:audit_list")).status_code == 200
    assert as_security_officer.get(reverse("accounts:security_user_list")).status_code == 200


def test_with_separation_of_duties_only_the_auditor_and_security_officer_read_audit(
    settings, admin: User, auditor: User, staff: User, security_officer: User
) -> None:
    settings.SEPARATION_OF_DUTIES = True
    manager = User.objects.create_user(username="manager", password=PASSWORD, role=Role.SERVICE_MANAGER)
    readers = {u.username for u in (admin, auditor, staff, security_officer, manager) if u.can_read_audit}
    assert readers == {"auditor", "secofficer"}
    assert not auditor.can_write_archive
    assert not security_officer.can_write_archive
    assert security_officer.can_manage_security
    assert not admin.can_manage_security
    settings.SEPARATION_OF_DUTIES = False
    readers = {u.username for u in (admin, auditor, staff, security_officer, manager) if u.can_read_audit}
    assert readers == {"admin", "auditor", "secofficer", "manager"}
