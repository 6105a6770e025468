"""The request generator is deterministic, fast to run and speaks Weibao's vocabulary (no database)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path

import ticket_text

from weibao.tickets import workflow
from weibao.tickets.models import Channel, Level

BENCH = Path(__file__).resolve().parent.parent
# Changing the generator changes every benchmark's data set: update this on purpose only.
DIGEST_1000_SEED_1 = "fc5b9d5e7970dc0113f925d7cefa58d5db600e3e317957fb377286f37bf0b86a"


def test_the_same_seed_gives_the_same_requests() -> None:
    assert list(ticket_text.requests(2000, 7)) == list(ticket_text.requests(2000, 7))


def test_another_seed_gives_other_requests() -> None:
    a = [r["title"] + r["description"] for r in ticket_text.requests(200, 1)]
    b = [r["title"] + r["description"] for r in ticket_text.requests(200, 2)]
    assert a != b


def test_a_prefix_of_a_longer_run_is_the_shorter_run() -> None:
    assert list(ticket_text.requests(300, 3)) == list(itertools.islice(ticket_text.requests(3000, 3), 300))


def test_the_data_set_is_pinned() -> None:
    assert ticket_text.digest(1000, 1) == DIGEST_1000_SEED_1


def test_another_process_with_another_hash_seed_makes_the_same_data_set() -> None:
    code = "import ticket_text; print(ticket_text.digest(1000, 1))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(BENCH)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ticket_text.digest(1000, 1)


def test_every_value_is_one_weibao_accepts() -> None:
    ref = ticket_text.reference(1)
    kinds, statuses = set(workflow.Kind), set(workflow.Status)
    channels, levels = set(Channel.values), set(Level.values)
    for row in ticket_text.requests(5000, 1):
        assert row["kind"] in kinds
        assert row["status"] in statuses
        assert row["channel"] in channels
        assert row["level"] in levels
        assert 0 < len(row["title"]) <= 200
        client = ref["clients"][row["client"]]
        assert row["system"] in client["systems"]
        assert 0 <= row["contact"] < len(client["contacts"])
        assert 0 <= row["team"] < len(ref["teams"])


def test_closed_requests_have_a_closing_time_and_open_ones_do_not() -> None:
    closed = {s.value for s in workflow.CLOSED}
    for row in ticket_text.requests(5000, 1):
        if row["status"] in closed:
            assert row["closed_at"] > row["created_at"]
            assert row["next_deadline"] is None
        else:
            assert row["closed_at"] is None


def test_requests_spread_over_two_years_before_the_fixed_end() -> None:
    created = [r["created_at"] for r in ticket_text.requests(5000, 1)]
    assert max(created) < ticket_text.EPOCH_END
    assert min(created) >= ticket_text.EPOCH_END - dt.timedelta(days=ticket_text.SPAN_DAYS + 1)
    assert max(created) - min(created) > dt.timedelta(days=700)
    assert all(c.tzinfo is not None for c in created)


def test_numbers_are_unique_and_name_the_local_day() -> None:
    rows = list(ticket_text.requests(20000, 1))
    numbers = [r["number"] for r in rows]
    assert len(set(numbers)) == len(numbers)
    for row in rows[:500]:
        local = row["created_at"].astimezone(ticket_text.CHINA).date()
        assert row["number"].startswith(f"WB-{local:%Y%m%d}-")


def test_the_text_is_chinese_service_desk_language() -> None:
    text = "".join(r["title"] + r["description"] for r in ticket_text.requests(3000, 1))
    for word in (
        "社区综合服务平台",
        "网格化管理系统",
        "居民信息",
        "登录失败",
        "数据同步异常",
        "打印报表",
        "服务器磁盘告警",
    ):
        assert word in text, word
