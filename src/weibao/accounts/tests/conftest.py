"""Fixtures of the account-security tests: a security officer, a real sign-in through the login page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import Role, User

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    """Argon2 takes ~0.3 s a hash here; sign-in tests hash hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def security_officer(db: None) -> User:
    return User.objects.create_user(username="secofficer", password=PASSWORD, role=Role.SECURITY_OFFICER)


@pytest.fixture
def as_security_officer(security_officer: User) -> HttpClient:
    http = HttpClient()
    http.force_login(security_officer)
    return http


def sign_in(http: HttpClient, username: str, password: str = PASSWORD, address: str = "127.0.0.1", **extra: Any) -> Any:
    """Post the login form as a browser at ``address`` would."""
    return http.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def is_signed_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session
