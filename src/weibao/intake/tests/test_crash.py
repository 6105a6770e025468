"""Killing the poller at any point of ingest loses nothing and duplicates nothing.

Real processes (``weibao shell``) poll a real dovecot into an SQLite database and are
SIGKILLed at chosen points (before and after storing, inside the transaction that
opens a request or adds a reply, after it commits, before ``\\Seen``) and at random
moments; then one clean poll runs. Every message must end as exactly one request or
reply, or ignored / in review with a reason.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from weibao.core.tests.helpers import weibao, weibao_env
from weibao.intake.tests.dovecot import Dovecot, dovecot_server

pytestmark = pytest.mark.slow

NEW, REPLIES, AUTO, STRANGERS, DUPLICATES = 20, 6, 4, 3, 3


def message(mid: str, *, sender: str = "张伟 <zhang@acme.com.cn>", subject: str, extra: str = "", body: str) -> bytes:
    head = (
        f"From: {sender}\r\nTo: support@weibao.test\r\nSubject: {subject}\r\nMessage-ID: <{mid}@crash.test>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n{extra}"
    )
    return (head + "\r\n").encode() + body.encode()


def deliver_all(server: Dovecot) -> None:
    n = 0
    for i in range(NEW):
        server.deliver(message(f"new-{i}", subject=f"故障 {i}", body=f"第 {i} 个故障。"), f"{(n := n + 1):03d}.eml")
        if i < REPLIES:
            reply = message(
                f"reply-{i}",
                subject=f"Re: 故障 {i}",
                extra=f"In-Reply-To: <new-{i}@crash.test>\r\n",
                body=f"补充 {i}。",
            )
            server.deliver(reply, f"{(n := n + 1):03d}.eml")
        if i < AUTO:
            auto = message(f"auto-{i}", subject="自动回复", extra="Auto-Submitted: auto-replied\r\n", body="休假中。")
            server.deliver(auto, f"{(n := n + 1):03d}.eml")
        if i < STRANGERS:
            stranger = message(f"stranger-{i}", sender="x@unknown.example", subject="你好", body="陌生人。")
            server.deliver(stranger, f"{(n := n + 1):03d}.eml")
        if i < DUPLICATES:
            server.deliver(message(f"new-{i}", subject=f"故障 {i}", body=f"第 {i} 个故障。"), f"{(n := n + 1):03d}.eml")


def shell(code: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return weibao("shell", "-v0", "-c", code, env=env, timeout=timeout)


def poll_killed_at(env: dict[str, str], stage: str, at: int) -> str:
    run = shell(f"from weibao.intake.tests.crash_child import poll; poll({stage!r}, {at})", env)
    return run.stdout + run.stderr


def poll_killed_after(env: dict[str, str], seconds: float) -> None:
    code = "from weibao.intake.tests.crash_child import poll; poll()"
    process = subprocess.Popen(
        [sys.executable, "-m", "weibao.cli", "shell", "-v0", "-c", code],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)  # a random moment in a real process's life; not a test of time
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_killing_the_poller_at_any_point_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    env = weibao_env(tmp_path, WEIBAO_INTAKE_AUTO_REPLY="0")
    migrated = weibao("migrate", "--no-input", "-v0", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    rng = random.Random(20261122)
    with dovecot_server() as server:
        ready = shell(f"from weibao.intake.tests.crash_child import setup; setup({server.port})", env)
        assert ready.returncode == 0, ready.stderr
        deliver_all(server)
        kills = 0
        log: list[str] = []
        # Each killed run gets one or two messages further, so every stage is reached.
        # (``before-seen`` comes last: it is reached only when the whole batch is processed.)
        stages = ["inside-reply", "before-store", "after-store", "inside-open", "after-process"] * 2 + ["before-seen"]
        for stage in stages:
            out = poll_killed_at(env, stage, rng.randint(1, 2))
            kills += f"killed at {stage}" in out
            log.append(f"{stage}: {out[-300:]}")
        for _ in range(3):
            poll_killed_after(env, rng.uniform(1.0, 3.0))
        final = shell("from weibao.intake.tests.crash_child import poll; poll()", env)
        assert final.returncode == 0, final.stderr
        assert json.loads(final.stdout.strip().splitlines()[-1])["error"] == ""
        report: dict[str, Any] = json.loads(
            shell("from weibao.intake.tests.crash_child import report; report()", env).stdout
        )
    assert kills == len(stages), log
    rows = report["rows"]
    by_key = {row["dedup_key"]: row for row in rows}
    assert len(rows) == len(by_key) == NEW + REPLIES + AUTO + STRANGERS
    states = Counter((row["state"], row["outcome"]) for row in rows)
    assert states == {
        ("done", "new"): NEW,
        ("done", "reply"): REPLIES,
        ("ignored", ""): AUTO,
        ("quarantined", ""): STRANGERS,
    }
    assert all(row["reason"] for row in rows if row["state"] in {"ignored", "quarantined"})
    assert report["tickets"] == NEW
    # Exactly one timeline entry per processed message.
    assert sorted(report["created_inbound"]) == sorted(r["pk"] for r in rows if r["outcome"] == "new")
    assert sorted(report["reply_inbound"]) == sorted(r["pk"] for r in rows if r["outcome"] == "reply")
    for i in range(REPLIES):
        assert by_key[f"mid:<reply-{i}@crash.test>"]["ticket_id"] == by_key[f"mid:<new-{i}@crash.test>"]["ticket_id"]
