"""Where a running clock stands: its deadline, warning and next check from its counters (pure, no query).

A running clock is due at ``calendar.add(segment_start, target - used)`` and warns at
``warn_percent`` of the target; ``next_check`` is the earliest pending warning, breach
or escalation step, what the scheduler's index is ordered by. See
docs/subsystems/sla.md, "Counting".
"""

from __future__ import annotations

import datetime as dt

from weibao.sla.clock import CalendarExhaustedError, WorkingCalendar
from weibao.tickets.models import SlaClock

State = SlaClock.State


def schedule(clock: SlaClock, calendar: WorkingCalendar, now: dt.datetime) -> None:
    """Set ``due_at``, ``warn_at`` and ``next_check_at`` of ``clock`` from its counters.

    A running clock's deadline is ``calendar.add(segment_start, target - used)``; the
    warning is at ``warn_percent`` of the target. A breached clock keeps the deadline
    it missed; its next check is the next escalation step. A calendar with no working
    time left leaves the clock with no deadline (shown as such) rather than failing the write.
    """
    if clock.state != State.RUNNING or clock.segment_start is None:
        clock.due_at = clock.due_at if clock.breached_at else None
        clock.warn_at = None
        clock.next_check_at = None
        return
    if clock.breached_at is None:
        remaining = max(0, clock.target_seconds - clock.used_seconds)
        warn_total = clock.target_seconds * clock.warn_percent // 100
        try:
            clock.due_at = calendar.add(clock.segment_start, remaining)
            clock.warn_at = (
                calendar.add(clock.segment_start, max(0, warn_total - clock.used_seconds))
                if clock.warned_at is None and clock.used_seconds < warn_total
                else None
            )
        except CalendarExhaustedError:
            clock.due_at = None
            clock.warn_at = None
    clock.next_check_at = next_check(clock)


def next_check(clock: SlaClock) -> dt.datetime | None:
    """The earliest pending warning, breach or escalation step of a running clock."""
    if clock.state != State.RUNNING:
        return None
    if clock.breached_at is None:
        if clock.due_at is None:
            return None
        if clock.warn_at is not None and clock.warned_at is None:
            return min(clock.warn_at, clock.due_at)
        return clock.due_at
    steps = clock.escalations or []
    if clock.escalations_done < len(steps):
        return clock.breached_at + dt.timedelta(seconds=int(steps[clock.escalations_done]["after_seconds"]))
    return None


def used_until(clock: SlaClock, calendar: WorkingCalendar, now: dt.datetime) -> int:
    if clock.state != State.RUNNING or clock.segment_start is None:
        return clock.used_seconds
    try:
        return clock.used_seconds + calendar.working_seconds(clock.segment_start, now)
    except CalendarExhaustedError:
        return clock.used_seconds
