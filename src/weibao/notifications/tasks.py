"""Background tasks of notifications (run by ``weibao worker``)."""

from __future__ import annotations

from django.tasks import task

from weibao.notifications.delivering import delivery_attempt


@task()
def deliver(key: str) -> str:
    """Send the delivery with idempotency key ``key`` if it is still due; a duplicate task does nothing."""
    return delivery_attempt(key=key)
