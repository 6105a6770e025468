"""Contract phase at an instant (R2.5): pure date logic, no ORM.

Warranty starts on the acceptance date and lasts ``warranty_months``; its last
day is the day before the same calendar day ``warranty_months`` later (a
one-year warranty from 2025-03-01 covers up to and including 2026-02-28).
When that month has no such day, the warranty runs to the end of that month, as
the Civil Code (民法典 第二百零二条) does for periods counted in months: one month
from 2024-01-31 covers all of February, up to 2024-02-29.
"""

from __future__ import annotations

import datetime as dt
import enum

from dateutil.relativedelta import relativedelta


class Phase(enum.StrEnum):
    NOT_ACCEPTED = "not_accepted"
    IN_WARRANTY = "in_warranty"
    POST_WARRANTY = "post_warranty"
    EXPIRED = "expired"


def warranty_end(accepted_on: dt.date | None, warranty_months: int) -> dt.date | None:
    """The last day of warranty, or None before acceptance."""
    if accepted_on is None:
        return None
    same_day_later = accepted_on + relativedelta(months=warranty_months)
    if same_day_later.day != accepted_on.day:
        # relativedelta clamped to the month's last day: that month has no such day.
        return same_day_later
    return same_day_later - dt.timedelta(days=1)


def phase_on(day: dt.date, *, accepted_on: dt.date | None, warranty_months: int, ends_on: dt.date | None) -> Phase:
    """The phase of a contract on ``day`` (a local calendar day).

    The service end date wins over everything: after it the contract is expired,
    even if it was never accepted.
    """
    if ends_on is not None and day > ends_on:
        return Phase.EXPIRED
    if accepted_on is None or day < accepted_on:
        return Phase.NOT_ACCEPTED
    last = warranty_end(accepted_on, warranty_months)
    if last is not None and day <= last:
        return Phase.IN_WARRANTY
    return Phase.POST_WARRANTY
