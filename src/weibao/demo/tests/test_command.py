from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import translation

from weibao.accounts.models import AuditEvent, User
from weibao.customers.models import Client

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_command_prints_counts_and_how_to_sign_in_in_chinese_by_default(settings: object) -> None:
    output = run_demo()

    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert "admin / Weibao@2026" in output
    assert "mrxc.staff / Weibao@2026" in output
    assert "明日星城社区" in output
    assert "只能查看本单位" in output
    assert "新建" in output


def test_command_speaks_english_when_asked() -> None:
    with translation.override("en"):
        output = run_demo()

    assert "Demo data loaded." in output
    assert "sees only its own organisation" in output


def test_second_run_says_nothing_was_created_and_that_passwords_were_kept() -> None:
    run_demo()
    with translation.override("en"):
        output = run_demo()

    assert "nothing was created" in output
    assert "--reset-passwords" in output
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_quiet_prints_nothing() -> None:
    assert run_demo("--quiet") == ""
    assert Client.objects.exists()


def test_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEIBAO_DEMO_PASSWORD", "Another-Pass-2026")

    output = run_demo()

    assert "admin / Another-Pass-2026" in output
    assert HttpClient().login(username="liyan", password="Another-Pass-2026")


def test_reset_passwords_sets_the_environment_password_on_existing_users(monkeypatch: pytest.MonkeyPatch) -> None:
    run_demo("--quiet")
    monkeypatch.setenv("WEIBAO_DEMO_PASSWORD", "Another-Pass-2026")

    run_demo("--quiet")
    assert not HttpClient().login(username="admin", password="Another-Pass-2026")
    run_demo("--quiet", "--reset-passwords")
    assert HttpClient().login(username="admin", password="Another-Pass-2026")


def test_a_weak_password_fails_with_a_message_and_loads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEIBAO_DEMO_PASSWORD", "12345")

    with translation.override("en"), pytest.raises(CommandError, match="too short"):
        run_demo()

    assert not Client.objects.exists()
    assert not User.objects.exists()
