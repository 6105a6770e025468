"""Every message of the corpus ends as the manifest says: new request, reply, review or ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail as outbox

from weibao.intake.models import InboundMessage, Source
from weibao.intake.parsing import dedup_key, parse
from weibao.intake.services import message_process, message_store
from weibao.intake.tests.conftest import World
from weibao.tickets.models import Ticket, TicketEvent

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def ingest(raw: bytes) -> InboundMessage:
    mail = parse(raw)
    row, _created = message_store(
        source=Source.EMAIL,
        dedup_key=dedup_key(raw, mail.message_id),
        raw=raw,
        sender=mail.sender,
        subject=mail.subject,
    )
    return message_process(message_id=row.pk)


def test_the_corpus_has_at_least_fifty_messages() -> None:
    assert len(MANIFEST) >= 50
    assert {entry["outcome"] for entry in MANIFEST} == {"new", "reply", "quarantine", "ignored"}


@pytest.mark.django_db
@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_each_corpus_message_ends_as_its_manifest_says(
    entry: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    raw = (CORPUS / entry["file"]).read_bytes()
    before = Ticket.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(raw)
    assert parse(raw).subject == entry["subject"] or entry["subject"] == "(no subject)"
    outcome = entry["outcome"]
    if outcome == "ignored":
        assert row.state == InboundMessage.State.IGNORED
        assert row.reason == entry["reason"]
        assert Ticket.objects.count() == before
        assert outbox.outbox == []
        return
    if outcome == "quarantine":
        assert row.state == InboundMessage.State.QUARANTINED
        assert row.reason == entry["reason"]
        assert Ticket.objects.count() == before
        assert entry["snippet"] in parse(raw).text
        return
    assert row.state == InboundMessage.State.DONE, row.reason
    assert row.outcome == outcome
    assert row.ticket_id is not None
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.client.code == entry["client"]
    if outcome == "new":
        assert Ticket.objects.count() == before + 1
        assert ticket.channel == "email"
        assert ticket.title == entry["subject"]
        assert entry["snippet"] in ticket.description
        event = ticket.events.get(kind=TicketEvent.Kind.CREATED)
        if "contact" in entry:
            assert (ticket.contact is not None) == entry["contact"]
    else:
        assert Ticket.objects.count() == before
        assert ticket.number == entry["ticket"]
        event = ticket.events.filter(kind=TicketEvent.Kind.REPLY).latest("id")
        assert entry["snippet"] in event.body
    assert "<script" not in event.body
    if "not_in_body" in entry:
        assert entry["not_in_body"] not in event.body
    if "quoted" in entry:
        assert entry["quoted"] in event.data["quoted"]
    assert sorted(a.original_name for a in event.attachments.all()) == sorted(entry["attachments"])
    assert event.data.get("refused_files", []) == entry.get("refused", [])
    # Acknowledged once, in the thread, marked automatic.
    assert len(outbox.outbox) == 1
    sent = outbox.outbox[0]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert f"[{ticket.number}]" in sent.subject


@pytest.mark.django_db
def test_the_same_message_delivered_twice_makes_one_request(world: World) -> None:
    raw = (CORPUS / "utf8-plain.eml").read_bytes()
    first = ingest(raw)
    second = ingest(raw)
    assert first.pk == second.pk
    assert first.ticket_id is not None
    assert Ticket.objects.filter(pk=first.ticket_id).count() == 1
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 3
