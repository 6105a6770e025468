"""``weibao createadmin`` (an accounts command, tested here with the other process commands)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db
STRONG = "Tiaoshi-Yunwei-2026"


def events(action: str) -> list[object]:
    return list(apps.get_model("accounts", "AuditEvent").objects.filter(action=action))


def test_createadmin_creates_an_administrator() -> None:
    out = io.StringIO()
    call_command("createadmin", "--username", "ops", "--password", STRONG, "--email", "ops@example.cn", stdout=out)
    user = get_user_model().objects.get(username="ops")
    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == ("admin", True, True, True)
    assert user.email == "ops@example.cn"
    assert user.check_password(STRONG)
    assert "Created administrator ops" in out.getvalue()
    [event] = events("user.createadmin")
    assert event.actor is None  # type: ignore[attr-defined]
    assert event.object_id == str(user.pk)  # type: ignore[attr-defined]


def test_createadmin_makes_an_existing_user_administrator_and_sets_the_password() -> None:
    get_user_model().objects.create_user(username="lihua", password="Old-Password-2025", role="agent")
    out = io.StringIO()
    call_command("createadmin", "--username", "lihua", "--password", STRONG, stdout=out)
    user = get_user_model().objects.get(username="lihua")
    assert (user.role, user.is_superuser) == ("admin", True)
    assert user.check_password(STRONG)
    assert "Updated administrator lihua" in out.getvalue()
    [event] = events("user.createadmin")
    assert event.before["role"] == "agent"  # type: ignore[attr-defined]
    assert event.after["role"] == "admin"  # type: ignore[attr-defined]


def test_createadmin_takes_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEIBAO_ADMIN_PASSWORD", STRONG)
    call_command("createadmin", stdout=io.StringIO())
    assert get_user_model().objects.get(username="admin").check_password(STRONG)


@pytest.mark.parametrize(
    ("password", "english"),
    [("short1", "too short"), ("password123", "too common"), ("3141592653589", "entirely numeric")],
)
def test_createadmin_refuses_a_weak_password_with_the_validators_message(password: str, english: str) -> None:
    with translation.override("en"), pytest.raises(CommandError, match=english):
        call_command("createadmin", "--username", "ops", "--password", password)
    assert not get_user_model().objects.filter(username="ops").exists()
    assert events("user.createadmin") == []


def test_createadmin_refuses_a_weak_password_in_chinese_by_default() -> None:
    with pytest.raises(CommandError, match="密码"):
        call_command("createadmin", "--username", "ops", "--password", "short1")


def test_createadmin_without_a_password_or_terminal_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEIBAO_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="WEIBAO_ADMIN_PASSWORD"):
        call_command("createadmin")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_createadmin_at_a_terminal_prompts_twice_and_refuses_differing_passwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEIBAO_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter([STRONG, STRONG + "x", STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("createadmin")
    call_command("createadmin", stdout=io.StringIO())
    assert get_user_model().objects.get(username="admin").check_password(STRONG)
