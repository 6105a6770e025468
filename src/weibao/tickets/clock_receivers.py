"""The service desk listens to the sla app: a calendar edit moves the running clocks on it.

``calendar_changed`` arrives on commit of the edit; the recompute runs as a
background task (``weibao worker``) so the administrator's page answers at once.
A policy edit (``policy_changed``) changes nothing running: clocks are snapshots,
re-applied only by an explicit act on a request.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import task

from weibao.sla import signals


@task()
def clocks_recompute_task(calendar_id: int) -> int:
    """Recompute every running clock on ``calendar_id`` (returns how many moved)."""
    from weibao.tickets.services.clock_acts import clocks_recompute_calendar

    return clocks_recompute_calendar(calendar_id=calendar_id)


def _calendar_changed(sender: Any, calendar_id: int, **kwargs: Any) -> None:
    transaction.on_commit(lambda: clocks_recompute_task.enqueue(calendar_id))


def connect() -> None:
    signals.calendar_changed.connect(_calendar_changed, dispatch_uid="tickets.clocks_calendar_changed")
