"""Request numbers such as ``WB-20261121-0007``: one counter per local day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from weibao.tickets.models import TicketSequence


def number_format(day: dt.date, seq: int) -> str:
    return str(settings.TICKET_NUMBER_FORMAT).format(date=day, seq=seq)


def number_next(instant: dt.datetime | None = None) -> str:
    """The next request number for the local day of ``instant`` (default now).

    Must run inside the caller's transaction: the day's counter row stays locked
    (PostgreSQL row lock; SQLite's write lock) until it commits, so two requests
    never get the same number and a rolled-back creation gives its number back.
    """
    day = timezone.localdate(instant or timezone.now(), timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    seq = _increment(day)
    if seq is None:
        try:
            with transaction.atomic():
                TicketSequence.objects.create(day=day, last=1)
            seq = 1
        except IntegrityError:
            # Another transaction made the day's row first; count on it.
            seq = _increment(day)
    assert seq is not None
    return number_format(day, seq)


def _increment(day: dt.date) -> int | None:
    """Add one to the day's counter and read it back in one statement; None if the day has no row."""
    table = TicketSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last", [day])  # noqa: S608 - the model's table
        row = cursor.fetchone()
    return int(row[0]) if row else None
