"""Deadline computations per second on one core over the statutory calendar (target ≥ 100,000/s).

    python bench/sla_clock.py [--seconds 3] [--db]

Builds the statutory calendar (Monday–Friday 09:00–12:00 and 13:00–18:00, every
holiday and make-up working day 2004–2026 from chinese-calendar) the way the shipped
calendar is, with no database; with ``--db`` it compiles the seeded calendar from the
configured database instead. Then it adds durations from 15 minutes to 3 working days
to 10,000 random start instants of 2005–2025, round after round, for about
``--seconds`` seconds, single-threaded. Prints the compile time, the rate of ``add`` (per second of wall time and per
CPU second of this process, which is the one-core figure on a shared machine) and of
``working_seconds``, and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")


def _calendar(use_db: bool):  # type: ignore[no-untyped-def]
    import django

    django.setup()
    from weibao.sla.clock import WorkingCalendar
    from weibao.sla.seed import STATUTORY, STATUTORY_FIRST, STATUTORY_HOURS, STATUTORY_LAST, statutory_days

    if use_db:
        from weibao.sla.models import Calendar
        from weibao.sla.selectors import calendar_compile

        return calendar_compile(Calendar.objects.get(name=STATUTORY))
    days = statutory_days()
    return WorkingCalendar.build(
        tz="Asia/Shanghai",
        weekly={weekday: list(STATUTORY_HOURS) for weekday in range(1, 6)},
        holidays={d for d, kind, _name in days if kind == "holiday"},
        workdays={d for d, kind, _name in days if kind == "workday"},
        first=STATUTORY_FIRST,
        last=STATUTORY_LAST,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--db", action="store_true", help="compile the seeded calendar from the database")
    args = parser.parse_args()

    calendar = _calendar(args.db)  # once to load Django and chinese-calendar
    begun = time.perf_counter()
    calendar = _calendar(args.db)
    compile_ms = (time.perf_counter() - begun) * 1000

    rng = random.Random(4)
    base = dt.datetime(2005, 1, 1, tzinfo=dt.UTC)
    span = int((dt.datetime(2025, 12, 1, tzinfo=dt.UTC) - base).total_seconds())
    starts = [base + dt.timedelta(seconds=rng.randrange(span)) for _ in range(10_000)]
    durations = [rng.choice((900, 3600, 4 * 3600, 8 * 3600, 24 * 3600)) for _ in range(10_000)]
    work = list(zip(starts, durations, strict=True))

    add = calendar.add
    count = 0
    begun = time.perf_counter()
    cpu = time.process_time()
    while time.perf_counter() - begun < args.seconds:
        for start, seconds in work:
            add(start, seconds)
        count += len(work)
    add_rate = count / (time.perf_counter() - begun)
    add_cpu_rate = count / (time.process_time() - cpu)

    ends = [add(start, seconds) for start, seconds in work]
    between = calendar.working_seconds
    pairs = list(zip(starts, ends, strict=True))
    count = 0
    begun = time.perf_counter()
    while time.perf_counter() - begun < args.seconds / 2:
        for start, end in pairs:
            between(start, end)
        count += len(pairs)
    between_rate = count / (time.perf_counter() - begun)

    print(f"compile statutory calendar 2004–2026: {compile_ms:.1f} ms")
    print(f"add: {add_rate:,.0f} per second of wall time, {add_cpu_rate:,.0f} per CPU second (one core)")
    print(f"working_seconds: {between_rate:,.0f} per second (one core)")
    print(
        json.dumps(
            {
                "compile_ms": round(compile_ms, 1),
                "add_per_s": round(add_rate),
                "add_per_cpu_s": round(add_cpu_rate),
                "working_seconds_per_s": round(between_rate),
            }
        )
    )


if __name__ == "__main__":
    main()
