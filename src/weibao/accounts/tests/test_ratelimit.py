"""Rate limits on password reset, sign-in and API tokens, and their audit events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tokens import token_create

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 5, 10, 8, 0, 0, tzinfo=dt.UTC)
RESET = "/accounts/password/reset/"
LOGIN = "/accounts/login/"


def _limited() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="security.rate_limited").order_by("sequence"))


@pytest.fixture
def with_email(staff: User) -> User:
    staff.email = "staff@example.cn"
    staff.save()
    return staff


def test_password_reset_urls_are_the_rate_limited_ones() -> None:
    assert reverse("accounts:password_reset") == RESET
    assert reverse("accounts:login") == LOGIN


def test_password_reset_allows_five_requests_an_hour_then_answers_429(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        answers = [http.post(RESET, {"email": "staff@example.cn"}) for _ in range(6)]
    assert [a.status_code for a in answers] == [302] * 5 + [429]
    assert len(mail.outbox) == 5
    refused = answers[-1]
    assert refused["Retry-After"] == "3600"
    assert "请求过于频繁" in refused.content.decode()
    assert refused.context["form"]["email"].value() == "staff@example.cn"


def test_password_reset_limit_per_mailbox_holds_across_addresses(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        answers = [
            http.post(RESET, {"email": "Staff@Example.cn"}, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(7)
        ]
    assert answers == [302] * 5 + [429, 429]
    assert len(mail.outbox) == 5


def test_password_reset_limit_per_address_holds_across_mailboxes(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        answers = [http.post(RESET, {"email": f"u{n}@example.cn"}).status_code for n in range(6)]
    assert answers == [302] * 5 + [429]


def test_password_reset_answers_the_same_for_unknown_accounts_when_limited(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            http.post(RESET, {"email": "staff@example.cn"})
        known = http.post(RESET, {"email": "staff@example.cn"}, REMOTE_ADDR="10.9.9.9")
        for _ in range(5):
            http.post(RESET, {"email": "nobody@example.cn"}, REMOTE_ADDR="10.7.7.7")
        unknown = http.post(RESET, {"email": "nobody@example.cn"}, REMOTE_ADDR="10.6.6.6")
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    known_html = known.content.decode().replace("staff@example.cn", "EMAIL")
    unknown_html = unknown.content.decode().replace("nobody@example.cn", "EMAIL")
    assert known_html.split("csrfmiddlewaretoken")[0] == unknown_html.split("csrfmiddlewaretoken")[0]


def test_password_reset_refusal_speaks_english_to_an_english_browser(with_email: User) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            http.post(RESET, {"email": "staff@example.cn"})
        refused = http.post(RESET, {"email": "staff@example.cn"})
    assert refused.status_code == 429
    assert "Too many requests. Try again in 60 minutes." in refused.content.decode()


def test_password_reset_is_allowed_again_in_the_next_window(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            http.post(RESET, {"email": "staff@example.cn"})
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        assert http.post(RESET, {"email": "staff@example.cn"}).status_code == 302


def test_showing_the_reset_page_is_not_counted(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        for _ in range(10):
            assert http.get(RESET).status_code == 200
        assert http.post(RESET, {"email": "staff@example.cn"}).status_code == 302


def test_a_rate_limit_hit_is_audited_once_per_window_and_key(with_email: User) -> None:
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        for _ in range(9):
            http.post(RESET, {"email": "staff@example.cn"})
    events = _limited()
    assert sorted(e.after["scope"] for e in events) == ["password_reset.address", "password_reset.email"]
    by_scope = {e.after["scope"]: e for e in events}
    assert by_scope["password_reset.email"].after["key"] == "staff@example.cn"
    assert by_scope["password_reset.address"].address == "127.0.0.1"
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        for _ in range(6):
            http.post(RESET, {"email": "staff@example.cn"})
    assert len(_limited()) == 4


def test_sign_in_from_one_address_is_limited_before_any_password_is_checked(staff: User, settings: Any) -> None:
    settings.RATE_LOGIN = "3/minute"
    http = HttpClient()
    with time_machine.travel(START, tick=False):
        answers = [http.post(LOGIN, {"username": "staff", "password": f"wrong-{n}"}) for n in range(4)]
        right = http.post(LOGIN, {"username": "staff", "password": "Correct-Horse-42"})
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429
    assert right.status_code == 429
    assert "请求过于频繁" in answers[3].content.decode()
    assert answers[3].context["form"]["username"].value() == "staff"
    # The refused attempts never reached authentication: only three failures are recorded.
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 3
    assert [e.after["scope"] for e in _limited()] == ["login.address"]


def test_sign_in_from_another_address_is_not_limited(staff: User, settings: Any) -> None:
    settings.RATE_LOGIN = "1/minute"
    with time_machine.travel(START, tick=False):
        HttpClient().post(LOGIN, {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        HttpClient().post(LOGIN, {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        other = HttpClient().post(LOGIN, {"username": "staff", "password": "Correct-Horse-42"}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def _api(plaintext: str) -> Any:
    return HttpClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_token_over_its_rate_gets_429_with_retry_after_and_the_error_body(staff: User, settings: Any) -> None:
    settings.RATE_API_TOKEN = "3/minute"
    issued = token_create(actor=staff, name="监控导出", scope="read")
    with time_machine.travel(START + dt.timedelta(seconds=20), tick=False):
        answers = [_api(issued.plaintext) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3]["Retry-After"] == "40"
    assert answers[3].json() == {"detail": "请求过于频繁，请 40 秒后再试。"}


def test_the_429_speaks_the_token_owners_language(staff: User, settings: Any) -> None:
    settings.RATE_API_TOKEN = "1/minute"
    staff.language = "en"
    staff.save()
    issued = token_create(actor=staff, name="export", scope="read")
    with time_machine.travel(START, tick=False):
        _api(issued.plaintext)
        refused = _api(issued.plaintext)
    assert refused.json() == {"detail": "Too many requests. Try again in 60 seconds."}


def test_each_token_has_its_own_allowance(staff: User, settings: Any) -> None:
    settings.RATE_API_TOKEN = "1/minute"
    first = token_create(actor=staff, name="一号", scope="read")
    second = token_create(actor=staff, name="二号", scope="read")
    with time_machine.travel(START, tick=False):
        assert _api(first.plaintext).status_code == 200
        assert _api(first.plaintext).status_code == 429
        assert _api(second.plaintext).status_code == 200


def test_a_token_rate_hit_is_audited_once_with_the_tokens_owner(staff: User, settings: Any) -> None:
    settings.RATE_API_TOKEN = "1/minute"
    issued = token_create(actor=staff, name="监控导出", scope="read")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            _api(issued.plaintext)
    [event] = _limited()
    assert event.actor == staff
    assert event.after == {"scope": "api.token", "key": issued.token.prefix, "limit": 1, "window_seconds": 60}


def test_a_token_is_allowed_again_in_the_next_window(staff: User, settings: Any) -> None:
    settings.RATE_API_TOKEN = "1/minute"
    issued = token_create(actor=staff, name="监控导出", scope="read")
    with time_machine.travel(START, tick=False):
        _api(issued.plaintext)
        assert _api(issued.plaintext).status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert _api(issued.plaintext).status_code == 200
