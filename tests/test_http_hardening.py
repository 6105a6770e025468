"""HTTP hardening: the security headers on pages and API answers, and the production checks.

The production tests run ``weibao`` in a subprocess with the environment an operator
sets (docs/subsystems/instance.md), because the settings read it once at import.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from weibao.accounts.models import AccessToken, User
from weibao.accounts.tokens import token_create

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
HOST = "weibao.example.gov.cn"


def assert_hardened(response: Any) -> None:
    assert response["Content-Security-Policy"] == STRICT_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_page_carries_the_strict_policy_and_security_headers(client: HttpClient) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_hardened(response)


def test_a_signed_in_page_carries_the_strict_policy_and_security_headers(as_staff: HttpClient) -> None:
    response = as_staff.get("/clients/")
    assert response.status_code == 200
    assert_hardened(response)


def test_an_api_answer_carries_the_strict_policy_and_security_headers(staff: User) -> None:
    issued = token_create(actor=staff, name="headers", scope=AccessToken.Scope.READ)
    response = HttpClient().get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.django_db
def test_an_api_error_carries_the_strict_policy_and_security_headers(client: HttpClient) -> None:
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert_hardened(response)


def test_no_template_has_inline_script_or_style_attributes() -> None:
    root = Path(__file__).resolve().parent.parent / "src" / "weibao"
    offenders = []
    for template in root.glob("*/templates/**/*.html"):
        if "print" in template.relative_to(root).parts:
            # Print templates only ever go to the PDF renderer (core.pdf), which fetches
            # nothing; no view sends their HTML to a browser, so the CSP is not theirs.
            continue
        text = template.read_text(encoding="utf-8").lower()
        for needle in ("style=", "<style", "javascript:", " onclick=", " onchange=", " onsubmit=", " onload="):
            if needle in text:
                offenders.append(f"{template.relative_to(root)}: {needle}")
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template.relative_to(root)}: inline <script>")
    assert offenders == []


def production_environment(tmp_path: Path) -> dict[str, str]:
    # The test run's own WEIBAO_* and DJANGO_* variables (async-unsafe mode, a test
    # database) are no part of a production install.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WEIBAO_", "DJANGO_"))}
    env.update(
        {
            "WEIBAO_DATA_DIR": str(tmp_path / "data"),
            "WEIBAO_SECURE": "1",
            "WEIBAO_DEBUG": "0",
            "WEIBAO_SECRET_KEY": secrets.token_urlsafe(60),
            "WEIBAO_ALLOWED_HOSTS": HOST,
            "WEIBAO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "WEIBAO_SMTP_HOST": "mail.example.gov.cn",
            "DJANGO_SETTINGS_MODULE": "weibao.config.settings",
        }
    )
    return env


def weibao_command() -> list[str]:
    return [sys.executable, "-m", "weibao.cli"]


@pytest.mark.slow
def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [*weibao_command(), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Pages render without collectstatic; every other setting is the production one.
simple = {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
plain_static = {{**settings.STORAGES, "staticfiles": simple}}
client = Client()
with override_settings(STORAGES=plain_static):
    plain = client.get("/accounts/login/", HTTP_HOST="{host}")
    secure = client.get("/accounts/login/", HTTP_HOST="{host}", secure=True)
cookie = secure.cookies["csrftoken"]
print(json.dumps({{
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": bool(cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csp": secure.get("Content-Security-Policy", ""),
}}))
"""


@pytest.mark.slow
def test_production_redirects_to_https_and_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(host=HOST)],
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == f"https://{HOST}/accounts/login/"
    assert seen["secure_status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True
    assert seen["session_cookie_httponly"] is True
    assert seen["csp"] == STRICT_POLICY
