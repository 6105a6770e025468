"""Recomputing many running clocks at once (a calendar edit): in memory, written back by id.

PostgreSQL writes a batch with one ``UPDATE … FROM (VALUES …)``; SQLite with
``executemany``. The requests' next deadline is refreshed per batch with one
statement. Only running clocks that have not been breached move: a breached
clock keeps the deadline it missed, a paused one has none.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from weibao.sla.clock import CalendarExhaustedError, WorkingCalendar
from weibao.tickets.models import NO_DEADLINE, SlaClock, Ticket

Row = tuple[int, int, dt.datetime | None, int, int, int, dt.datetime | None]


def _compute(calendar: WorkingCalendar, row: Row) -> tuple[int, dt.datetime | None, dt.datetime | None]:
    pk, _ticket, start, used, target, percent, warned_at = row
    warn_total = target * percent // 100
    if start is None:
        return pk, None, None
    try:
        due = calendar.add(start, max(0, target - used))
        warn = calendar.add(start, warn_total - used) if warned_at is None and used < warn_total else None
    except CalendarExhaustedError:
        return pk, None, None
    return pk, due, warn


def bulk_reschedule(*, calendar_id: int, calendar: WorkingCalendar, batch: int, now: dt.datetime) -> int:
    """Recompute the running, unbreached clocks on ``calendar_id``; returns how many."""
    done = 0
    last = 0
    base = SlaClock.objects.filter(
        calendar_id=calendar_id, state=SlaClock.State.RUNNING, breached_at__isnull=True, segment_start__isnull=False
    ).order_by("id")
    while True:
        rows: list[Row] = list(
            base.filter(id__gt=last).values_list(
                "id",
                "ticket_id",
                "segment_start",
                "used_seconds",
                "target_seconds",
                "warn_percent",
                "warned_at",
            )[:batch]
        )
        if not rows:
            return done
        last = rows[-1][0]
        values = []
        for row in rows:
            pk, due, warn = _compute(calendar, row)
            next_check = None if due is None else (min(warn, due) if warn is not None else due)
            values.append((pk, due, warn, next_check))
        with transaction.atomic():
            _write(values)
            _deadlines(sorted({row[1] for row in rows}))
        done += len(rows)


def _write(values: list[tuple[int, dt.datetime | None, dt.datetime | None, dt.datetime | None]]) -> None:
    table = SlaClock._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Four array parameters, whatever the batch size: no client-side query of 20,000 placeholders.
            ids, dues, warns, checks = (list(column) for column in zip(*values, strict=True))
            cursor.execute(
                f"UPDATE {table} AS c SET due_at = v.due, warn_at = v.warn, next_check_at = v.nc, "  # noqa: S608
                "version = c.version + 1 FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], "
                "%s::timestamptz[]) AS v(id, due, warn, nc) WHERE c.id = v.id",
                [ids, dues, warns, checks],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"UPDATE {table} SET due_at = %s, warn_at = %s, next_check_at = %s, version = version + 1 "  # noqa: S608
            "WHERE id = %s",
            [(adapt(due), adapt(warn), adapt(nc), pk) for pk, due, warn, nc in values],
        )


def _deadlines(ticket_ids: list[int]) -> None:
    """Set each request's next deadline to its earliest running due instant."""
    ticket_table = Ticket._meta.db_table
    clock_table = SlaClock._meta.db_table
    earliest = (
        f"(SELECT MIN(c.due_at) FROM {clock_table} c WHERE c.ticket_id = {ticket_table}.id "  # noqa: S608
        "AND c.state = 'running' AND c.due_at IS NOT NULL)"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {ticket_table} AS t SET next_deadline = m.d, queue_key = COALESCE(m.d, %s) "  # noqa: S608
                f"FROM (SELECT ticket_id, MIN(due_at) AS d FROM {clock_table} WHERE ticket_id = ANY(%s) "
                "AND state = 'running' AND due_at IS NOT NULL GROUP BY ticket_id) AS m "
                "WHERE t.id = m.ticket_id AND t.next_deadline IS DISTINCT FROM m.d",
                [NO_DEADLINE, ticket_ids],
            )
            return
        marks = ",".join(["%s"] * len(ticket_ids))
        cursor.execute(
            f"UPDATE {ticket_table} SET next_deadline = {earliest}, "  # noqa: S608
            f"queue_key = COALESCE({earliest}, %s) WHERE id IN ({marks})",
            [connection.ops.adapt_datetimefield_value(NO_DEADLINE), *ticket_ids],
        )
