"""Mailboxes and IM apps are set up in the admin with secrets sealed; the scheduler queues polls."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client as HttpClient

from weibao.intake.crypto import secret_open
from weibao.intake.models import ImApp, Mailbox, WebhookSource
from weibao.intake.schedule import mailboxes_poll
from weibao.intake.views_hooks import token_digest


@pytest.mark.django_db
def test_an_administrator_adds_a_mailbox_whose_password_is_stored_encrypted(as_admin: HttpClient) -> None:
    response = as_admin.post(
        "/admin/intake/mailbox/add/",
        {
            "name": "support",
            "host": "imap.example.cn",
            "port": "993",
            "security": "tls",
            "username": "support@example.cn",
            "password": "imap-密码-1",
            "folder": "INBOX",
            "enabled": "on",
            "poll_seconds": "60",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get()
    assert "imap-" not in mailbox.password_encrypted
    assert secret_open(mailbox.password_encrypted) == "imap-密码-1"
    # Saving again without a password keeps the stored one.
    as_admin.post(
        f"/admin/intake/mailbox/{mailbox.pk}/change/",
        {
            "name": "support",
            "host": "imap.example.cn",
            "port": "993",
            "security": "tls",
            "username": "support@example.cn",
            "password": "",
            "folder": "INBOX",
            "enabled": "on",
            "poll_seconds": "30",
        },
    )
    mailbox.refresh_from_db()
    assert (mailbox.poll_seconds, secret_open(mailbox.password_encrypted)) == (30, "imap-密码-1")


@pytest.mark.django_db
def test_an_administrator_adds_an_im_app_with_sealed_keys(as_admin: HttpClient) -> None:
    response = as_admin.post(
        "/admin/intake/imapp/add/",
        {
            "name": "企业微信",
            "platform": "wecom",
            "key": "wecom-main",
            "receive_id": "wx1",
            "token": "tok",
            "aes_key": "a" * 43,
            "secret": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    app = ImApp.objects.get()
    assert (secret_open(app.token_encrypted), secret_open(app.aes_key_encrypted)) == ("tok", "a" * 43)


@pytest.mark.django_db
def test_a_new_webhook_source_shows_its_token_once_and_keeps_only_a_digest(as_admin: HttpClient) -> None:
    response = as_admin.post(
        "/admin/intake/webhooksource/add/", {"name": "监控", "key": "mon", "enabled": "on"}, follow=True
    )
    source = WebhookSource.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    token = shown[0].rsplit(" ", 1)[-1].rsplit("：", 1)[-1]
    assert token_digest(token) == source.token_sha256


@pytest.mark.django_db
def test_the_scheduler_queues_one_poll_per_due_enabled_mailbox(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    due = Mailbox.objects.create(name="a", host="h", username="u")
    Mailbox.objects.create(name="b", host="h", username="u", enabled=False)
    queued: list[int] = []
    monkeypatch.setattr("weibao.intake.schedule.mailbox_poll_task", SimpleNamespace(enqueue=queued.append))
    mailboxes_poll()
    assert queued == [due.pk]
