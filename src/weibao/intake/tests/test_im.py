"""IM callbacks: signatures checked as WeCom, DingTalk and Feishu document them; messages
become requests or replies, each event once."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.intake import im
from weibao.intake.crypto import secret_seal
from weibao.intake.models import ImApp, InboundMessage
from weibao.intake.tests import im_fakes as fake
from weibao.intake.tests.conftest import World
from weibao.tickets.models import Ticket, TicketEvent


@pytest.fixture
def apps(db: None) -> dict[str, ImApp]:
    return {
        "wecom": ImApp.objects.create(
            name="企业微信",
            platform="wecom",
            key="wecom-main",
            receive_id=fake.WECOM_CORP,
            token_encrypted=secret_seal(fake.WECOM_TOKEN),
            aes_key_encrypted=secret_seal(fake.WECOM_AES),
        ),
        "dingtalk": ImApp.objects.create(
            name="钉钉", platform="dingtalk", key="ding-main", secret_encrypted=secret_seal(fake.DING_SECRET)
        ),
        "feishu": ImApp.objects.create(
            name="飞书",
            platform="feishu",
            key="feishu-main",
            token_encrypted=secret_seal(fake.FEISHU_TOKEN),
            aes_key_encrypted=secret_seal(fake.FEISHU_KEY),
        ),
    }


def wecom_post(http: HttpClient, params: dict[str, str], body: bytes) -> Any:
    url = reverse("intake:wecom_callback", kwargs={"key": "wecom-main"})
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return http.post(f"{url}?{query}", data=body, content_type="text/xml")


# --- Pure checks -----------------------------------------------------------------------


def test_wecom_decrypts_what_it_encrypted_and_checks_the_receive_id() -> None:
    sealed = fake.wecom_encrypt("你好".encode())
    assert (
        im.wecom_decrypt(encoding_aes_key=fake.WECOM_AES, encrypt=sealed, receive_id=fake.WECOM_CORP) == "你好".encode()
    )
    with pytest.raises(im.CallbackError, match="another receive id"):
        im.wecom_decrypt(encoding_aes_key=fake.WECOM_AES, encrypt=sealed, receive_id="wx-other")


def test_the_dingtalk_signature_is_the_documented_hmac() -> None:
    # base64(HMAC-SHA256(secret, "timestamp\nsecret")), computed independently here.
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"this is secret", b"1577262236757\nthis is secret", hashlib.sha256).digest())
    assert im.dingtalk_sign("this is secret", "1577262236757") == expected.decode()


def test_a_feishu_event_decrypts_under_the_sha256_of_the_encrypt_key() -> None:
    event = {"challenge": "abc", "token": "t", "type": "url_verification"}
    assert im.feishu_decrypt(encrypt_key="k", encrypt=fake.feishu_encrypt(event, "k")) == event
    with pytest.raises(im.CallbackError):
        im.feishu_decrypt(encrypt_key="wrong", encrypt=fake.feishu_encrypt(event, "k"))


# --- WeCom ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wecom_url_verification_answers_the_decrypted_echostr(apps: dict[str, ImApp], client: HttpClient) -> None:
    echostr = fake.wecom_encrypt(b"1616140317555161061")
    params = {
        "msg_signature": im.wecom_signature(fake.WECOM_TOKEN, "1409659813", "263014780", echostr),
        "timestamp": "1409659813",
        "nonce": "263014780",
        "echostr": echostr,
    }
    url = reverse("intake:wecom_callback", kwargs={"key": "wecom-main"})
    response = client.get(url, params)
    assert response.status_code == 200
    assert response.content == b"1616140317555161061"
    params["msg_signature"] = "0" * 40
    assert client.get(url, params).status_code == 403


@pytest.mark.django_db
def test_a_wecom_text_message_opens_a_request_once(world: World, apps: dict[str, ImApp], client: HttpClient) -> None:
    params, body = fake.wecom_text("打印机无法打印报表", sender="zhangwei", msg_id="1234567890123456")
    before = Ticket.objects.count()
    first = wecom_post(client, params, body)
    again = wecom_post(client, params, body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.content == b"success"
    assert Ticket.objects.count() == before + 1
    ticket = Ticket.objects.latest("id")
    assert (ticket.channel, ticket.client, ticket.contact) == ("wecom", world.acme, world.zhang)
    assert "打印机无法打印报表" in ticket.description
    assert InboundMessage.objects.filter(source="wecom").count() == 1


@pytest.mark.django_db
def test_a_wecom_message_quoting_a_request_number_is_a_reply(
    world: World, apps: dict[str, ImApp], client: HttpClient
) -> None:
    params, body = fake.wecom_text(f"{world.t7.number} 已经恢复", sender="zhangwei", msg_id="m-2")
    assert wecom_post(client, params, body).status_code == 200
    assert world.t7.events.filter(kind=TicketEvent.Kind.REPLY, body__contains="已经恢复").exists()


@pytest.mark.django_db
def test_wecom_refuses_a_bad_signature_a_wrong_receive_id_and_a_stale_message(
    world: World, apps: dict[str, ImApp], client: HttpClient
) -> None:
    params, body = fake.wecom_text("x", sender="zhangwei", msg_id="m-3")
    forged = wecom_post(client, {**params, "msg_signature": "f" * 40}, body)
    assert forged.status_code == 403
    assert forged.json()["detail"] == "bad signature"
    params, body = fake.wecom_text("x", sender="zhangwei", msg_id="m-4", receive_id="wx-other")
    assert wecom_post(client, params, body).status_code == 403
    params, body = fake.wecom_text("x", sender="zhangwei", msg_id="m-5", created=int(time.time()) - 7200)
    stale = wecom_post(client, params, body)
    assert stale.status_code == 400
    assert stale.json()["detail"] == "stale timestamp"
    assert InboundMessage.objects.count() == 0


# --- DingTalk ---------------------------------------------------------------------------


def ding_post(http: HttpClient, headers: dict[str, str], body: bytes) -> Any:
    url = reverse("intake:dingtalk_callback", kwargs={"key": "ding-main"})
    return http.post(url, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_dingtalk_message_opens_a_request_and_a_repeat_of_its_msg_id_is_ignored(
    world: World, apps: dict[str, ImApp], client: HttpClient
) -> None:
    headers, body = fake.dingtalk_text("数据库连接池耗尽", sender="lina", msg_id="msgX1")
    before = Ticket.objects.count()
    assert ding_post(client, headers, body).status_code == 200
    assert ding_post(client, headers, body).status_code == 200
    assert Ticket.objects.count() == before + 1
    ticket = Ticket.objects.latest("id")
    assert (ticket.channel, ticket.contact) == ("dingtalk", world.li)


@pytest.mark.django_db
def test_dingtalk_refuses_a_wrong_sign_and_a_timestamp_over_an_hour_old(
    apps: dict[str, ImApp], client: HttpClient
) -> None:
    headers, body = fake.dingtalk_text("x", sender="lina", msg_id="m1")
    assert ding_post(client, {**headers, "sign": "AAAA"}, body).status_code == 403
    headers, body = fake.dingtalk_text("x", sender="lina", msg_id="m2", at_ms=int(time.time() * 1000) - 3_700_000)
    stale = ding_post(client, headers, body)
    assert stale.status_code == 400
    assert stale.json()["detail"] == "stale timestamp"
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_dingtalk_message_from_someone_unknown_goes_to_review(
    world: World, apps: dict[str, ImApp], client: HttpClient
) -> None:
    headers, body = fake.dingtalk_text(f"{world.t7.number} 催一下", sender="stranger", msg_id="m3")
    assert ding_post(client, headers, body).status_code == 200
    row = InboundMessage.objects.get()
    assert (row.state, row.reason) == ("quarantined", "sender not on the request")


# --- Feishu -----------------------------------------------------------------------------


def feishu_post(http: HttpClient, headers: dict[str, str], body: bytes) -> Any:
    url = reverse("intake:feishu_callback", kwargs={"key": "feishu-main"})
    return http.post(url, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_feishu_url_verification_answers_the_challenge(apps: dict[str, ImApp], client: HttpClient) -> None:
    event = {"challenge": "ajls384kdjx98XX", "token": fake.FEISHU_TOKEN, "type": "url_verification"}
    body = json.dumps({"encrypt": fake.feishu_encrypt(event)}).encode()
    response = feishu_post(client, {}, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "ajls384kdjx98XX"}
    event["token"] = "wrong"
    assert feishu_post(client, {}, json.dumps({"encrypt": fake.feishu_encrypt(event)}).encode()).status_code == 403


@pytest.mark.django_db
def test_a_feishu_message_opens_a_request_once_per_event_id(
    world: World, apps: dict[str, ImApp], client: HttpClient
) -> None:
    headers, body = fake.feishu_signed(fake.feishu_message_event("报表导出超时", sender="ou_lina", event_id="ev-1"))
    before = Ticket.objects.count()
    assert feishu_post(client, headers, body).status_code == 200
    headers, body = fake.feishu_signed(fake.feishu_message_event("报表导出超时", sender="ou_lina", event_id="ev-1"))
    assert feishu_post(client, headers, body).status_code == 200
    assert Ticket.objects.count() == before + 1
    ticket = Ticket.objects.latest("id")
    assert (ticket.channel, ticket.contact) == ("feishu", world.li)


@pytest.mark.django_db
def test_feishu_refuses_a_bad_or_stale_signature_and_unsigned_events(
    apps: dict[str, ImApp], client: HttpClient
) -> None:
    event = fake.feishu_message_event("x", sender="ou_lina", event_id="ev-2")
    headers, body = fake.feishu_signed(event)
    assert feishu_post(client, {**headers, "X-Lark-Signature": "0" * 64}, body).status_code == 403
    headers, body = fake.feishu_signed(event, at=int(time.time()) - 7200)
    assert feishu_post(client, headers, body).status_code == 400
    assert feishu_post(client, {}, body).status_code == 403
    assert feishu_post(client, {}, b"not json").status_code == 400
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db
def test_callbacks_of_an_unknown_or_disabled_app_answer_404(apps: dict[str, ImApp], client: HttpClient) -> None:
    ImApp.objects.filter(platform="dingtalk").update(enabled=False)
    headers, body = fake.dingtalk_text("x", sender="lina", msg_id="m9")
    assert ding_post(client, headers, body).status_code == 404
    url = reverse("intake:dingtalk_callback", kwargs={"key": "nope"})
    assert client.post(url, data=body, content_type="application/json", headers=headers).status_code == 404
