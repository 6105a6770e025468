"""The profile page and the ``user_update_profile`` service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from weibao.accounts.models import AuditEvent, User
from weibao.accounts.services import user_update_profile

pytestmark = pytest.mark.django_db


def _profile(**changes: str) -> dict[str, str]:
    data = {
        "display_name": "张工",
        "email": "zhang@example.cn",
        "phone": "0591-8765 4321 转 802",
        "language": "zh-hans",
    }
    data.update(changes)
    return data


def test_service_saves_the_profile_and_records_what_changed(staff: User) -> None:
    user_update_profile(actor=staff, display_name="张工", phone="13800000000")
    staff.refresh_from_db()
    assert (staff.display_name, staff.phone) == ("张工", "13800000000")
    event = AuditEvent.objects.get(action="user.update")
    assert event.actor == staff
    assert event.after == {"display_name": "张工", "phone": "13800000000"}
    assert event.before == {"display_name": "", "phone": ""}


def test_service_leaves_fields_given_as_none_alone(staff: User) -> None:
    user_update_profile(actor=staff, email="a@example.cn")
    user_update_profile(actor=staff, display_name="李工")
    staff.refresh_from_db()
    assert (staff.email, staff.display_name) == ("a@example.cn", "李工")


def test_service_refuses_bad_input_and_writes_nothing(staff: User) -> None:
    with pytest.raises(ValidationError) as raised:
        user_update_profile(actor=staff, email="nope", phone="call me", language="fr", display_name="王工")
    assert set(raised.value.message_dict) == {"email", "phone", "language"}
    staff.refresh_from_db()
    assert staff.display_name == ""
    assert staff.language == "zh-hans"
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_profile_page_shows_the_form_with_current_values(staff: User, as_staff: HttpClient) -> None:
    user_update_profile(actor=staff, display_name="张工")
    response = as_staff.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.context["form"].initial["display_name"] == "张工"
    assert reverse("accounts:password_change") in response.content.decode()


def test_switching_the_profile_language_switches_the_next_page(staff: User, as_staff: HttpClient) -> None:
    assert "客户" in as_staff.get(reverse("core:home")).content.decode()
    response = as_staff.post(reverse("accounts:profile"), _profile(language="en"), follow=True)
    assert "Your profile has been saved." in response.content.decode()
    home = as_staff.get(reverse("core:home"))
    assert home["Content-Language"] == "en"
    assert "Clients" in home.content.decode()
    staff.refresh_from_db()
    assert staff.language == "en"


def test_invalid_profile_names_the_fields_in_chinese(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(reverse("accounts:profile"), _profile(email="x", phone="电话"))
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "有效" in str(errors["email"])
    assert "电话号码" in str(errors["phone"])
    staff.refresh_from_db()
    assert staff.display_name == ""


def test_invalid_profile_names_the_fields_in_english_for_an_english_user(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    response = as_staff.post(reverse("accounts:profile"), _profile(email="x", phone="phone", language="en"))
    errors = response.context["form"].errors
    assert "Enter a valid email address." in str(errors["email"])
    assert "Enter a phone number" in str(errors["phone"])


def test_unknown_language_is_refused(as_staff: HttpClient) -> None:
    response = as_staff.post(reverse("accounts:profile"), _profile(language="fr"))
    assert "language" in response.context["form"].errors


def test_phone_number_forms_used_in_china_are_accepted(staff: User) -> None:
    for phone in ["13800000000", "+86 138 0000 0000", "0591-87654321", "(0591) 8765 4321 转 802", "110"]:
        user_update_profile(actor=staff, phone=phone)


def test_profile_message_is_in_the_chosen_language(staff: User, as_staff: HttpClient) -> None:
    response = as_staff.post(reverse("accounts:profile"), _profile(language="zh-hans"), follow=True)
    with translation.override("zh-hans"):
        assert str(translation.gettext("Your profile has been saved.")) in response.content.decode()
