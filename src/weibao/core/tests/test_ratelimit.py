"""Fixed-window rate limits counted in the database, shared by every process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from weibao.core.models import RateLimitCounter
from weibao.core.ratelimit import (
    Rate,
    RateLimitedError,
    counters_prune,
    rate_check,
    rate_hit,
    rate_limit,
    rate_limit_exceeded,
)
from weibao.core.tests.helpers import weibao_env

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 5, 10, 8, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/hour", Rate(5, 3600)),
        ("600/minute", Rate(600, 60)),
        ("30/minutes", Rate(30, 60)),
        ("100/10minutes", Rate(100, 600)),
        (" 2 / day ", Rate(2, 86400)),
        ("1/second", Rate(1, 1)),
    ],
)
def test_rates_are_read_from_text(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "5", "five/hour", "0/hour", "5/week", "5/0minutes", "-1/hour"])
def test_a_malformed_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


def test_hits_within_the_limit_are_allowed_and_the_next_refused() -> None:
    with time_machine.travel(START, tick=False):
        decisions = [rate_hit("test.scope", "10.0.0.1", "3/minute") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.hits for d in decisions] == [1, 2, 3, 4, 5]
    assert [d.first_refusal for d in decisions] == [False, False, False, True, False]


def test_retry_after_counts_the_seconds_to_the_next_window() -> None:
    with time_machine.travel(START + dt.timedelta(seconds=45), tick=False):
        rate_hit("test.scope", "k", "1/minute")
        assert rate_hit("test.scope", "k", "1/minute").retry_after == 15


def test_a_new_window_starts_afresh() -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            rate_hit("test.scope", "k", "2/minute")
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert rate_hit("test.scope", "k", "2/minute").allowed


def test_keys_and_scopes_are_counted_apart() -> None:
    with time_machine.travel(START, tick=False):
        rate_hit("test.scope", "a", "1/minute")
        assert rate_hit("test.scope", "b", "1/minute").allowed
        assert rate_hit("other.scope", "a", "1/minute").allowed
        assert not rate_hit("test.scope", "a", "1/minute").allowed


def test_a_very_long_key_is_stored_as_a_digest() -> None:
    key = "x" * 1000
    rate_hit("test.scope", key, "1/minute")
    assert not rate_hit("test.scope", key, "1/minute").allowed
    assert RateLimitCounter.objects.get().key.startswith("sha256:")


def test_the_first_refusal_of_a_window_is_signalled_exactly_once() -> None:
    received: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        received.append(kwargs)

    rate_limit_exceeded.connect(receiver)
    try:
        with time_machine.travel(START, tick=False):
            for _ in range(6):
                rate_hit("test.scope", "k", "2/minute", actor="someone")
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            for _ in range(3):
                rate_hit("test.scope", "k", "2/minute")
    finally:
        rate_limit_exceeded.disconnect(receiver)
    assert len(received) == 2
    assert received[0] | {"signal": None} == {
        "signal": None,
        "scope": "test.scope",
        "key": "k",
        "limit": 2,
        "window_seconds": 60,
        "actor": "someone",
    }


def test_rate_check_raises_a_429_error_with_retry_after() -> None:
    with time_machine.travel(START, tick=False):
        rate_check("test.scope", "k", "1/hour")
        with pytest.raises(RateLimitedError) as caught:
            rate_check("test.scope", "k", "1/hour")
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 3600
    assert "60" in caught.value.message


def test_the_refusal_message_is_localised() -> None:
    with time_machine.travel(START, tick=False):
        rate_hit("test.scope", "k", "1/minute")
        decision = rate_hit("test.scope", "k", "1/minute")
    with translation.override("zh-hans"):
        assert "请求过于频繁" in decision.error().message
    with translation.override("en"):
        assert decision.error().message == "Too many requests. Try again in 60 seconds."


def test_ended_windows_are_pruned() -> None:
    with time_machine.travel(START, tick=False):
        rate_hit("test.scope", "old", "5/minute")
    with time_machine.travel(START + dt.timedelta(seconds=90), tick=False):
        rate_hit("test.scope", "new", "5/minute")
        assert counters_prune() == 1
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["new"]


def _webhook(request: HttpRequest) -> HttpResponse:
    return HttpResponse("accepted")


def test_the_webhook_decorator_answers_429_with_retry_after_once_over(settings: Any) -> None:
    settings.RATE_WEBHOOK = "2/minute"
    view = rate_limit("webhook.test", key=lambda request: request.GET.get("channel", ""))(_webhook)
    factory = RequestFactory()
    with time_machine.travel(START, tick=False):
        answers = [view(factory.post("/hook/?channel=wecom")) for _ in range(3)]
        other = view(factory.post("/hook/?channel=dingtalk"))
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == "60"
    assert "detail" in json.loads(answers[2].content)
    assert other.status_code == 200


def test_the_webhook_decorator_reads_the_setting_it_is_given(settings: Any) -> None:
    settings.RATE_INTAKE_TEST = "1/hour"
    view = rate_limit("webhook.test", key=lambda request: "one", setting="RATE_INTAKE_TEST")(_webhook)
    request = RequestFactory().post("/hook/")
    assert view(request).status_code == 200
    assert view(request).status_code == 429


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_on_postgresql_allow_exactly_the_limit() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    allowed: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def hammer() -> None:
        try:
            barrier.wait()
            for _ in range(25):
                decision = rate_hit("test.race", "k", "50/hour")
                with lock:
                    allowed.append(decision.allowed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 100
    assert sum(allowed) == 50


# A fixed instant, so that no run straddles two windows.
_HAMMER = """
import datetime
from weibao.core.ratelimit import rate_hit
now = datetime.datetime(2026, 5, 10, 8, 30, tzinfo=datetime.UTC)
print(sum(rate_hit("test.race", "k", "30/hour", now=now).allowed for _ in range(20)))
"""


@pytest.mark.slow
def test_several_processes_on_one_sqlite_file_allow_exactly_the_limit(migrated_data_dir: Path) -> None:
    env = weibao_env(migrated_data_dir)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "weibao.cli", "shell", "-c", _HAMMER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err for _out, err in results]
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in results) == 30
