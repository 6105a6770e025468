"""Group robots and webhooks against local fakes of the platforms; retries and dead letters."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from weibao.accounts.models import User
from weibao.notifications import events
from weibao.notifications.delivering import (
    MAX_ATTEMPTS,
    deliveries_requeue,
    deliveries_run_due,
    delivery_attempt,
)
from weibao.notifications.dispatch import Recipients, notify
from weibao.notifications.models import Delivery, Endpoint, InboxItem
from weibao.notifications.tests.fakes import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    WEBHOOK_SECRET,
    WECOM_KEY,
    FakePlatforms,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"number": "WB-20261122-0007", "title": "Core switch down"}


def _endpoint(kind: str, url: str, secret: str = "") -> Endpoint:
    return Endpoint.objects.create(kind=kind, name=kind, url=url, secret=secret)


def _notify(on_duty: tuple[str, ...] = ()) -> Delivery:
    notify(
        event=events.SLA_BREACHED,
        recipients=Recipients(on_duty=on_duty),
        context=CONTEXT,
        client_id=3,
        link="/tickets/7/",
    )
    return Delivery.objects.latest("pk")


def _wecom(fake: FakePlatforms, key: str = WECOM_KEY) -> Endpoint:
    return _endpoint("wecom", f"{fake.base}/cgi-bin/webhook/send?key={key}")


def _dingtalk(fake: FakePlatforms, secret: str = DINGTALK_SECRET) -> Endpoint:
    return _endpoint("dingtalk", f"{fake.base}/robot/send?access_token={DINGTALK_TOKEN}", secret)


def _feishu(fake: FakePlatforms, secret: str = FEISHU_SECRET) -> Endpoint:
    return _endpoint("feishu", f"{fake.base}/open-apis/bot/v2/hook/{FEISHU_HOOK}", secret)


def _webhook(fake: FakePlatforms) -> Endpoint:
    return _endpoint("webhook", f"{fake.base}/hook", WEBHOOK_SECRET)


def _state(delivery: Delivery) -> tuple[str, str]:
    delivery.refresh_from_db()
    return delivery.state, delivery.last_error


def test_wecom_robot_accepts_a_markdown_message(platforms: FakePlatforms) -> None:
    _wecom(platforms)
    delivery = _notify()
    assert deliveries_run_due() == {"sent": 1}
    assert _state(delivery) == ("sent", "")
    body = platforms.received[-1][1]
    assert body["msgtype"] == "markdown"
    assert "WB-20261122-0007" in body["markdown"]["content"]


def test_wecom_robot_mentions_the_on_duty_contact_by_mobile(platforms: FakePlatforms) -> None:
    _wecom(platforms)
    _notify(on_duty=("13800001111",))
    deliveries_run_due()
    body = platforms.received[-1][1]
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800001111"]


def test_wecom_robot_with_a_wrong_key_leaves_the_delivery_retrying_with_the_platform_error(
    platforms: FakePlatforms,
) -> None:
    _wecom(platforms, key="wrong")
    delivery = _notify()
    assert deliveries_run_due() == {"retrying": 1}
    assert _state(delivery) == ("retrying", "WeCom errcode 93000: invalid webhook url")


def test_dingtalk_robot_accepts_a_signed_markdown_message_with_at_mobiles(platforms: FakePlatforms) -> None:
    _dingtalk(platforms)
    delivery = _notify(on_duty=("13900002222",))
    assert deliveries_run_due() == {"sent": 1}
    assert _state(delivery) == ("sent", "")
    body = platforms.received[-1][1]
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atMobiles": ["13900002222"], "isAtAll": False}
    assert "@13900002222" in body["markdown"]["text"]


def test_dingtalk_robot_rejects_a_bad_signature(platforms: FakePlatforms) -> None:
    _dingtalk(platforms, secret="SECwrong")
    delivery = _notify()
    deliveries_run_due()
    assert _state(delivery) == ("retrying", "DingTalk errcode 310000: sign not match")


def test_dingtalk_robot_rejects_a_stale_timestamp(platforms: FakePlatforms) -> None:
    _dingtalk(platforms)
    platforms.skew = 2 * 3600
    delivery = _notify()
    deliveries_run_due()
    assert _state(delivery) == ("retrying", "DingTalk errcode 310000: sign not match")


def test_feishu_robot_accepts_a_signed_rich_text_message(platforms: FakePlatforms) -> None:
    _feishu(platforms)
    delivery = _notify()
    assert deliveries_run_due() == {"sent": 1}
    assert _state(delivery) == ("sent", "")
    body = platforms.received[-1][1]
    assert body["msg_type"] == "post"
    assert "WB-20261122-0007" in body["content"]["post"]["zh_cn"]["title"]


def test_feishu_robot_mentions_the_on_duty_contact_with_an_at_tag(platforms: FakePlatforms) -> None:
    _feishu(platforms)
    _notify(on_duty=("ou_duty",))
    deliveries_run_due()
    body = platforms.received[-1][1]
    assert body["msg_type"] == "text"
    assert '<at user_id="ou_duty"></at>' in body["content"]["text"]


@pytest.mark.parametrize("skew", [0, 2 * 3600])
def test_feishu_robot_rejects_a_bad_or_stale_signature(platforms: FakePlatforms, skew: int) -> None:
    _feishu(platforms, secret="wrong" if skew == 0 else FEISHU_SECRET)
    platforms.skew = skew
    delivery = _notify()
    deliveries_run_due()
    state, error = _state(delivery)
    assert state == "retrying"
    assert error.startswith("Feishu code 19021: sign match fail or timestamp is not within one hour")


def test_webhook_is_signed_and_carries_the_delivery_idempotency_key(platforms: FakePlatforms) -> None:
    _webhook(platforms)
    delivery = _notify(on_duty=("13800001111",))
    assert deliveries_run_due() == {"sent": 1}
    assert platforms.hits == {delivery.idempotency_key: 1}
    body = platforms.received[-1][1]
    assert body["id"] == delivery.idempotency_key
    assert body["event"] == "sla.breached"
    assert body["context"] == CONTEXT
    assert body["on_duty"] == ["13800001111"]


def test_a_failing_webhook_is_retried_with_backoff_and_then_delivered_once(platforms: FakePlatforms) -> None:
    _webhook(platforms)
    platforms.fail_next = 2
    delivery = _notify()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert deliveries_run_due() == {"retrying": 1}
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == start + dt.timedelta(seconds=30)
        assert deliveries_run_due() == {}  # not due yet
        clock.shift(dt.timedelta(seconds=31))
        assert deliveries_run_due() == {"retrying": 1}
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)
        clock.shift(dt.timedelta(seconds=61))
        assert deliveries_run_due() == {"sent": 1}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 3)
    assert platforms.hits == {delivery.idempotency_key: 1}


def test_a_webhook_that_never_answers_well_is_dead_lettered_and_administrators_are_alerted(
    platforms: FakePlatforms, admin: User
) -> None:
    _webhook(platforms)
    platforms.fail_next = 100
    delivery = _notify()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            deliveries_run_due()
            clock.shift(dt.timedelta(hours=1))
    state, error = _state(delivery)
    assert state == "dead"
    assert error.startswith("HTTP 500")
    assert delivery.attempts == MAX_ATTEMPTS
    alert = InboxItem.objects.get(user=admin, event="delivery.dead")
    # In the administrator's language (the default, Chinese).
    assert alert.title == "通知投递失败：外发 Webhook"
    assert f"尝试 {MAX_ATTEMPTS} 次后放弃" in alert.body


def test_a_webhook_to_a_refused_address_is_dead_at_once_without_a_connection(
    platforms: FakePlatforms, settings: Any, admin: User
) -> None:
    settings.OUTBOUND_ALLOW = []
    _webhook(platforms)
    delivery = _notify()
    assert deliveries_run_due() == {"dead": 1}
    assert "is not reachable from here" in _state(delivery)[1]
    assert platforms.hits == {}
    assert InboxItem.objects.filter(user=admin, event="delivery.dead").count() == 1


def test_a_delivery_is_claimed_once_so_a_second_task_for_it_does_nothing(platforms: FakePlatforms) -> None:
    _webhook(platforms)
    delivery = _notify()
    assert delivery_attempt(key=delivery.idempotency_key) == "sent"
    assert delivery_attempt(key=delivery.idempotency_key) == "skipped"
    assert platforms.hits == {delivery.idempotency_key: 1}


def test_a_delivery_left_sending_by_a_lost_worker_is_queued_again(platforms: FakePlatforms) -> None:
    _webhook(platforms)
    delivery = _notify()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_at=long_ago, next_attempt_at=long_ago)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        assert deliveries_requeue() == 1
        assert deliveries_run_due() == {"sent": 1}


def test_webhook_body_is_json_with_the_notification(platforms: FakePlatforms) -> None:
    _webhook(platforms)
    _notify()
    deliveries_run_due()
    body = platforms.received[-1][1]
    assert json.loads(json.dumps(body))["link"] == "/tickets/7/"


def test_endpoint_secret_is_not_stored_in_clear() -> None:
    endpoint = _endpoint("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=x", secret=DINGTALK_SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_endpoint WHERE id = %s", [endpoint.pk])
        stored = str(cursor.fetchone()[0])
    assert DINGTALK_SECRET not in stored
    assert Endpoint.objects.get(pk=endpoint.pk).secret == DINGTALK_SECRET
