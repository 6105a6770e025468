"""Generic inbound webhooks: a source's own token, JSON → request, deduplicated by the source's id."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.intake.models import InboundMessage, WebhookSource
from weibao.intake.tests.conftest import World
from weibao.intake.views_hooks import token_digest
from weibao.tickets.models import Ticket

TOKEN = "hook-token-0123456789"


@pytest.fixture
def source(db: None) -> WebhookSource:
    return WebhookSource.objects.create(name="监控平台", key="zabbix", token_sha256=token_digest(TOKEN))


def post(http: HttpClient, payload: Any, token: str = TOKEN, key: str = "zabbix") -> Any:
    return http.post(
        reverse("intake:webhook_receive", kwargs={"key": key}),
        data=payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


PAYLOAD = {"id": "evt-1", "client": "acme", "title": "磁盘使用率 95%", "description": "db01 /data 已满"}


def test_only_a_digest_of_the_token_is_stored(source: WebhookSource) -> None:
    assert TOKEN not in source.token_sha256
    assert len(source.token_sha256) == 64


@pytest.mark.django_db
def test_a_webhook_opens_a_request_once_per_source_id(world: World, source: WebhookSource, client: HttpClient) -> None:
    before = Ticket.objects.count()
    first = post(client, PAYLOAD)
    again = post(client, PAYLOAD)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["outcome"] == "new"
    assert first.json()["message"] == again.json()["message"]
    assert Ticket.objects.count() == before + 1
    ticket = Ticket.objects.latest("id")
    assert (ticket.client, ticket.channel, ticket.title) == (world.acme, "api", "磁盘使用率 95%")
    assert "db01 /data 已满" in ticket.description


@pytest.mark.django_db
def test_a_wrong_or_missing_token_is_refused(source: WebhookSource, client: HttpClient) -> None:
    assert post(client, PAYLOAD, token="wrong").status_code == 403
    response = client.post(
        reverse("intake:webhook_receive", kwargs={"key": "zabbix"}), data=PAYLOAD, content_type="application/json"
    )
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**PAYLOAD, "id": ""}, "id"),
        ({k: v for k, v in PAYLOAD.items() if k != "client"}, "client"),
        ({**PAYLOAD, "title": 5}, "title"),
        ({**PAYLOAD, "title": "x" * 201}, "title"),
        ({**PAYLOAD, "description": ["a"]}, "description"),
    ],
)
def test_bad_payloads_are_refused_naming_the_field(
    source: WebhookSource, client: HttpClient, payload: dict[str, Any], field: str
) -> None:
    response = post(client, payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_a_json_object_is_refused(source: WebhookSource, client: HttpClient) -> None:
    assert post(client, "[1, 2]").status_code == 400
    assert post(client, "not json").status_code == 400


@pytest.mark.django_db
def test_an_unknown_client_goes_to_review(world: World, source: WebhookSource, client: HttpClient) -> None:
    response = post(client, {**PAYLOAD, "client": "nobody"})
    assert response.json()["state"] == "quarantined"
    assert response.json()["reason"] == "sender matches no client"


@pytest.mark.django_db
def test_a_disabled_source_answers_404(source: WebhookSource, client: HttpClient) -> None:
    WebhookSource.objects.update(enabled=False)
    assert post(client, PAYLOAD).status_code == 404
