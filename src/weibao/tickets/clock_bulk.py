"""Recomputing many running clocks at once (a calendar edit): in memory, only what moved is written.

Each batch of running, unbreached clocks is read with its stored deadlines; the new
deadline, warning and next check are computed in memory and compared with the stored
ones, and only the clocks whose instants changed are written, then only the requests
whose next deadline changed. A request row carries ``queue_key`` in seven queue indexes
and its text in the trigram search index, so each request written costs an entry in
every one of its indexes (PostgreSQL cannot update it "HOT"): an edit that moves few
deadlines (next year's holidays) writes few rows.

PostgreSQL writes a batch with one ``UPDATE … FROM unnest(…)`` of four array
parameters and refreshes the requests' next deadline with one statement; SQLite uses
``executemany`` and one statement. A breached clock keeps the deadline it missed, a
paused one has none: neither is read. A clock written since it was read (the
scheduler breached it, the request moved on; its ``version`` changed) is left as that
write left it: that write computed its instants itself.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from weibao.sla.clock import CalendarExhaustedError, WorkingCalendar
from weibao.tickets.models import NO_DEADLINE, SlaClock, Ticket

Instant = dt.datetime | None
# id, request, segment start, used, target, warn %, warned at, due at, warn at, next check, version.
Row = tuple[int, int, Instant, int, int, int, Instant, Instant, Instant, Instant, int]
# id, due at, warn at, next check, the version read.
Change = tuple[int, Instant, Instant, Instant, int]


def _compute(calendar: WorkingCalendar, row: Row) -> Change:
    pk, _ticket, start, used, target, percent, warned_at = row[:7]
    version = row[10]
    warn_total = target * percent // 100
    if start is None:  # not read: the query asks for a running stretch
        return pk, None, None, None, version
    try:
        due = calendar.add(start, max(0, target - used))
        warn = calendar.add(start, warn_total - used) if warned_at is None and used < warn_total else None
    except CalendarExhaustedError:
        return pk, None, None, None, version
    return pk, due, warn, (due if warn is None else min(warn, due)), version


def changes_of(calendar: WorkingCalendar, rows: list[Row]) -> tuple[list[Change], set[int]]:
    """The clocks of ``rows`` whose deadline, warning or next check moves, and their requests."""
    changed: list[Change] = []
    tickets: set[int] = set()
    for row in rows:
        change = _compute(calendar, row)
        if change[1:4] != row[7:10]:
            changed.append(change)
            tickets.add(row[1])
    return changed, tickets


def bulk_reschedule(*, calendar_id: int, calendar: WorkingCalendar, batch: int, now: dt.datetime) -> int:
    """Recompute the running, unbreached clocks on ``calendar_id``; returns how many moved."""
    moved = 0
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
                "due_at",
                "warn_at",
                "next_check_at",
                "version",
            )[:batch]
        )
        if not rows:
            return moved
        last = rows[-1][0]
        changed, tickets = changes_of(calendar, rows)
        if changed:
            with transaction.atomic():
                _write(changed)
                _deadlines(sorted(tickets))
        moved += len(changed)


def _write(values: list[Change]) -> None:
    table = SlaClock._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Five array parameters, whatever the batch size: no client-side query of 25,000 placeholders.
            ids, dues, warns, checks, versions = (list(column) for column in zip(*values, strict=True))
            cursor.execute(
                f"UPDATE {table} AS c SET due_at = v.due, warn_at = v.warn, next_check_at = v.nc, "  # noqa: S608
                "version = c.version + 1 FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], "
                "%s::timestamptz[], %s::bigint[]) AS v(id, due, warn, nc, version) "
                "WHERE c.id = v.id AND c.version = v.version",
                [ids, dues, warns, checks, versions],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"UPDATE {table} SET due_at = %s, warn_at = %s, next_check_at = %s, version = version + 1 "  # noqa: S608
            "WHERE id = %s AND version = %s",
            [(adapt(due), adapt(warn), adapt(nc), pk, version) for pk, due, warn, nc, version in values],
        )


def _deadlines(ticket_ids: list[int]) -> None:
    """Set each request's next deadline to its earliest running due instant, writing only those that change."""
    ticket_table = Ticket._meta.db_table
    clock_table = SlaClock._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {ticket_table} AS t SET next_deadline = m.d, queue_key = COALESCE(m.d, %s) "  # noqa: S608
                f"FROM (SELECT r.id, (SELECT MIN(c.due_at) FROM {clock_table} c WHERE c.ticket_id = r.id "
                "AND c.state = 'running' AND c.due_at IS NOT NULL) AS d FROM unnest(%s::bigint[]) AS r(id)) AS m "
                "WHERE t.id = m.id AND t.next_deadline IS DISTINCT FROM m.d",
                [NO_DEADLINE, ticket_ids],
            )
            return
        earliest = (
            f"(SELECT MIN(c.due_at) FROM {clock_table} c WHERE c.ticket_id = {ticket_table}.id "  # noqa: S608
            "AND c.state = 'running' AND c.due_at IS NOT NULL)"
        )
        marks = ",".join(["%s"] * len(ticket_ids))
        cursor.execute(
            f"UPDATE {ticket_table} SET next_deadline = {earliest}, "  # noqa: S608
            f"queue_key = COALESCE({earliest}, %s) WHERE id IN ({marks}) AND next_deadline IS NOT {earliest}",
            [connection.ops.adapt_datetimefield_value(NO_DEADLINE), *ticket_ids],
        )
