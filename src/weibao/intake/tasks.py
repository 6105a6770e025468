"""Background work of intake: one task polls one mailbox."""

from __future__ import annotations

from django.tasks import task

from weibao.intake.poller import mailbox_poll


@task()
def mailbox_poll_task(mailbox_id: int) -> None:
    """Poll one mailbox; a no-op when another poller holds it."""
    mailbox_poll(mailbox_id)
