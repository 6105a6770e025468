"""Periodic work of the service desk: the weekly callback sample (R7) and the service-level clocks."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from weibao.core.scheduler import periodic
from weibao.tickets.services.clock_tick import clocks_tick
from weibao.tickets.services.quality import callback_sample_draw


# Hourly rather than weekly: the draw is idempotent per week, so the first tick of a
# week (Monday just after midnight, or the first tick after downtime) draws the week
# before and every later tick finds it drawn and does nothing.
@periodic("tickets.callback_sample_draw", every=dt.timedelta(hours=1))
def draw_callback_sample() -> None:
    today = timezone.localdate(timezone.now(), timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    callback_sample_draw(week=today)


# Service-level clocks: warnings, breaches and escalation steps now due (see services/clock_tick.py).
# A tick with nothing due is one empty index range on ``next_check_at``.
@periodic("tickets.sla_tick", every=dt.timedelta(seconds=30))
def sla_tick() -> None:
    clocks_tick()
