"""Run inside child ``weibao shell`` processes by the crash test: set up, poll (and die), report."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from typing import Any

from weibao.customers.models import Client, Contact
from weibao.intake import poller, services
from weibao.intake.crypto import secret_seal
from weibao.intake.models import InboundMessage, Mailbox
from weibao.intake.tests.dovecot import PASSWORD, USER
from weibao.tickets import intake_receiver
from weibao.tickets.models import Ticket, TicketEvent


def setup(port: int) -> None:
    client = Client.objects.create(name="Acme", code="acme", kind="government", email_domains="acme.com.cn")
    Contact.objects.create(client=client, name="张伟", email="zhang@acme.com.cn")
    Mailbox.objects.create(
        name="support",
        host="127.0.0.1",
        port=port,
        security="none",
        username=USER,
        password_encrypted=secret_seal(PASSWORD),
        poll_seconds=10,
    )


def _die(stage: str) -> None:
    print(f"killed at {stage}", flush=True)  # noqa: T201 - the test reads it
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(module: Any, name: str, stage: str, at: int, after: bool) -> None:
    original: Callable[..., Any] = getattr(module, name)
    calls = {"n": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == at and not after:
            _die(stage)
        result = original(*args, **kwargs)
        if calls["n"] == at and after:
            _die(stage)
        return result

    setattr(module, name, wrapped)


STAGES = {
    "before-store": (services, "message_store", False),
    "after-store": (services, "message_store", True),
    "inside-open": (intake_receiver, "_open", True),
    "inside-reply": (intake_receiver, "_reply", True),
    "after-process": (services, "message_process", True),
    "before-seen": (poller, "_mark_seen", False),
}


def poll(stage: str = "", at: int = 0) -> None:
    # Releasing a lease left by a killed poller is what the lease expiry does; the test
    # does not wait five minutes for it.
    Mailbox.objects.update(claimed_until=None)
    if stage:
        module, name, after = STAGES[stage]
        _wrap(module, name, stage, at, after)
    for pk in Mailbox.objects.values_list("pk", flat=True):
        result = poller.mailbox_poll(pk)
        print(json.dumps(result.__dict__ if result else None), flush=True)  # noqa: T201


def report() -> None:
    rows = list(InboundMessage.objects.values("pk", "dedup_key", "state", "outcome", "ticket_id", "reason"))
    replies = list(TicketEvent.objects.filter(kind=TicketEvent.Kind.REPLY).values_list("data__inbound", flat=True))
    created = list(TicketEvent.objects.filter(kind=TicketEvent.Kind.CREATED).values_list("data__inbound", flat=True))
    print(  # noqa: T201
        json.dumps(
            {
                "rows": rows,
                "tickets": Ticket.objects.count(),
                "reply_inbound": replies,
                "created_inbound": created,
            }
        )
    )
