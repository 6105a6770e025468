"""Optional two-factor sign-in: enrolment, the second step, recovery codes, reset, required for admins."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pyotp
import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, RecoveryCode, TotpDevice, User
from weibao.accounts.tests.conftest import PASSWORD, is_signed_in, sign_in
from weibao.accounts.twofactor import totp_enable, totp_reset, totp_secret_new
from weibao.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)


def _enrol(user: User) -> tuple[str, list[str]]:
    secret = totp_secret_new()
    codes = totp_enable(actor=user, secret=secret, code=pyotp.TOTP(secret).now())
    return secret, codes


def _code(http: HttpClient, code: str, **extra: Any) -> Any:
    return http.post(reverse("accounts:login_totp"), {"code": code}, **extra)


def _now() -> dt.datetime:
    # For tests that use a signed-in fixture client: travelling far would time its session out.
    return dt.datetime.now(tz=dt.UTC)


def test_enrolment_shows_a_qr_code_image_and_needs_a_right_code(staff: User, as_staff: HttpClient) -> None:
    with time_machine.travel(_now(), tick=False):
        page = as_staff.get(reverse("accounts:totp_enrol"))
        html = page.content.decode()
        assert re.search(r'<img class="qr" src="data:image/svg\+xml;', html)
        assert "<script>" not in html
        assert "style=" not in html
        secret = page.context["secret"]
        wrong = as_staff.post(reverse("accounts:totp_enrol"), {"code": "000000"})
        assert "验证码不正确" in str(wrong.context["form"].errors["code"])
        assert not TotpDevice.objects.filter(user=staff).exists()
        # The same secret is offered until enrolment succeeds.
        assert wrong.context["secret"] == secret
        done = as_staff.post(reverse("accounts:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    codes = done.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    stored = list(RecoveryCode.objects.filter(user=staff).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert AuditEvent.objects.filter(action="user.totp_enable", actor=staff).count() == 1
    profile = as_staff.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:totp_disable") in profile


def test_wrong_enrolment_code_in_english_for_an_english_user(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    as_staff.get(reverse("accounts:totp_enrol"))
    wrong = as_staff.post(reverse("accounts:totp_enrol"), {"code": "12"})
    assert "The code is not right" in str(wrong.context["form"].errors["code"])
    empty = as_staff.post(reverse("accounts:totp_enrol"), {"code": ""})
    assert "This field is required" in str(empty.context["form"].errors["code"])


def test_sign_in_asks_for_the_code_and_is_not_signed_in_before_it(staff: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        http = HttpClient()
        response = sign_in(http, "staff", PASSWORD)
        assert response["Location"] == reverse("accounts:login_totp")
        assert not is_signed_in(http)
        assert http.get(reverse("accounts:profile")).status_code == 302
        assert not AuditEvent.objects.filter(action="user.login").exists()
        done = _code(http, pyotp.TOTP(secret).now())
    assert done["Location"] == reverse("core:home")
    assert is_signed_in(http)
    assert AuditEvent.objects.filter(action="user.login", actor=staff).count() == 1


def test_second_step_keeps_the_page_asked_for(staff: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        http = HttpClient()
        target = reverse("accounts:token_list")
        http.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD, "next": target})
        assert _code(http, pyotp.TOTP(secret).now())["Location"] == target


def test_wrong_code_is_refused_audited_and_counts_toward_lockout(staff: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        http = HttpClient()
        sign_in(http, "staff", PASSWORD)
        wrong = _code(http, "123456")
        assert "验证码不正确" in str(wrong.context["form"].errors["code"])
        assert not is_signed_in(http)
        for _attempt in range(4):
            last = _code(http, "123456", follow=True)
        # The fifth wrong code locks the account and sends the user back to the login page.
        assert "暂时锁定" in last.content.decode()
        assert _code(http, pyotp.TOTP(secret).now())["Location"] == reverse("accounts:login")
        assert not is_signed_in(http)
    failures = AuditEvent.objects.filter(action="user.login_failed", object_id=str(staff.pk))
    assert [e.after["reason"] for e in failures.order_by("id")] == ["code"] * 5
    assert AuditEvent.objects.filter(action="user.lockout").exists()


def test_a_code_works_only_once(staff: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        code = pyotp.TOTP(secret).now()
        first = HttpClient()
        sign_in(first, "staff", PASSWORD)
        _code(first, code)
        assert is_signed_in(first)
        second = HttpClient()
        sign_in(second, "staff", PASSWORD)
        _code(second, code)
        assert not is_signed_in(second)


def test_recovery_code_signs_in_once(staff: User) -> None:
    _secret, codes = _enrol(staff)
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    _code(http, codes[3].upper())
    assert is_signed_in(http)
    again = HttpClient()
    sign_in(again, "staff", PASSWORD)
    refused = _code(again, codes[3])
    assert not is_signed_in(again)
    assert "code" in refused.context["form"].errors
    assert RecoveryCode.objects.filter(user=staff, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.get(action="user.recovery_code_use").after == {"recovery_codes_left": 9}


def test_second_step_without_a_password_step_goes_back_to_login(db: None) -> None:
    response = HttpClient().get(reverse("accounts:login_totp"))
    assert response["Location"] == reverse("accounts:login")


def test_second_step_expires_after_five_minutes(staff: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        http = HttpClient()
        sign_in(http, "staff", PASSWORD)
        clock.shift(dt.timedelta(minutes=6))
        response = _code(http, pyotp.TOTP(secret).now())
    assert response["Location"] == reverse("accounts:login")
    assert not is_signed_in(http)


def test_user_turns_two_factor_off_with_a_code(staff: User, as_staff: HttpClient) -> None:
    with time_machine.travel(_now(), tick=False) as clock:
        secret, _codes = _enrol(staff)
        clock.shift(STEP)
        wrong = as_staff.post(reverse("accounts:totp_disable"), {"code": "999999"})
        assert "code" in wrong.context["form"].errors
        assert TotpDevice.objects.filter(user=staff).exists()
        done = as_staff.post(reverse("accounts:totp_disable"), {"code": pyotp.TOTP(secret).now()})
    assert done["Location"] == reverse("accounts:profile")
    assert not TotpDevice.objects.filter(user=staff).exists()
    assert not RecoveryCode.objects.filter(user=staff).exists()
    assert AuditEvent.objects.filter(action="user.totp_disable").count() == 1


def test_enabling_twice_is_refused(staff: User) -> None:
    _enrol(staff)
    secret = totp_secret_new()
    with pytest.raises(ValidationError) as raised:
        totp_enable(actor=staff, secret=secret, code=pyotp.TOTP(secret).now())
    assert "code" in raised.value.message_dict


def test_security_officer_resets_a_lost_authenticator(staff: User, security_officer: User) -> None:
    _enrol(staff)
    with pytest.raises(PermissionDeniedError):
        totp_reset(actor=staff, user=staff)
    assert totp_reset(actor=security_officer, user=staff) is True
    assert not TotpDevice.objects.filter(user=staff).exists()
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    assert is_signed_in(http)
    assert AuditEvent.objects.get(action="user.totp_reset").object_id == str(staff.pk)


def test_administrator_must_enrol_when_required(admin: User, settings) -> None:
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    with time_machine.travel(START, tick=False):
        http = HttpClient()
        sign_in(http, "admin", PASSWORD)
        assert is_signed_in(http)
        assert http.get(reverse("core:home"))["Location"] == reverse("accounts:totp_enrol")
        assert http.get(reverse("admin:index"))["Location"] == reverse("accounts:totp_enrol")
        page = http.get(reverse("accounts:totp_enrol"))
        assert "管理员必须使用双因素登录" in page.content.decode()
        http.post(reverse("accounts:totp_enrol"), {"code": pyotp.TOTP(page.context["secret"]).now()})
        assert http.get(reverse("core:home")).status_code == 200


def test_required_enrolment_leaves_other_users_alone(staff: User, settings) -> None:
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    http = HttpClient()
    sign_in(http, "staff", PASSWORD)
    assert http.get(reverse("core:home")).status_code == 200


def test_administrators_are_not_forced_to_enrol_by_default(admin: User, as_admin: HttpClient) -> None:
    assert as_admin.get(reverse("core:home")).status_code == 200


def _stored_secret(device: TotpDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return str(cursor.fetchone()[0])


def test_totp_secret_is_not_stored_in_clear(staff: User) -> None:
    secret, _codes = _enrol(staff)
    device = TotpDevice.objects.get(user=staff)
    assert secret not in _stored_secret(device)
    assert device.secret == secret


def test_totp_secret_stored_before_sealing_still_works_and_is_sealed_on_save(staff: User) -> None:
    secret, _codes = _enrol(staff)
    device = TotpDevice.objects.get(user=staff)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_totpdevice SET secret = %s WHERE id = %s", [secret, device.pk])
    device.refresh_from_db()
    assert device.secret == secret
    seal_existing = importlib.import_module("weibao.accounts.migrations.0006_sealed_secrets").seal_existing
    seal_existing(django_apps, None)
    assert secret not in _stored_secret(device)
    device.refresh_from_db()
    assert device.secret == secret
