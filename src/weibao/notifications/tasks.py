"""Background tasks of notifications (run by ``weibao worker``)."""

from __future__ import annotations

from django.tasks import task

from weibao.notifications.delivering import delivery_attempt


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery if it is still due; a duplicate task for the same id does nothing."""
    return delivery_attempt(delivery_id=delivery_id)
