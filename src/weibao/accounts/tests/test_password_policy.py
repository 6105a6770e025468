"""Password policy: character classes, history, expiry; and a reset that reveals no accounts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import PasswordHistory, User
from weibao.accounts.passwords import character_classes
from weibao.accounts.tests.conftest import PASSWORD, is_signed_in, sign_in

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _change(http: HttpClient, old: str, new: str):
    return http.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefghij", 1), ("abcdeFGHIJ", 2), ("abcde12345", 2), ("abcdeFGH12", 3), ("Weibao@2026", 4), ("密码Ab1!", 4)],
)
def test_character_classes_are_counted(password: str, classes: int) -> None:
    assert character_classes(password) == classes


def test_the_demo_password_satisfies_the_policy(db: None) -> None:
    password_validation.validate_password("Weibao@2026")
    password_validation.validate_password(PASSWORD)


def test_password_with_two_kinds_of_character_is_refused_in_chinese(staff: User, as_staff: HttpClient) -> None:
    response = _change(as_staff, PASSWORD, "tianqiqinglang2026")
    assert "至少包含以下 3 类字符" in str(response.context["form"].errors["new_password2"])
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_password_with_two_kinds_of_character_is_refused_in_english_for_an_english_user(
    staff: User, as_staff: HttpClient
) -> None:
    staff.language = "en"
    staff.save()
    response = _change(as_staff, PASSWORD, "tianqiqinglang2026")
    assert "at least 3 kinds of character" in str(response.context["form"].errors["new_password2"])


def test_required_character_classes_are_a_setting(settings, db: None) -> None:
    settings.PASSWORD_CLASSES = 4
    with pytest.raises(ValidationError):
        password_validation.validate_password("Tianqi-Qinglang")
    password_validation.validate_password("Tianqi-Qinglang-7")
    settings.PASSWORD_CLASSES = 1
    password_validation.validate_password("tianqiqinglangmingtian")


def test_every_password_set_is_kept_in_the_history_as_a_hash(staff: User) -> None:
    staff.set_password("Second-Password-2")
    staff.save()
    hashes = list(PasswordHistory.objects.filter(user=staff).values_list("password_hash", flat=True))
    # The first from create_user, the second now; newest first.
    assert len(hashes) == 2
    assert hashes[0] == staff.password
    assert all(h.startswith("md5$") and "Second" not in h for h in hashes)
    staff.refresh_from_db()
    assert staff.password_changed_at is not None


def test_a_recent_password_cannot_be_chosen_again(staff: User, as_staff: HttpClient) -> None:
    current = PASSWORD
    for n in range(1, 5):
        new = f"Rotation-Pass-{n}"
        assert _change(as_staff, current, new).status_code == 302
        current = new
    # The original password is the 5th most recent: still refused.
    response = _change(as_staff, current, PASSWORD)
    assert "最近使用过" in str(response.context["form"].errors["new_password2"])
    assert _change(as_staff, current, "Rotation-Pass-5").status_code == 302
    # Now it is the 6th: allowed again.
    assert _change(as_staff, "Rotation-Pass-5", PASSWORD).status_code == 302
    assert PasswordHistory.objects.filter(user=staff).count() == 5


def test_history_message_in_english(staff: User, as_staff: HttpClient) -> None:
    staff.language = "en"
    staff.save()
    response = _change(as_staff, PASSWORD, PASSWORD)
    assert "You used this password recently" in str(response.context["form"].errors["new_password2"])


def test_history_length_is_a_setting(staff: User, as_staff: HttpClient, settings) -> None:
    settings.PASSWORD_HISTORY = 0
    assert _change(as_staff, PASSWORD, PASSWORD).status_code == 302


def test_expired_password_must_be_changed_before_anything_else(staff: User, settings) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=staff.pk).update(password_changed_at=START - dt.timedelta(days=91))
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        response = sign_in(http, "staff", PASSWORD)
        assert response.status_code == 302
        home = http.get(reverse("core:home"))
        assert home["Location"] == reverse("accounts:password_change")
        assert http.get(reverse("accounts:token_list"))["Location"] == reverse("accounts:password_change")
        assert http.get("/api/v1/me").status_code == 403
        page = http.get(reverse("accounts:password_change"))
        assert "你的密码已过期" in page.content.decode()
        assert _change(http, PASSWORD, "Brand-New-Pass-91").status_code == 302
        assert http.get(reverse("core:home")).status_code == 200


def test_password_within_its_age_is_not_expired(settings, db: None) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(START, tick=False) as clock:
        User.objects.create_user(username="fresh", password=PASSWORD)
        clock.shift(dt.timedelta(days=89))
        http = HttpClient()
        sign_in(http, "fresh", PASSWORD)
        assert http.get(reverse("core:home")).status_code == 200
        clock.shift(dt.timedelta(days=2))
        sign_in(http, "fresh", PASSWORD)
        assert http.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")


def test_expiry_is_off_by_default(staff: User) -> None:
    User.objects.filter(pk=staff.pk).update(password_changed_at=START - dt.timedelta(days=3650))
    with time_machine.travel(START, tick=False):
        http = HttpClient()
        sign_in(http, "staff", PASSWORD)
        assert is_signed_in(http)
        assert http.get(reverse("core:home")).status_code == 200


def test_password_reset_answers_the_same_for_known_and_unknown_accounts(staff: User) -> None:
    staff.email = "staff@example.cn"
    staff.save()
    known = HttpClient().post(reverse("accounts:password_reset"), {"email": "staff@example.cn"}, follow=True)
    assert len(mail.outbox) == 1
    unknown = HttpClient().post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"}, follow=True)
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
