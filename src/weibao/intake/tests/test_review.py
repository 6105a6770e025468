"""The review page: agents release a held message into a request or discard it, with audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from weibao.accounts.models import AuditEvent
from weibao.intake.models import InboundMessage, Source
from weibao.intake.parsing import dedup_key, parse
from weibao.intake.services import message_process, message_store
from weibao.intake.tests.conftest import World
from weibao.tickets.models import Ticket

CORPUS = Path(__file__).resolve().parent / "corpus"


def held(name: str) -> InboundMessage:
    raw = (CORPUS / f"{name}.eml").read_bytes()
    mail = parse(raw)
    row, _ = message_store(
        source=Source.EMAIL,
        dedup_key=dedup_key(raw, mail.message_id),
        raw=raw,
        sender=mail.sender,
        subject=mail.subject,
    )
    done = message_process(message_id=row.pk)
    assert done.state == InboundMessage.State.QUARANTINED
    return done


@pytest.mark.django_db
def test_an_agent_sees_held_messages_with_their_reason(world: World, as_staff: HttpClient) -> None:
    row = held("stranger-token")
    page = as_staff.get(reverse("intake:review_list"))
    assert page.status_code == 200
    assert "evil@gmail.com" in page.content.decode()
    assert "发件人不是该请求的联系人" in page.content.decode()  # the agent reads Chinese
    detail = as_staff.get(reverse("intake:review_detail", kwargs={"pk": row.pk}))
    assert "我也有这个问题" in detail.content.decode()


@pytest.mark.django_db
def test_the_review_page_speaks_chinese_to_a_chinese_agent(world: World, as_staff: HttpClient) -> None:
    held("unknown-domain")
    with translation.override("zh-hans"):
        page = as_staff.get(reverse("intake:review_list"), headers={"Accept-Language": "zh-hans"})
    assert "待审核" in page.content.decode()


@pytest.mark.django_db
def test_releasing_a_held_message_makes_a_new_request_for_the_chosen_client_with_audit(
    world: World, as_staff: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    row = held("stranger-token")
    before = Ticket.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(reverse("intake:review_release", kwargs={"pk": row.pk}), {"client": world.bjedu.pk})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.outcome) == ("done", "new")
    assert Ticket.objects.count() == before + 1
    assert row.ticket_id is not None
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.client == world.bjedu
    assert world.t7.events.count() == Ticket.objects.get(pk=world.t7.pk).events.count()
    assert AuditEvent.objects.filter(action="intake.message.release", object_id=str(row.pk)).exists()
    again = as_staff.post(reverse("intake:review_release", kwargs={"pk": row.pk}), {"client": world.bjedu.pk})
    assert again.status_code == 404
    assert Ticket.objects.count() == before + 1


@pytest.mark.django_db
def test_releasing_without_a_client_for_an_unknown_sender_keeps_it_in_review(
    world: World, as_staff: HttpClient
) -> None:
    row = held("unknown-domain")
    response = as_staff.post(reverse("intake:review_release", kwargs={"pk": row.pk}), {"client": ""})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "quarantined"
    bad = as_staff.post(reverse("intake:review_release", kwargs={"pk": row.pk}), {"client": "999999"})
    assert bad.status_code == 302
    row.refresh_from_db()
    assert row.state == "quarantined"


@pytest.mark.django_db
def test_discarding_keeps_the_message_marked_discarded_with_audit(world: World, as_staff: HttpClient) -> None:
    row = held("unknown-domain")
    response = as_staff.post(reverse("intake:review_discard", kwargs={"pk": row.pk}))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "discarded"
    assert AuditEvent.objects.filter(action="intake.message.discard").exists()
    assert as_staff.post(reverse("intake:review_discard", kwargs={"pk": row.pk})).status_code == 404


@pytest.mark.django_db
def test_client_users_and_auditors_get_404_everywhere_in_review(
    world: World, as_client_a: HttpClient, as_auditor: HttpClient
) -> None:
    row = held("unknown-domain")
    for http in (as_client_a, as_auditor):
        assert http.get(reverse("intake:review_list")).status_code == 404
        assert http.get(reverse("intake:review_detail", kwargs={"pk": row.pk})).status_code == 404
        assert http.post(reverse("intake:review_release", kwargs={"pk": row.pk})).status_code == 404
        assert http.post(reverse("intake:review_discard", kwargs={"pk": row.pk})).status_code == 404
    row.refresh_from_db()
    assert row.state == "quarantined"
