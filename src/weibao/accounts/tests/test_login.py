"""Signing in and out through the HTML pages, and the security events they leave."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, User

PASSWORD = "Correct-Horse-42"  # the personas' password (root conftest.py)
pytestmark = pytest.mark.django_db


def _sign_in(http: HttpClient, username: str, password: str, address: str = "127.0.0.1"):
    return http.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_offers_a_language_switch_through_set_language() -> None:
    page = HttpClient().get(reverse("accounts:login"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="zh-hans"' in html
    assert 'value="en"' in html
    assert "登录" in html


def test_anonymous_visitor_is_sent_to_the_login_page() -> None:
    response = HttpClient().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_signs_in_and_the_login_is_recorded(staff: User) -> None:
    http = HttpClient()
    response = _sign_in(http, "staff", PASSWORD, address="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    event = AuditEvent.objects.get(action="user.login")
    assert event.actor == staff
    assert event.actor_label == "staff"
    assert event.address == "10.1.2.3"
    assert event.object_id == str(staff.pk)


def test_login_redirects_to_the_page_asked_for(staff: User) -> None:
    target = reverse("accounts:token_list")
    response = HttpClient().post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_wrong_password_is_refused_in_chinese_by_default(staff: User) -> None:
    response = _sign_in(HttpClient(), "staff", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in html
    assert "_auth_user_id" not in response.wsgi_request.session


def test_wrong_password_is_refused_in_english_after_switching_language(staff: User) -> None:
    http = HttpClient()
    switched = http.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert switched.status_code == 302
    assert "Sign in" in http.get(reverse("accounts:login")).content.decode()
    html = _sign_in(http, "staff", "not-the-password").content.decode()
    assert "Please enter a correct username and password" in html
    assert "请输入" not in html


def test_failed_login_is_recorded_with_the_attempted_name_and_no_actor(staff: User) -> None:
    _sign_in(HttpClient(), "nobody-here", "guess", address="10.9.9.9")
    _sign_in(HttpClient(), "staff", "wrong")
    failures = AuditEvent.objects.filter(action="user.login_failed").order_by("id")
    assert [(e.actor_id, e.actor_label) for e in failures] == [(None, "nobody-here"), (None, "staff")]
    assert failures[0].address == "10.9.9.9"
    assert not AuditEvent.objects.filter(action="user.login").exists()
    assert all("guess" not in str(e.after) and "wrong" not in str(e.after) for e in failures)


def test_empty_login_form_names_both_fields(staff: User) -> None:
    response = HttpClient().post(reverse("accounts:login"), {"username": "", "password": ""})
    form = response.context["form"]
    assert set(form.errors) == {"username", "password"}
    assert not AuditEvent.objects.filter(action__startswith="user.login").exists()


def test_inactive_user_cannot_sign_in(staff: User) -> None:
    staff.is_active = False
    staff.save()
    response = _sign_in(HttpClient(), "staff", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_logout_needs_post_and_is_recorded(staff: User) -> None:
    http = HttpClient()
    _sign_in(http, "staff", PASSWORD)
    assert http.get(reverse("accounts:logout")).status_code == 405
    response = http.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    event = AuditEvent.objects.get(action="user.logout")
    assert event.actor == staff
    assert http.get(reverse("accounts:profile")).status_code == 302


def test_signed_in_user_opening_the_login_page_goes_home(as_staff: HttpClient) -> None:
    response = as_staff.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
