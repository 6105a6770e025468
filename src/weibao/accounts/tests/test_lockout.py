"""Lockout after repeated failed sign-ins, per user name and per address, and unlocking."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.lockout import Attempt, lockout_release, login_failure_register, user_unlock
from weibao.accounts.models import AccessToken, AuditEvent, LoginThrottle, User
from weibao.accounts.tests.conftest import PASSWORD, is_signed_in, sign_in
from weibao.accounts.tokens import token_create
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
LOCKED_ZH = "暂时锁定"
LOCKED_EN = "temporarily locked"


def test_brute_force_gets_no_successful_guess(staff: User) -> None:
    successes = 0
    for attempt in range(50):
        http = HttpClient()
        response = sign_in(http, "staff", f"Guess-{attempt:03d}-Wrong!", address=f"10.0.0.{attempt % 10 + 1}")
        assert response.status_code == 200
        successes += is_signed_in(http)
    assert successes == 0
    failures = AuditEvent.objects.filter(action="user.login_failed", actor_label="staff")
    assert failures.count() == 50
    assert {event.address for event in failures} == {f"10.0.0.{n}" for n in range(1, 11)}
    lockouts = AuditEvent.objects.filter(action="user.lockout")
    locks = LoginThrottle.objects.filter(locked_until__isnull=False)
    assert lockouts.count() == locks.count() >= 1
    assert lockouts.filter(object_id=str(staff.pk)).exists()

    http = HttpClient()
    response = sign_in(http, "staff", PASSWORD, address="10.0.0.99")
    assert not is_signed_in(http)
    assert LOCKED_ZH in response.content.decode()
    assert failures.all().count() == 51
    assert not AuditEvent.objects.filter(action="user.login").exists()


def test_locked_account_refuses_right_and_wrong_password_with_the_same_message(staff: User) -> None:
    for _attempt in range(5):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    right = sign_in(HttpClient(), "staff", PASSWORD).context["form"].non_field_errors()
    wrong = sign_in(HttpClient(), "staff", "wrong-Password-1").context["form"].non_field_errors()
    assert right == wrong
    assert LOCKED_ZH in str(right)
    reasons = list(
        AuditEvent.objects.filter(action="user.login_failed").order_by("id").values_list("after__reason", flat=True)
    )
    assert reasons == ["password"] * 5 + ["locked"] * 2


def test_lock_message_is_english_for_an_english_browser(staff: User) -> None:
    for _attempt in range(5):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    response = sign_in(HttpClient(), "staff", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED_EN in str(response.context["form"].non_field_errors())


def test_four_failures_do_not_lock_and_the_right_password_then_works(staff: User) -> None:
    for _attempt in range(4):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    assert is_signed_in(http)
    assert not AuditEvent.objects.filter(action="user.lockout").exists()


def test_lockout_counts_per_address_across_user_names(staff: User, admin: User) -> None:
    for name in ("a1", "a2", "a3", "admin", "nobody"):
        sign_in(HttpClient(), name, "wrong-Password-1", address="192.0.2.50")
    blocked = HttpClient()
    response = sign_in(blocked, "staff", PASSWORD, address="192.0.2.50")
    assert not is_signed_in(blocked)
    assert LOCKED_ZH in response.content.decode()
    elsewhere = HttpClient()
    sign_in(elsewhere, "staff", PASSWORD, address="192.0.2.51")
    assert is_signed_in(elsewhere)
    lockout = AuditEvent.objects.get(action="user.lockout")
    assert lockout.after["kind"] == "address"
    assert lockout.after["key"] == "192.0.2.50"


def test_user_name_lock_ignores_case(staff: User) -> None:
    for name in ("Staff", "STAFF", "staff", "sTaff", "staff"):
        sign_in(HttpClient(), name, "wrong-Password-1", address=f"10.1.0.{len(name) + ord(name[1])}")
    http = HttpClient()
    sign_in(http, "staff", PASSWORD, address="10.2.0.1")
    assert not is_signed_in(http)


def test_lock_runs_out_after_the_configured_minutes(staff: User, settings) -> None:
    settings.LOCKOUT_MINUTES = 10
    with time_machine.travel(START, tick=False) as clock:
        for _attempt in range(5):
            sign_in(HttpClient(), "staff", "wrong-Password-1")
        clock.shift(dt.timedelta(minutes=9, seconds=59))
        assert not is_signed_in(_signed(HttpClient()))
        clock.shift(dt.timedelta(seconds=2))
        assert is_signed_in(_signed(HttpClient()))


def _signed(http: HttpClient) -> HttpClient:
    sign_in(http, "staff", PASSWORD)
    return http


def test_failures_spread_wider_than_the_window_never_lock(staff: User, settings) -> None:
    settings.LOCKOUT_FAILURES = 3
    with time_machine.travel(START, tick=False) as clock:
        for _attempt in range(6):
            sign_in(HttpClient(), "staff", "wrong-Password-1")
            clock.shift(dt.timedelta(minutes=8))
        assert is_signed_in(_signed(HttpClient()))
    assert not AuditEvent.objects.filter(action="user.lockout").exists()


def test_lockout_threshold_is_a_setting(staff: User, settings) -> None:
    settings.LOCKOUT_FAILURES = 2
    sign_in(HttpClient(), "staff", "wrong-Password-1")
    sign_in(HttpClient(), "staff", "wrong-Password-1")
    assert not is_signed_in(_signed(HttpClient()))


def test_lockout_is_recorded_once_when_several_servers_count_the_same_failures(staff: User) -> None:
    attempt = Attempt(username="staff", address=None)
    locked = [login_failure_register(attempt=attempt) for _failure in range(12)]
    assert sum(len(batch) for batch in locked) == 1
    assert AuditEvent.objects.filter(action="user.lockout").count() == 1


def test_api_token_still_works_for_a_locked_account(staff: User) -> None:
    issued = token_create(actor=staff, name="export", scope=AccessToken.Scope.READ)
    for _attempt in range(5):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    response = HttpClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert response.json()["username"] == "staff"


def _lock_staff() -> None:
    # From several addresses, so that only the user name is locked.
    for attempt in range(5):
        sign_in(HttpClient(), "staff", "wrong-Password-1", address=f"10.7.0.{attempt}")


def test_administrator_unlocks_a_user_and_the_unlock_is_audited(staff: User, admin: User) -> None:
    _lock_staff()
    assert user_unlock(actor=admin, user=staff) == 1
    assert is_signed_in(_signed(HttpClient()))
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.actor == admin
    assert event.object_id == str(staff.pk)


def test_staff_may_not_unlock(staff: User, auditor: User) -> None:
    for _attempt in range(5):
        sign_in(HttpClient(), "staff", "wrong-Password-1")
    throttle = LoginThrottle.objects.get(kind="username")
    with pytest.raises(PermissionDeniedError):
        lockout_release(actor=auditor, throttle_id=throttle.pk)
    with pytest.raises(PermissionDeniedError):
        user_unlock(actor=staff, user=staff)
    assert not AuditEvent.objects.filter(action="user.unlock").exists()


def test_admin_action_unlocks_the_selected_users(staff: User, as_admin: HttpClient) -> None:
    _lock_staff()
    response = as_admin.post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock", "_selected_action": [staff.pk]}
    )
    assert response.status_code == 302
    assert is_signed_in(_signed(HttpClient()))
    assert AuditEvent.objects.filter(action="user.unlock").count() == 1


def test_admin_login_page_sends_to_the_weibao_login(db: None) -> None:
    response = HttpClient().get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
