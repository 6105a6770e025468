"""Thread mail out: agents' replies reach the client by SMTP with the thread headers;
automatic mail is marked and rate-limited, so an auto-responder cannot start a loop."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from collections.abc import Iterator
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller

from weibao.accounts.models import User
from weibao.core.tests.helpers import free_port
from weibao.intake.models import InboundMessage, Source, ThreadMessageId
from weibao.intake.parsing import dedup_key, parse
from weibao.intake.services import message_process, message_store
from weibao.intake.tests.conftest import World
from weibao.notifications import events
from weibao.notifications.models import Delivery, Notification
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.services.tickets import ticket_reply

THREAD_SUBJECT = re.compile(r"^(Re: )?\[WB-\d{8}-\d+\] ")
CORPUS = Path(__file__).resolve().parent / "corpus"


class Sink:
    """An SMTP server on 127.0.0.1 that keeps the request-thread mail it receives.

    Notification mail (another subsystem's, e.g. "new reply" notices) is set aside: the
    tests here are about the thread itself.
    """

    def __init__(self) -> None:
        self.received: list[ParsedMessage] = []

    @property
    def messages(self) -> list[ParsedMessage]:
        return [m for m in self.received if THREAD_SUBJECT.match(str(m["Subject"]))]

    def clear(self) -> None:
        self.received.clear()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, ParsedMessage)
        self.received.append(parsed)
        return "250 OK"


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "support@weibao.test"
    try:
        yield handler
    finally:
        controller.stop()


def ingest(raw: bytes, capture: Any) -> InboundMessage:
    mail = parse(raw)
    row, _ = message_store(source=Source.EMAIL, dedup_key=dedup_key(raw, mail.message_id), raw=raw, sender=mail.sender)
    with capture(execute=True):
        return message_process(message_id=row.pk)


def client_mail(mid: str, *, subject: str, body: str, extra: str = "", sender: str = "zhang@acme.com.cn") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@weibao.test\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\n{body}"
    ).encode()


@pytest.mark.django_db
def test_an_agents_reply_reaches_the_client_with_the_thread_headers(
    world: World, staff: User, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    row = ingest(
        client_mail("c1@acme.com.cn", subject="打印失败", body="打印失败。"), django_capture_on_commit_callbacks
    )
    assert row.ticket_id is not None
    ticket = Ticket.objects.get(pk=row.ticket_id)
    ack = sink.messages[-1]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<c1@acme.com.cn>"
    assert f"[{ticket.number}]" in ack["Subject"]
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>请重新安装打印驱动。</p>")
    sent = sink.messages[-1]
    assert len(sink.messages) == 2
    assert sent["To"] == "zhang@acme.com.cn"
    assert sent["Subject"] == f"Re: [{ticket.number}] 打印失败"
    assert sent["In-Reply-To"] == "<c1@acme.com.cn>"
    assert "<c1@acme.com.cn>" in sent["References"]
    assert ack["Message-ID"].strip() in sent["References"]
    assert sent["Auto-Submitted"] == "no"
    assert "请重新安装打印驱动" in sent.get_content()
    assert ThreadMessageId.objects.filter(
        message_id=sent["Message-ID"].strip(), ticket_id=ticket.pk, outbound=True
    ).exists()
    # The client answers the agent's mail: it threads into the same request by In-Reply-To.
    answer = client_mail(
        "c2@acme.com.cn", subject="Re: 打印", body="装好了。", extra=f"In-Reply-To: {sent['Message-ID']}\r\n"
    )
    back = ingest(answer, django_capture_on_commit_callbacks)
    assert (back.outcome, back.ticket_id) == ("reply", ticket.pk)


@pytest.mark.django_db
def test_the_client_gets_an_agents_reply_once_in_the_thread_and_not_again_as_a_notification(
    world: World, staff: User, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    row = ingest(
        client_mail("c9@acme.com.cn", subject="无法登录", body="无法登录。"), django_capture_on_commit_callbacks
    )
    assert row.ticket_id is not None
    ticket = Ticket.objects.get(pk=row.ticket_id)
    with django_capture_on_commit_callbacks(execute=True):
        event = ticket_reply(actor=staff, ticket_id=ticket.pk, body="<p>已重置密码。</p>")
    assert [m["To"] for m in sink.messages if "已重置密码" in m.get_content()] == ["zhang@acme.com.cn"]
    assert not Delivery.objects.filter(address="zhang@acme.com.cn", notification__event=events.REQUEST_REPLIED).exists()
    assert not Notification.objects.filter(
        event=events.REQUEST_REPLIED, dedup_key=f"ticket-event:{event.pk}:client"
    ).exists()


@pytest.mark.django_db
def test_internal_notes_and_replies_on_requests_not_from_mail_send_nothing(
    world: World, staff: User, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    hotline = Ticket.objects.filter(pk=world.t7.pk)
    hotline.update(channel="hotline")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(actor=staff, ticket_id=world.t7.pk, body="电话已回复。")
        ticket_reply(actor=staff, ticket_id=world.t8.pk, body="内部备注。", internal=True)
    assert sink.messages == []


@pytest.mark.django_db
def test_an_auto_responder_gets_at_most_one_automatic_reply_per_thread_in_a_simulated_hour(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    """A careless auto-responder (no Auto-Submitted header) answers every mail it gets."""
    with time_machine.travel("2026-11-21 01:00:00+00:00", tick=False) as clock:
        ingest(client_mail("start@acme.com.cn", subject="停机", body="系统停机。"), django_capture_on_commit_callbacks)
        answered = 0
        for minute in range(60):
            pending = sink.messages
            sink.clear()
            for received in pending:
                answered += 1
                reply = client_mail(
                    f"auto-{minute}-{answered}@acme.com.cn",
                    subject="Re: " + str(received["Subject"]),
                    body="我正在休假。",
                    extra=f"In-Reply-To: {received['Message-ID']}\r\n",
                )
                ingest(reply, django_capture_on_commit_callbacks)
            clock.shift(60)
    automatic = ThreadMessageId.objects.filter(outbound=True, automatic=True)
    assert automatic.count() == 1
    assert answered == 1
    ticket = Ticket.objects.get(pk=automatic.get().ticket_id)
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY).count() == 1


@pytest.mark.django_db
def test_a_well_behaved_auto_responder_and_bounces_create_nothing_and_get_no_answer(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    before = Ticket.objects.count()
    events = TicketEvent.objects.count()
    for name in ("auto-replied", "x-autoreply", "bounce-report", "bounce-postmaster", "precedence-bulk", "list-id"):
        row = ingest((CORPUS / f"{name}.eml").read_bytes(), django_capture_on_commit_callbacks)
        assert row.state == InboundMessage.State.IGNORED
    assert Ticket.objects.count() == before
    assert TicketEvent.objects.count() == events
    assert sink.messages == []


@pytest.mark.django_db
def test_after_the_window_a_thread_may_be_acknowledged_again(
    world: World, sink: Sink, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel("2026-11-21 01:00:00+00:00", tick=False) as clock:
        first = ingest(client_mail("w1@acme.com.cn", subject="慢", body="很慢。"), django_capture_on_commit_callbacks)
        ack = sink.messages[-1]
        clock.shift(61 * 60)
        follow = client_mail(
            "w2@acme.com.cn", subject="Re: 慢", body="还是慢。", extra=f"In-Reply-To: {ack['Message-ID']}\r\n"
        )
        second = ingest(follow, django_capture_on_commit_callbacks)
    assert second.ticket_id == first.ticket_id
    assert len(sink.messages) == 2
    assert sink.messages[1]["Auto-Submitted"] == "auto-replied"
    assert email.utils.parseaddr(sink.messages[1]["To"])[1] == "zhang@acme.com.cn"
