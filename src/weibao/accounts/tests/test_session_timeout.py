"""Idle and absolute session timeouts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tests.conftest import PASSWORD, is_signed_in, sign_in

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_idle_session_ends_and_the_login_page_says_why(staff: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(http, "staff", PASSWORD)
        clock.shift(dt.timedelta(minutes=29))
        assert http.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert http.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(minutes=30, seconds=1))
        response = http.get(reverse("accounts:profile"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "30 分钟未操作" in response.content.decode()
    assert not is_signed_in(http)
    event = AuditEvent.objects.get(action="user.session_expired")
    assert event.after == {"reason": "idle"}
    assert AuditEvent.objects.filter(action="user.logout", actor=staff).exists()


def test_idle_message_in_english_for_an_english_user(staff: User) -> None:
    staff.language = "en"
    staff.save()
    http = HttpClient()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(http, "staff", PASSWORD)
        clock.shift(dt.timedelta(minutes=31))
        response = http.get(reverse("accounts:profile"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_idle_minutes_are_a_setting(staff: User, settings) -> None:
    settings.SESSION_IDLE_MINUTES = 5
    http = HttpClient()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(http, "staff", PASSWORD)
        clock.shift(dt.timedelta(minutes=6))
        assert http.get(reverse("accounts:profile")).status_code == 302


def test_session_ends_at_its_absolute_limit_whatever_the_activity(staff: User, settings) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    http = HttpClient()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(http, "staff", PASSWORD)
        for _step in range(5):
            clock.shift(dt.timedelta(minutes=11))
            assert http.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(minutes=5))  # 60 minutes after the sign-in
        response = http.get(reverse("accounts:profile"), follow=True)
    assert "会话已达到最长时限" in response.content.decode()
    assert not is_signed_in(http)
    assert AuditEvent.objects.get(action="user.session_expired").after == {"reason": "absolute"}


def test_api_with_an_idle_session_is_unauthenticated(staff: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(http, "staff", PASSWORD)
        assert http.get("/api/v1/me").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert http.get("/api/v1/me").status_code == 401
