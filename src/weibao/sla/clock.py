"""Working-time arithmetic over a calendar (R2.2): pure, no ORM.

A :class:`WorkingCalendar` is compiled once from a weekly pattern, holidays and
make-up working days (调休上班) over a range of days ``[first, last]``. Compiling
turns every working interval of the range into absolute UTC instants (integer
microseconds since the epoch) with a running total of working time before each
interval, so that :meth:`WorkingCalendar.add` and
:meth:`WorkingCalendar.working_seconds` are two binary searches each.

Rules (also in docs/subsystems/sla.md):

- Working intervals are half-open ``[start, end)`` in the calendar's time zone;
  an ``end`` of 00:00 means midnight at the end of that day. Adjacent intervals
  (a day ending at 24:00 and the next starting at 00:00) merge.
- A holiday has no working time, whatever its weekday.
- A make-up working day (调休上班) works the intervals of the first weekday,
  Monday first, that has any (for the statutory calendar: Monday's hours).
- ``add(start, 0)`` is the first instant at or after ``start`` that is working
  time or the end of a working interval: the instant a clock started at
  ``start`` begins to count. ``add(start, s)`` with ``s > 0`` is the instant at
  which ``s`` working seconds have passed since ``start``; a deadline that falls
  exactly at the end of an interval is that end (18:00), not the next start.
- Anything outside ``[first 00:00, last+1 00:00)`` in the calendar's zone raises
  :class:`CalendarExhaustedError` at once, never loops.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from typing import Final

from django.utils.translation import gettext as _

from weibao.core.errors import WeibaoError

UTC: Final = dt.UTC
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = 1_000_000
_MIDNIGHT: Final = dt.time(0, 0)
_DAY: Final = dt.timedelta(days=1)

Interval = tuple[dt.time, dt.time]


class CalendarExhaustedError(WeibaoError):
    """The calendar knows no working time far enough for the computation."""


def _exhausted(first: dt.date, last: dt.date) -> CalendarExhaustedError:
    return CalendarExhaustedError(
        _("No working time left in the calendar's range ({first} to {last}); extend the calendar.").format(
            first=first.isoformat(), last=last.isoformat()
        )
    )


def _to_us(instant: dt.datetime) -> int:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("working-time arithmetic needs an aware datetime")
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


_fromtimestamp = dt.datetime.fromtimestamp


def _from_us(us: int) -> dt.datetime:
    # Exact: below 2**53 microseconds the float is off by under 0.25 µs and
    # fromtimestamp rounds to the nearest microsecond (tested against timedelta).
    return _fromtimestamp(us / _US, UTC)


def _local_us(day: dt.date, at: dt.time, zone: dt.tzinfo) -> int:
    return _to_us(dt.datetime.combine(day, at, tzinfo=zone))


def _pattern(weekly: Mapping[int, Sequence[Interval]]) -> dict[int, list[Interval]]:
    pattern: dict[int, list[Interval]] = {}
    for weekday in range(1, 8):
        spans = sorted(weekly.get(weekday, ()))
        for start, end in spans:
            if end != _MIDNIGHT and end <= start:
                raise ValueError(f"interval {start}-{end} ends before it starts")
        pattern[weekday] = spans
    return pattern


def _append_day(starts: list[int], ends: list[int], day: dt.date, spans: Sequence[Interval], zone: dt.tzinfo) -> None:
    """Append the UTC spans of ``day``, merging any that touch the previous one."""
    for start, end in spans:
        s = _local_us(day, start, zone)
        e = _local_us(day + _DAY, _MIDNIGHT, zone) if end == _MIDNIGHT else _local_us(day, end, zone)
        if e <= s:
            continue
        if ends and s <= ends[-1]:
            # Touching or overlapping (e.g. 24:00 then 00:00): one span.
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)


class WorkingCalendar:
    """An immutable, compiled working calendar; build it with :meth:`build`."""

    __slots__ = ("_cum", "_cum_end", "_ends", "_first", "_last", "_range_end", "_range_start", "_starts", "tz")

    tz: str
    _first: dt.date
    _last: dt.date
    _starts: tuple[int, ...]
    _ends: tuple[int, ...]
    _cum: tuple[int, ...]
    _cum_end: tuple[int, ...]
    _range_start: int
    _range_end: int

    def __init__(self) -> None:  # pragma: no cover - use build()
        raise TypeError("use WorkingCalendar.build(...)")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkingCalendar is immutable")

    @classmethod
    def build(
        cls,
        *,
        tz: str,
        weekly: Mapping[int, Sequence[Interval]],
        holidays: Collection[dt.date],
        workdays: Collection[dt.date],
        always: bool = False,
        first: dt.date,
        last: dt.date,
    ) -> WorkingCalendar:
        """Compile a calendar for the days ``first`` to ``last`` inclusive.

        ``weekly`` maps ISO weekday 1 (Monday) to 7 (Sunday) to working intervals;
        ``always`` makes every instant of the range working time (7×24),
        ignoring the rest.
        """
        if last < first:
            raise ValueError("last must not come before first")
        zone = zoneinfo.ZoneInfo(tz)
        pattern = _pattern(weekly)
        makeup = next((pattern[w] for w in range(1, 8) if pattern[w]), [])
        off = frozenset(holidays)
        extra = frozenset(workdays)
        starts: list[int] = []
        ends: list[int] = []
        day = first
        while day <= last:
            if always:
                spans = [(_MIDNIGHT, _MIDNIGHT)]
            elif day in off:
                spans = []
            elif day in extra:
                spans = makeup
            else:
                spans = pattern[day.isoweekday()]
            _append_day(starts, ends, day, spans, zone)
            day += _DAY
        cum: list[int] = []
        cum_end: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            cum.append(total)
            total += e - s
            cum_end.append(total)

        obj = object.__new__(cls)
        set_ = object.__setattr__
        set_(obj, "tz", tz)
        set_(obj, "_first", first)
        set_(obj, "_last", last)
        set_(obj, "_starts", tuple(starts))
        set_(obj, "_ends", tuple(ends))
        set_(obj, "_cum", tuple(cum))
        set_(obj, "_cum_end", tuple(cum_end))
        set_(obj, "_range_start", _local_us(first, _MIDNIGHT, zone))
        set_(obj, "_range_end", _local_us(last + _DAY, _MIDNIGHT, zone))
        return obj

    # -- queries ---------------------------------------------------------------

    @property
    def first(self) -> dt.date:
        return self._first

    @property
    def last(self) -> dt.date:
        return self._last

    @property
    def total_seconds(self) -> int:
        """All working time in the range, in whole seconds."""
        return (self._cum_end[-1] if self._cum_end else 0) // _US

    def _check(self, us: int) -> None:
        if us < self._range_start or us > self._range_end:
            raise _exhausted(self._first, self._last)

    def _position(self, us: int) -> int:
        """Working microseconds from the start of the range up to ``us``."""
        i = bisect_right(self._starts, us) - 1
        if i < 0:
            return 0
        end = self._ends[i]
        return self._cum[i] + (us if us < end else end) - self._starts[i]

    def is_working(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` is working time (intervals are half-open)."""
        us = _to_us(instant)
        self._check(us)
        i = bisect_right(self._starts, us) - 1
        return i >= 0 and us < self._ends[i]

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The instant ``seconds`` working seconds after ``start``, in UTC.

        ``start`` outside working time counts from the next working instant.
        Raises CalendarExhaustedError when the range ends first.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        us = _to_us(start)
        if us < self._range_start or us > self._range_end:
            raise _exhausted(self._first, self._last)
        ends = self._ends
        i = bisect_left(ends, us)  # first interval whose end is at or after start
        if i == len(ends):
            raise _exhausted(self._first, self._last)
        s = self._starts[i]
        if seconds == 0:
            return _from_us(s) if us < s else start.astimezone(UTC)
        us = max(us, s)
        target = self._cum[i] + (us - s) + seconds * _US
        j = bisect_left(self._cum_end, target)
        if j == len(ends):
            raise _exhausted(self._first, self._last)
        return _from_us(self._starts[j] + (target - self._cum[j]))

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole working seconds between ``start`` and ``end`` (0 when end is not after start)."""
        a = _to_us(start)
        b = _to_us(end)
        self._check(a)
        self._check(b)
        if b <= a:
            return 0
        return (self._position(b) - self._position(a)) // _US

    def working_days(self) -> frozenset[dt.date]:
        """The local days of the range that hold any working time (for year views)."""
        zone = zoneinfo.ZoneInfo(self.tz)
        days: set[dt.date] = set()
        for s, e in zip(self._starts, self._ends, strict=True):
            day = _from_us(s).astimezone(zone).date()
            last = _from_us(e - 1).astimezone(zone).date()
            while day <= last:
                days.add(day)
                day += dt.timedelta(days=1)
        return frozenset(days)
