"""The service-level scheduler at scale on PostgreSQL: a quiet tick, and a calendar edit's recompute.

    createdb -h 127.0.0.1 -U postgres -T weibao_test_template wb_slabench   # a migrated scratch database
    WEIBAO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_slabench \\
        python bench/sla_tick.py --open 1000000 --recompute 100000

Loads ``--open`` open requests, each with one running clock due in the future (nothing
due), straight with ``INSERT … SELECT generate_series`` (seconds, not minutes), then:

- ``tick``: ``clocks_tick()`` with nothing due, ``--ticks`` times (p50, max in ms);
- ``recompute``: ``clocks_recompute_calendar`` after an edit of the calendar that
  ``--recompute`` of those clocks run on (seconds, clocks per second).

Prints one line per figure and, last, one JSON object. Deletes the requests it made
(``BENCH-`` numbers) first, so it can run again on the same database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
import uuid

import django


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    django.setup()


def load(open_count: int, recompute_count: int) -> tuple[int, float]:
    from django.db import connection, transaction

    from weibao.customers.models import Client
    from weibao.sla.models import Calendar, WorkingInterval

    started = time.perf_counter()
    mine = "SELECT id FROM tickets_ticket WHERE number LIKE 'BENCH-%%'"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM tickets_slaclockevent WHERE ticket_id IN ({mine})", [])  # noqa: S608
        cursor.execute(f"DELETE FROM tickets_slaclock WHERE ticket_id IN ({mine})", [])  # noqa: S608
        cursor.execute("DELETE FROM tickets_ticket WHERE number LIKE 'BENCH-%%'", [])
    client, _ = Client.objects.get_or_create(
        code="BENCHSLA", defaults={"name": "SLA 压测客户", "kind": Client.Kind.COMMUNITY}
    )
    Calendar.objects.filter(name__startswith="bench ").delete()
    always = Calendar.objects.create(name="bench 7x24", always_on=True)
    office = Calendar.objects.create(name="bench office", time_zone="Asia/Shanghai")
    for weekday in range(1, 6):
        WorkingInterval.objects.create(calendar=office, weekday=weekday, start=dt.time(9), end=dt.time(12))
        WorkingInterval.objects.create(calendar=office, weekday=weekday, start=dt.time(13), end=dt.time(18))
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tickets_ticket (created_at, updated_at, number, client_id, on_behalf, channel, kind, level,
                title, description, status, resume_status, caller_name, caller_phone, caller_digits, charging,
                resolution, close_reason, reopen_count, supervised, next_deadline, queue_key, version)
            SELECT %(now)s, %(now)s, 'BENCH-' || lpad(n::text, 8, '0'), %(client)s, false, 'hotline', 'fault', 3,
                'bench', '', 'in_progress', '', '', '', '', '', '', '', 0, false,
                %(now)s + make_interval(secs => 86400 + mod(n, 86400)),
                %(now)s + make_interval(secs => 86400 + mod(n, 86400)), 1
            FROM generate_series(1, %(count)s) AS n
            """,
            {"now": now, "client": client.pk, "count": open_count},
        )
        cursor.execute(
            """
            INSERT INTO tickets_slaclock (ticket_id, metric, level, policy_id, policy_name, contract_id, calendar_id,
                target_seconds, warn_percent, penalty_amount, escalations, state, started_at, segment_start,
                used_seconds, due_at, warn_at, warned_at, breached_at, escalations_done, stopped_at, next_check_at,
                version, waiver_reason, waiver_agreed_by, waived_by_id)
            SELECT t.id, 'resolve', 3, NULL, 'bench', NULL,
                CASE WHEN row_number() OVER (ORDER BY t.id) <= %(recompute)s THEN %(office)s ELSE %(always)s END,
                86400 * 2, 75, NULL, '[]'::jsonb, 'running', %(now)s, %(now)s, 0, t.next_deadline,
                NULL, %(now)s, NULL, 0, NULL, t.next_deadline, 1, '', '', NULL
            FROM tickets_ticket t WHERE t.number LIKE 'BENCH-%%'
            """,
            {"now": now, "recompute": recompute_count, "office": office.pk, "always": always.pk},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("ANALYZE tickets_slaclock")
    return office.pk, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--recompute", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from weibao.sla.models import Calendar, WorkingInterval
    from weibao.tickets.services.clock_tick import clocks_tick
    from weibao.tickets.services.clocks import clocks_recompute_calendar

    assert connection.vendor == "postgresql", "this bench is for PostgreSQL"
    office_id, load_seconds = load(args.open, args.recompute)
    print(f"load: {args.open:,} open requests with a running clock in {load_seconds:.1f} s")

    timings = []
    for _ in range(args.ticks):
        started = time.perf_counter()
        handled = clocks_tick()
        timings.append((time.perf_counter() - started) * 1000)
        assert handled == 0
    tick_p50 = statistics.median(timings)
    print(
        f"tick, nothing due, {args.open:,} open: p50 {tick_p50:.2f} ms, max {max(timings):.2f} ms ({args.ticks} ticks)"
    )

    # The edit: lunch ends at 12:30 instead of 13:00; the stamp tells the caches.
    WorkingInterval.objects.filter(calendar_id=office_id, start=dt.time(13)).update(start=dt.time(12, 30))
    Calendar.objects.filter(pk=office_id).update(stamp=uuid.uuid4())
    started = time.perf_counter()
    moved = clocks_recompute_calendar(calendar_id=office_id)
    recompute_seconds = time.perf_counter() - started
    print(
        f"recompute after a calendar edit: {moved:,} clocks in {recompute_seconds:.2f} s"
        f" ({moved / recompute_seconds:,.0f}/s)"
    )
    print(
        json.dumps(
            {
                "open": args.open,
                "load_seconds": round(load_seconds, 1),
                "tick_p50_ms": round(tick_p50, 3),
                "tick_max_ms": round(max(timings), 3),
                "recomputed": moved,
                "recompute_seconds": round(recompute_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
