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

# Each wave of mail: three new requests, a reply to the first, an auto-reply, a stranger,
# and the second new mail delivered twice.
NEW, REPLIES, AUTO, STRANGERS = 3, 1, 1, 1
STAGES = ["inside-reply", "before-store", "after-store", "inside-open", "after-process"] * 2 + ["before-seen"]
RANDOM_KILLS = 3
WAVES = len(STAGES) + RANDOM_KILLS


def message(mid: str, *, sender: str = "张伟 <zhang@acme.com.cn>", subject: str, extra: str = "", body: str) -> bytes:
    head = (
        f"From: {sender}\r\nTo: support@weibao.test\r\nSubject: {subject}\r\nMessage-ID: <{mid}@crash.test>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n{extra}"
    )
    return (head + "\r\n").encode() + body.encode()


def deliver_wave(server: Dovecot, wave: int) -> None:
    mails = [message(f"new-{wave}-{j}", subject=f"故障 {wave}-{j}", body=f"第 {wave}-{j} 个故障。") for j in range(NEW)]
    mails.insert(
        1,
        message(
            f"reply-{wave}", subject="Re: 故障", extra=f"In-Reply-To: <new-{wave}-0@crash.test>\r\n", body="补充。"
        ),
    )
    mails.append(message(f"auto-{wave}", subject="自动回复", extra="Auto-Submitted: auto-replied\r\n", body="休假中。"))
    mails.append(message(f"stranger-{wave}", sender="x@unknown.example", subject="你好", body="陌生人。"))
    mails.append(mails[2])  # new-{wave}-1 again
    for n, raw in enumerate(mails):
        server.deliver(raw, f"{wave:03d}-{n}.eml")


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
        kills = 0
        log: list[str] = []
        # A fresh wave before each killed run, so that every stage has work to die in.
        for wave, stage in enumerate(STAGES):
            deliver_wave(server, wave)
            at = 1 if stage in {"inside-reply", "before-seen"} else rng.randint(1, 2)
            out = poll_killed_at(env, stage, at)
            kills += f"killed at {stage}" in out
            log.append(f"{stage}: {out[-300:]}")
        for wave in range(len(STAGES), WAVES):
            deliver_wave(server, wave)
            poll_killed_after(env, rng.uniform(1.0, 3.0))
        final = shell("from weibao.intake.tests.crash_child import poll; poll()", env)
        assert final.returncode == 0, final.stderr
        assert json.loads(final.stdout.strip().splitlines()[-1])["error"] == ""
        report: dict[str, Any] = json.loads(
            shell("from weibao.intake.tests.crash_child import report; report()", env).stdout
        )
    assert kills == len(STAGES), log
    rows = report["rows"]
    by_key = {row["dedup_key"]: row for row in rows}
    assert len(rows) == len(by_key) == WAVES * (NEW + REPLIES + AUTO + STRANGERS)
    states = Counter((row["state"], row["outcome"]) for row in rows)
    assert states == {
        ("done", "new"): WAVES * NEW,
        ("done", "reply"): WAVES * REPLIES,
        ("ignored", ""): WAVES * AUTO,
        ("quarantined", ""): WAVES * STRANGERS,
    }
    assert all(row["reason"] for row in rows if row["state"] in {"ignored", "quarantined"})
    assert report["tickets"] == WAVES * NEW
    # Exactly one timeline entry per processed message.
    assert sorted(report["created_inbound"]) == sorted(r["pk"] for r in rows if r["outcome"] == "new")
    assert sorted(report["reply_inbound"]) == sorted(r["pk"] for r in rows if r["outcome"] == "reply")
    for wave in range(WAVES):
        reply, new = by_key[f"mid:<reply-{wave}@crash.test>"], by_key[f"mid:<new-{wave}-0@crash.test>"]
        assert reply["ticket_id"] == new["ticket_id"]
