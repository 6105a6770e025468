"""The service-level scheduler at scale: a quiet tick, and a calendar edit's recompute (PostgreSQL or SQLite).

    createdb -h 127.0.0.1 -U postgres -T weibao_test_template wb_slabench && weibao migrate   # a scratch database
    WEIBAO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_slabench \\
        python bench/sla_tick.py --open 1000000 --recompute 100000
    WEIBAO_DATA_DIR=/tmp/wb-slabench python bench/sla_tick.py --open 200000 --recompute 100000   # SQLite

Loads ``--open`` open requests (with Chinese titles and descriptions, so the search
index costs what it costs in use), each with one running clock due in the future
(nothing due), straight with ``INSERT … SELECT generate_series`` on PostgreSQL
(batched inserts on SQLite), then:

- ``tick``: ``clocks_tick()`` with nothing due, ``--ticks`` times (p50, max in ms);
- ``recompute``: ``clocks_recompute_calendar`` after an edit of the calendar that
  ``--recompute`` of those clocks run on and that moves every deadline (lunch ends
  half an hour earlier), then after an edit that moves none (a holiday 60 days ahead,
  as when next year's holidays are entered).

Prints one line per figure and, last, one JSON object. Deletes the requests it made
(``BENCH-`` numbers) first, so it can run again on the same database (slowly at a
million: a fresh database is quicker).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
import uuid
from typing import Any

import django

# Requests read like real ones, so the trigram search index is as costly to write as in use.
TITLES = [
    "社区综合服务平台登录失败",
    "网格化管理系统数据同步异常",
    "居民信息管理系统打印报表出错",
    "服务器磁盘空间告警",
    "门禁一卡通平台无法开门",
]
TEXTS = [
    "街道办反映今天上午九点起社区综合服务平台登录失败，提示用户名或密码错误，已重置密码仍无法登录，影响窗口办事。",
    "网格员上报的事件在网格化管理系统中没有同步到区级平台，昨天下午开始出现，涉及三个社区约四十条记录。",
    "居民信息管理系统导出的月度统计报表打印时表格错位，部分列被截断，需要在本周五前报送区民政局。",
    "机房巡检发现数据库服务器磁盘使用率达到百分之九十二，日志目录增长较快，请尽快清理并评估扩容方案。",
    "小区东门门禁一卡通平台刷卡后无法开门，读卡器指示灯正常，物业已临时安排人工值守，请派工程师到现场处理。",
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    django.setup()


TICKET_COLUMNS = (
    "created_at, updated_at, number, client_id, on_behalf, channel, kind, level, title, description, status, "
    "resume_status, caller_name, caller_phone, caller_digits, charging, resolution, close_reason, reopen_count, "
    "supervised, next_deadline, queue_key, version"
)


def _sqlite_tickets(cursor: Any, now: dt.datetime, client_id: int, count: int) -> None:
    """SQLite has no generate_series: the same rows, built here and written 10,000 at a time."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    marks = ", ".join(["%s"] * 23)
    chunk = 10_000
    for first in range(1, count + 1, chunk):
        rows = []
        for n in range(first, min(first + chunk, count + 1)):
            due = adapt(now + dt.timedelta(seconds=86400 + n % 86400))
            rows.append(
                (stamp, stamp, f"BENCH-{n:08d}", client_id, False, "hotline", "fault", 3,
                 f"{TITLES[n % 5]}（{n}）", f"{TEXTS[n % 5]} 工单 {n}。", "in_progress",
                 "", "", "", "", "", "", "", 0, False, due, due, 1)
            )  # fmt: skip
        cursor.executemany(f"INSERT INTO tickets_ticket ({TICKET_COLUMNS}) VALUES ({marks})", rows)  # noqa: S608


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
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                f"""
                INSERT INTO tickets_ticket ({TICKET_COLUMNS})
                SELECT %(now)s, %(now)s, 'BENCH-' || lpad(n::text, 8, '0'), %(client)s, false, 'hotline', 'fault', 3,
                    (%(titles)s::text[])[1 + mod(n, 5)] || '（' || n || '）',
                    (%(texts)s::text[])[1 + mod(n, 5)] || ' 工单 ' || n || '。',
                    'in_progress', '', '', '', '', '', '', '', 0, false,
                    %(now)s + make_interval(secs => 86400 + mod(n, 86400)),
                    %(now)s + make_interval(secs => 86400 + mod(n, 86400)), 1
                FROM generate_series(1, %(count)s) AS n
                """,  # noqa: S608
                {"now": now, "client": client.pk, "count": open_count, "titles": TITLES, "texts": TEXTS},
            )
        else:
            _sqlite_tickets(cursor, now, client.pk, open_count)
        cursor.execute(
            f"""
            INSERT INTO tickets_slaclock (ticket_id, metric, level, policy_id, policy_name, contract_id, calendar_id,
                target_seconds, warn_percent, penalty_amount, escalations, state, started_at, segment_start,
                used_seconds, due_at, warn_at, warned_at, breached_at, escalations_done, stopped_at, next_check_at,
                version, waiver_reason, waiver_agreed_by, waived_by_id)
            SELECT t.id, 'resolve', 3, NULL, 'bench', NULL,
                CASE WHEN row_number() OVER (ORDER BY t.id) <= %s THEN %s ELSE %s END,
                86400 * 2, 75, NULL, '[]'{"::jsonb" if postgres else ""}, 'running', %s, %s, 0, t.next_deadline,
                NULL, %s, NULL, 0, NULL, t.next_deadline, 1, '', '', NULL
            FROM tickets_ticket t WHERE t.number LIKE 'BENCH-%%'
            """,  # noqa: S608
            [recompute_count, office.pk, always.pk, *[connection.ops.adapt_datetimefield_value(now)] * 3],
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

    from weibao.sla.models import Calendar, CalendarDay, WorkingInterval
    from weibao.tickets.services.clock_acts import clocks_recompute_calendar
    from weibao.tickets.services.clock_tick import clocks_tick

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
        f"recompute after a calendar edit that moves every deadline: {moved:,} of {args.recompute:,} clocks moved"
        f" in {recompute_seconds:.2f} s ({args.recompute / recompute_seconds:,.0f} clocks/s)"
    )

    # The usual edit: next year's holidays entered, beyond every running deadline; nothing moves.
    CalendarDay.objects.create(
        calendar_id=office_id,
        date=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60),
        kind=CalendarDay.Kind.HOLIDAY,
        name="bench",
    )
    Calendar.objects.filter(pk=office_id).update(stamp=uuid.uuid4())
    started = time.perf_counter()
    started_cpu = time.process_time()
    unmoved = clocks_recompute_calendar(calendar_id=office_id)
    quiet_seconds = time.perf_counter() - started
    quiet_cpu = time.process_time() - started_cpu
    print(
        f"recompute after an edit beyond every deadline: {unmoved:,} of {args.recompute:,} clocks moved"
        f" in {quiet_seconds:.2f} s ({quiet_cpu:.2f} s CPU in Python)"
    )
    print(
        json.dumps(
            {
                "open": args.open,
                "load_seconds": round(load_seconds, 1),
                "tick_p50_ms": round(tick_p50, 3),
                "tick_max_ms": round(max(timings), 3),
                "database": connection.vendor,
                "recomputed": args.recompute,
                "moved": moved,
                "recompute_seconds": round(recompute_seconds, 2),
                "recompute_nothing_moves_seconds": round(quiet_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
