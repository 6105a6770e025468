"""Warranty and contract phases (R2.5): the pure date table and Contract.phase_at on the Shanghai day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from weibao.contracts.models import Contract
from weibao.contracts.phases import Phase, phase_on, warranty_end

D = dt.date
UTC = dt.UTC

WARRANTY_ENDS = [
    # accepted_on, months, last day of warranty
    pytest.param(D(2025, 3, 1), 12, D(2026, 2, 28), id="one-year-from-march-first"),
    pytest.param(D(2023, 3, 1), 12, D(2024, 2, 29), id="one-year-ending-on-a-leap-day"),
    pytest.param(D(2024, 1, 31), 1, D(2024, 2, 29), id="month-end-acceptance-covers-all-of-leap-february"),
    pytest.param(D(2023, 1, 31), 1, D(2023, 2, 28), id="month-end-acceptance-covers-all-of-february"),
    pytest.param(D(2024, 1, 30), 1, D(2024, 2, 29), id="thirtieth-has-no-day-in-february"),
    pytest.param(D(2024, 1, 29), 1, D(2024, 2, 28), id="twenty-ninth-exists-in-leap-february"),
    pytest.param(D(2024, 2, 29), 12, D(2025, 2, 28), id="leap-day-acceptance"),
    pytest.param(D(2025, 3, 31), 1, D(2025, 4, 30), id="thirty-first-into-a-thirty-day-month"),
    pytest.param(D(2023, 6, 15), 36, D(2026, 6, 14), id="three-year-warranty"),
    pytest.param(D(2025, 12, 1), 1, D(2025, 12, 31), id="crosses-no-year"),
    pytest.param(D(2025, 12, 15), 1, D(2026, 1, 14), id="crosses-new-year"),
    pytest.param(D(2025, 3, 1), 0, D(2025, 2, 28), id="zero-months-ends-before-it-starts"),
]


@pytest.mark.parametrize(("accepted_on", "months", "last_day"), WARRANTY_ENDS)
def test_warranty_end_is_the_last_day_covered(accepted_on: dt.date, months: int, last_day: dt.date) -> None:
    assert warranty_end(accepted_on, months) == last_day


def test_warranty_end_is_unknown_before_acceptance() -> None:
    assert warranty_end(None, 12) is None


PHASES = [
    # day, accepted_on, months, ends_on, phase
    pytest.param(D(2026, 1, 1), None, 12, None, Phase.NOT_ACCEPTED, id="never-accepted"),
    pytest.param(D(2025, 2, 28), D(2025, 3, 1), 12, None, Phase.NOT_ACCEPTED, id="day-before-acceptance"),
    pytest.param(D(2025, 3, 1), D(2025, 3, 1), 12, None, Phase.IN_WARRANTY, id="acceptance-day"),
    pytest.param(D(2025, 9, 1), D(2025, 3, 1), 12, None, Phase.IN_WARRANTY, id="mid-warranty"),
    pytest.param(D(2026, 2, 28), D(2025, 3, 1), 12, None, Phase.IN_WARRANTY, id="last-day-of-warranty"),
    pytest.param(D(2026, 3, 1), D(2025, 3, 1), 12, None, Phase.POST_WARRANTY, id="first-day-after-warranty"),
    pytest.param(D(2030, 1, 1), D(2025, 3, 1), 12, None, Phase.POST_WARRANTY, id="years-later-without-end"),
    pytest.param(D(2027, 2, 28), D(2025, 3, 1), 12, D(2027, 2, 28), Phase.POST_WARRANTY, id="service-end-day"),
    pytest.param(D(2027, 3, 1), D(2025, 3, 1), 12, D(2027, 2, 28), Phase.EXPIRED, id="after-service-end"),
    pytest.param(D(2025, 6, 1), D(2025, 3, 1), 12, D(2025, 5, 31), Phase.EXPIRED, id="ended-inside-warranty"),
    pytest.param(D(2026, 1, 1), None, 12, D(2025, 12, 31), Phase.EXPIRED, id="expired-without-acceptance"),
    pytest.param(D(2024, 2, 29), D(2024, 1, 31), 1, None, Phase.IN_WARRANTY, id="month-end-last-day"),
    pytest.param(D(2024, 3, 1), D(2024, 1, 31), 1, None, Phase.POST_WARRANTY, id="month-end-day-after"),
    pytest.param(D(2026, 6, 14), D(2023, 6, 15), 36, None, Phase.IN_WARRANTY, id="36-months-last-day"),
    pytest.param(D(2026, 6, 15), D(2023, 6, 15), 36, None, Phase.POST_WARRANTY, id="36-months-day-after"),
    pytest.param(D(2025, 3, 1), D(2025, 3, 1), 0, None, Phase.POST_WARRANTY, id="zero-months-on-acceptance-day"),
    pytest.param(D(2025, 2, 28), D(2025, 3, 1), 0, None, Phase.NOT_ACCEPTED, id="zero-months-before-acceptance"),
]


@pytest.mark.parametrize(("day", "accepted_on", "months", "ends_on", "phase"), PHASES)
def test_phase_on_a_calendar_day(
    day: dt.date, accepted_on: dt.date | None, months: int, ends_on: dt.date | None, phase: Phase
) -> None:
    assert phase_on(day, accepted_on=accepted_on, warranty_months=months, ends_on=ends_on) == phase


def _contract(**fields: object) -> Contract:
    values: dict[str, object] = {"accepted_on": D(2025, 3, 1), "warranty_months": 12, "ends_on": None}
    values.update(fields)
    return Contract(number="HT-1", title="t", signed_on=D(2025, 1, 1), **values)


INSTANTS = [
    # An instant in UTC and the phase on the Shanghai calendar day it falls on.
    pytest.param(dt.datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC), Phase.IN_WARRANTY, id="23:59:59-shanghai-last-day"),
    pytest.param(dt.datetime(2026, 2, 28, 16, 0, tzinfo=UTC), Phase.POST_WARRANTY, id="midnight-shanghai-next-day"),
    pytest.param(dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC), Phase.POST_WARRANTY, id="utc-still-feb-28"),
    pytest.param(
        dt.datetime(2025, 2, 28, 16, 0, tzinfo=UTC), Phase.IN_WARRANTY, id="acceptance-day-starts-in-shanghai"
    ),
    pytest.param(dt.datetime(2025, 2, 28, 15, 59, tzinfo=UTC), Phase.NOT_ACCEPTED, id="acceptance-eve-in-shanghai"),
]


@pytest.mark.parametrize(("instant", "phase"), INSTANTS)
def test_phase_at_an_instant_is_judged_on_the_shanghai_day(instant: dt.datetime, phase: Phase) -> None:
    assert _contract().phase_at(instant) == phase


def test_phase_at_ignores_the_active_time_zone() -> None:
    instant = dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
    with timezone.override("UTC"):
        assert _contract().phase_at(instant) == Phase.POST_WARRANTY


def test_expiry_is_judged_on_the_shanghai_day_too() -> None:
    contract = _contract(ends_on=D(2026, 6, 30))
    assert contract.phase_at(dt.datetime(2026, 6, 30, 15, 59, tzinfo=UTC)) == Phase.POST_WARRANTY
    assert contract.phase_at(dt.datetime(2026, 6, 30, 16, 0, tzinfo=UTC)) == Phase.EXPIRED


def test_phase_without_an_instant_uses_now_on_the_shanghai_day() -> None:
    with time_machine.travel(dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC), tick=False):
        assert _contract().phase == Phase.POST_WARRANTY
        with translation.override("zh-hans"):
            assert _contract().phase_label == "质保期满后"
    with time_machine.travel(dt.datetime(2026, 2, 28, 15, 0, tzinfo=UTC), tick=False):
        assert _contract().phase == Phase.IN_WARRANTY


def test_warranty_ends_on_follows_acceptance() -> None:
    assert _contract().warranty_ends_on == D(2026, 2, 28)
    assert _contract(accepted_on=None).warranty_ends_on is None
