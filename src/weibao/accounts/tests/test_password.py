"""Changing a password while signed in, and resetting a forgotten one by e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, User

PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Tianqi-Qinglang-2026"
pytestmark = pytest.mark.django_db


def _reset_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", str(message.body))
    assert found, message.body
    return found.group(0)


def test_signed_in_user_changes_their_password(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    # The session survives the change (Django rotates its hash).
    assert as_staff.get(reverse("accounts:profile")).status_code == 200
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == staff
    assert NEW_PASSWORD not in str(event.before) + str(event.after)


def test_wrong_old_password_names_the_field_in_chinese(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "你的旧密码不正确" in str(response.context["form"].errors["old_password"])
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_too_short_new_password_is_refused_in_english_for_an_english_user(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    response = as_staff.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": "a1", "new_password2": "a1"}
    )
    assert "This password is too short" in str(response.context["form"].errors["new_password2"])


def test_password_change_needs_sign_in() -> None:
    response = HttpClient().get(reverse("accounts:password_change"))
    assert response.status_code == 302


def test_password_reset_by_email_lets_the_user_sign_in_with_the_new_password(staff: User, settings) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "weibao.example.cn"]
    staff.email = "staff@example.cn"
    staff.save()
    http = HttpClient()
    response = http.post(
        reverse("accounts:password_reset"), {"email": "staff@example.cn"}, HTTP_HOST="weibao.example.cn"
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff@example.cn"]
    assert "重置" in message.subject or "新密码" in message.subject
    link = _reset_link(message)
    assert link.startswith("http://weibao.example.cn/accounts/password/reset/")

    form_page = http.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = http.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")

    signed_in = HttpClient().post(reverse("accounts:login"), {"username": "staff", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_reset", actor=staff).count() == 1
    # The link works once.
    assert http.get(link, follow=True).context["validlink"] is False


def test_reset_mail_speaks_the_users_own_language(staff: User) -> None:
    staff.email = "staff@example.cn"
    staff.language = "en"
    staff.save()
    HttpClient().post(reverse("accounts:password_reset"), {"email": "staff@example.cn"})
    message = mail.outbox[0]
    assert "set a new password" in message.subject
    assert "To set a new password, open this link" in str(message.body)
    assert "&#x27;" not in str(message.body)
    assert "&quot;" not in str(message.body)


def test_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(staff: User) -> None:
    response = HttpClient().post(reverse("accounts:password_reset"), {"email": "who@example.cn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_reset_with_an_invalid_address_names_the_field() -> None:
    response = HttpClient().post(reverse("accounts:password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "有效" in str(response.context["form"].errors["email"])


def test_reset_with_mismatched_passwords_keeps_the_old_one(staff: User) -> None:
    staff.email = "staff@example.cn"
    staff.save()
    http = HttpClient()
    http.post(reverse("accounts:password_reset"), {"email": "staff@example.cn"})
    form_page = http.get(_reset_link(mail.outbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = http.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_a_forged_reset_link_is_refused(staff: User) -> None:
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-def"})
    response = HttpClient().get(url)
    assert response.status_code == 200
    assert response.context["validlink"] is False
