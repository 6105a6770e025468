"""Periodic work of intake: queue a poll of each mailbox that is due; finish stranded messages."""

from __future__ import annotations

import datetime as dt

from weibao.core.scheduler import periodic
from weibao.intake.poller import mailboxes_due
from weibao.intake.services import messages_process_pending
from weibao.intake.tasks import mailbox_poll_task


@periodic("intake.mailboxes_poll", every=dt.timedelta(seconds=30))
def mailboxes_poll() -> None:
    for mailbox_id in mailboxes_due():
        mailbox_poll_task.enqueue(mailbox_id)


@periodic("intake.messages_pending", every=dt.timedelta(minutes=5))
def messages_pending() -> None:
    messages_process_pending()
