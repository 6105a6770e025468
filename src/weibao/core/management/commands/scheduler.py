"""``weibao scheduler``: run the periodic jobs of every app.

Safe to run on several machines at once: each due run is claimed by exactly one
scheduler (see ``weibao.core.scheduler``). SIGTERM or SIGINT lets the running job
finish, then exits 0; a second signal exits at once.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from weibao.core.scheduler import scheduler_run
from weibao.core.supervisor import StopSignals

logger = logging.getLogger("weibao.core.scheduler")


class Command(BaseCommand):
    help = "Run due periodic jobs every few seconds until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--ticks", type=int, default=None, help="Run this many ticks and exit.")
        parser.add_argument(
            "--tick-seconds",
            type=float,
            default=None,
            help="Seconds between ticks (default: WEIBAO_SCHEDULER_TICK_SECONDS).",
        )

    def handle(self, *args: Any, once: bool, ticks: int | None, tick_seconds: float | None, **options: Any) -> None:
        if ticks is not None and ticks < 1:
            raise CommandError("--ticks must be 1 or more")
        if once:
            ticks = 1
        seconds = float(settings.SCHEDULER_TICK_SECONDS) if tick_seconds is None else tick_seconds
        if seconds <= 0:
            raise CommandError("--tick-seconds must be greater than 0")
        stop = StopSignals()
        logger.info("scheduler started, ticking every %s s", seconds)
        done = scheduler_run(stop=stop.event, tick_seconds=seconds, ticks=ticks)
        reason = f"received {stop.received.name}" if stop.received else "done"
        logger.info("scheduler stopped after %s ticks (%s)", done, reason)
