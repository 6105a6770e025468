"""Working-time arithmetic over the official 2026 schedule (pure, no database)."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.sla.clock import CalendarExhaustedError, WorkingCalendar

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
T = dt.time
H = 3600


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def statutory(intervals: list[tuple[dt.time, dt.time]], **kw: object) -> WorkingCalendar:
    weekly = dict.fromkeys(range(1, 6), intervals)
    return WorkingCalendar.build(
        tz="Asia/Shanghai",
        weekly=weekly,
        holidays=set(chinese_calendar.holidays),
        workdays=set(chinese_calendar.workdays),
        first=kw.get("first", dt.date(2004, 1, 1)),  # type: ignore[arg-type]
        last=kw.get("last", dt.date(2026, 12, 31)),  # type: ignore[arg-type]
    )


NINE_TO_SIX = statutory([(T(9), T(18))])
WITH_LUNCH = statutory([(T(9), T(12)), (T(13, 30), T(18))])


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        # A make-up Saturday (调休上班) works.
        (at(2026, 2, 13, 16), 4 * H, at(2026, 2, 14, 11)),
        # National Day and Mid-autumn: 10-01..10-07 off.
        (at(2026, 9, 30, 17), 4 * H, at(2026, 10, 8, 12)),
        # Spring Festival 02-15..02-23 off; Saturday 02-28 works.
        (at(2026, 2, 14, 17), 2 * H, at(2026, 2, 24, 10)),
        (at(2026, 2, 27, 17), 2 * H, at(2026, 2, 28, 10)),
        # An ordinary weekend is skipped.
        (at(2026, 3, 6, 17), 2 * H, at(2026, 3, 9, 10)),
        # Start before hours counts from 09:00; exactly to the end is 18:00, not next morning.
        (at(2026, 3, 9, 7), 9 * H, at(2026, 3, 9, 18)),
        (at(2026, 3, 9, 9), 9 * H + 1, at(2026, 3, 10, 9) + dt.timedelta(seconds=1)),
        # New Year 2026-01-01..01-03 off, Sunday 01-04 works.
        (at(2025, 12, 31, 17), 3 * H, at(2026, 1, 4, 11)),
        # Zero seconds: outside hours moves to the next working instant.
        (at(2026, 3, 7, 12), 0, at(2026, 3, 9, 9)),
        (at(2026, 3, 9, 10), 0, at(2026, 3, 9, 10)),
    ],
)
def test_adding_working_time_on_nine_to_six_follows_the_2026_schedule(
    start: dt.datetime, seconds: int, expected: dt.datetime
) -> None:
    result = NINE_TO_SIX.add(start, seconds)
    assert result == expected
    assert result.tzinfo == dt.UTC


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        (at(2026, 3, 9, 11), 2 * H, at(2026, 3, 9, 14, 30)),  # lunch 12:00–13:30 skipped
        (at(2026, 3, 9, 12, 15), 1 * H, at(2026, 3, 9, 14, 30)),  # started at lunch
        (at(2026, 3, 9, 9), 3 * H, at(2026, 3, 9, 12)),  # ends exactly at lunch
        (at(2026, 3, 9, 17), 8 * H, at(2026, 3, 10, 17, 30)),  # a whole working day is 7.5 h
    ],
)
def test_lunch_breaks_are_not_working_time(start: dt.datetime, seconds: int, expected: dt.datetime) -> None:
    assert WITH_LUNCH.add(start, seconds) == expected


def test_a_deadline_spans_the_turn_of_the_year() -> None:
    # 2025-12-31 is a Wednesday; 2026-01-01..03 off; 01-04 a make-up Sunday.
    assert NINE_TO_SIX.add(at(2025, 12, 31, 9), 27 * H) == at(2026, 1, 5, 18)
    assert NINE_TO_SIX.working_seconds(at(2025, 12, 31, 9), at(2026, 1, 6, 9)) == 27 * H


def test_working_seconds_counts_only_working_time() -> None:
    assert NINE_TO_SIX.working_seconds(at(2026, 2, 13, 16), at(2026, 2, 14, 11)) == 4 * H
    assert NINE_TO_SIX.working_seconds(at(2026, 10, 1), at(2026, 10, 8)) == 0
    assert NINE_TO_SIX.working_seconds(at(2026, 3, 10), at(2026, 3, 9)) == 0


def test_is_working_knows_holidays_make_up_days_and_interval_ends() -> None:
    assert NINE_TO_SIX.is_working(at(2026, 2, 14, 10))
    assert not NINE_TO_SIX.is_working(at(2026, 2, 16, 10))
    assert not NINE_TO_SIX.is_working(at(2026, 3, 9, 18))
    assert NINE_TO_SIX.is_working(at(2026, 3, 9, 9))


def test_seven_by_twenty_four_counts_wall_clock_time() -> None:
    always = WorkingCalendar.build(
        tz="Asia/Shanghai",
        weekly={},
        holidays=(),
        workdays=(),
        always=True,
        first=dt.date(2026, 1, 1),
        last=dt.date(2026, 12, 31),
    )
    assert always.add(at(2026, 10, 1, 23), 2 * H) == at(2026, 10, 2, 1)
    assert always.working_seconds(at(2026, 1, 1), at(2026, 1, 2)) == 86400


def test_an_interval_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    evenings = WorkingCalendar.build(
        tz="Asia/Shanghai",
        weekly={d: [(T(20), T(0))] for d in range(1, 8)},
        holidays=(),
        workdays=(),
        first=dt.date(2026, 1, 1),
        last=dt.date(2026, 1, 31),
    )
    assert evenings.add(at(2026, 1, 5, 23), 2 * H) == at(2026, 1, 6, 21)


def test_a_calendar_with_no_working_time_left_raises_quickly() -> None:
    empty = WorkingCalendar.build(
        tz="Asia/Shanghai", weekly={}, holidays=(), workdays=(), first=dt.date(2000, 1, 1), last=dt.date(2099, 12, 31)
    )
    begun = time.perf_counter()
    with pytest.raises(CalendarExhaustedError, match="No working time left"):
        empty.add(at(2026, 1, 1), 1)
    assert time.perf_counter() - begun < 1
    with pytest.raises(CalendarExhaustedError):
        NINE_TO_SIX.add(at(2026, 12, 31, 17), 2 * H)  # 2027 is not known yet
    with pytest.raises(CalendarExhaustedError):
        NINE_TO_SIX.add(at(2027, 1, 4, 9), 60)
    with pytest.raises(CalendarExhaustedError):
        NINE_TO_SIX.add(at(2003, 12, 31, 9), 60)


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        NINE_TO_SIX.add(dt.datetime(2026, 3, 9, 9), 60)
    with pytest.raises(ValueError, match="negative"):
        NINE_TO_SIX.add(at(2026, 3, 9, 9), -1)


def test_a_compiled_calendar_cannot_be_changed() -> None:
    with pytest.raises(AttributeError):
        NINE_TO_SIX.tz = "UTC"


# -- properties ----------------------------------------------------------------

instants = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2026, 6, 30),
    timezones=st.just(dt.UTC),
)
durations = st.integers(min_value=0, max_value=10 * 86400)


@settings(max_examples=300, deadline=None)
@given(instants, durations, durations)
def test_adding_a_then_b_equals_adding_a_plus_b(start: dt.datetime, a: int, b: int) -> None:
    assert WITH_LUNCH.add(WITH_LUNCH.add(start, a), b) == WITH_LUNCH.add(start, a + b)


@settings(max_examples=300, deadline=None)
@given(instants, durations)
def test_the_working_time_up_to_a_deadline_is_its_duration(start: dt.datetime, d: int) -> None:
    assert WITH_LUNCH.working_seconds(start, WITH_LUNCH.add(start, d)) == d


@settings(max_examples=300, deadline=None)
@given(instants, instants, durations, durations)
def test_deadlines_are_monotonic_in_start_and_duration(t1: dt.datetime, t2: dt.datetime, d1: int, d2: int) -> None:
    early, late = sorted((t1, t2))
    short, long = sorted((d1, d2))
    assert WITH_LUNCH.add(early, short) <= WITH_LUNCH.add(late, short)
    assert WITH_LUNCH.add(early, short) <= WITH_LUNCH.add(early, long)
    assert WITH_LUNCH.add(early, short) >= early


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=2**52))
def test_instants_convert_to_microseconds_and_back_exactly(us: int) -> None:
    from weibao.sla.clock import _from_us, _to_us

    expected = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)
    assert _from_us(us) == expected
    assert _to_us(expected) == us
