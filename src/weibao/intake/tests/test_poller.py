"""The poller ingests from a real IMAP server (dovecot on 127.0.0.1), once per message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from imap_tools import AND, MailBoxUnencrypted

from weibao.intake.crypto import secret_open, secret_seal
from weibao.intake.models import InboundMessage, Mailbox
from weibao.intake.poller import mailbox_claim, mailbox_poll, mailboxes_due
from weibao.intake.tests.conftest import World
from weibao.intake.tests.dovecot import PASSWORD, USER, Dovecot, dovecot_server
from weibao.tickets.models import Ticket

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


def make_mailbox(port: int, **extra: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": "support",
        "host": "127.0.0.1",
        "port": port,
        "security": Mailbox.Security.NONE,
        "username": USER,
        "password_encrypted": secret_seal(PASSWORD),
    }
    values.update(extra)
    return Mailbox.objects.create(**values)


def unseen(server: Dovecot) -> int:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(USER, PASSWORD) as imap:
        return len(imap.uids(AND(seen=False)))


def test_a_mailbox_password_is_stored_encrypted_and_read_back(db: None) -> None:
    sealed = secret_seal("s3cret-密码")
    assert "s3cret" not in sealed
    assert secret_open(sealed) == "s3cret-密码"
    assert secret_open("not a token") == ""


@pytest.mark.django_db
def test_the_poller_turns_new_mail_into_requests_and_marks_it_seen(
    world: World, dovecot: Dovecot, django_capture_on_commit_callbacks: Any
) -> None:
    for name in ("utf8-plain", "gb2312-declared-gbk-bytes", "reply-subject-token", "auto-replied", "unknown-domain"):
        dovecot.deliver((CORPUS / f"{name}.eml").read_bytes(), f"{name}.eml")
    mailbox = make_mailbox(dovecot.port)
    before = Ticket.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox.pk)
    assert result is not None
    assert (result.fetched, result.stored, result.error) == (5, 5, "")
    states = sorted(InboundMessage.objects.values_list("state", "outcome"))
    assert states == [("done", "new"), ("done", "new"), ("done", "reply"), ("ignored", ""), ("quarantined", "")]
    assert Ticket.objects.count() == before + 2
    assert unseen(dovecot) == 0
    again = mailbox_poll(mailbox.pk)
    assert again is not None
    assert again.fetched == 0
    mailbox.refresh_from_db()
    assert mailbox.claim_token == ""
    assert mailbox.last_error == ""


@pytest.mark.django_db
def test_the_same_message_delivered_twice_to_the_mailbox_makes_one_request(
    world: World, dovecot: Dovecot, django_capture_on_commit_callbacks: Any
) -> None:
    raw = (CORPUS / "utf8-plain.eml").read_bytes()
    dovecot.deliver(raw, "first.eml")
    dovecot.deliver(raw, "second.eml")
    mailbox = make_mailbox(dovecot.port)
    before = Ticket.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox.pk)
    assert result is not None
    assert (result.fetched, result.stored, result.duplicates) == (2, 1, 1)
    assert Ticket.objects.count() == before + 1
    assert unseen(dovecot) == 0


@pytest.mark.django_db
def test_a_wrong_password_is_recorded_on_the_mailbox(dovecot: Dovecot) -> None:
    mailbox = make_mailbox(dovecot.port, password_encrypted=secret_seal("wrong"))
    result = mailbox_poll(mailbox.pk)
    assert result is not None
    assert result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error
    assert mailbox.claimed_until is None


@pytest.mark.django_db
def test_a_claimed_mailbox_cannot_be_claimed_again_until_its_lease_runs_out() -> None:
    mailbox = make_mailbox(1)
    with time_machine.travel("2026-11-21 08:00:00+00:00", tick=False):
        assert mailbox_claim(mailbox.pk) is not None
        assert mailbox_claim(mailbox.pk) is None
        assert mailbox_poll(mailbox.pk) is None
        assert mailboxes_due() == []
    with time_machine.travel("2026-11-21 08:06:00+00:00", tick=False):
        assert mailboxes_due() == [mailbox.pk]
        assert mailbox_claim(mailbox.pk) is not None


@pytest.mark.django_db
def test_a_disabled_mailbox_is_never_claimed() -> None:
    mailbox = make_mailbox(1, enabled=False)
    assert mailbox_claim(mailbox.pk) is None
    assert mailboxes_due() == []
