"""Durations typed by people: ``15m``, ``4h``, ``1h30m``, ``2d``, ``1:30`` (pure).

``d`` is 24 hours of the calendar's working time, not a working day; a working day
of the statutory calendar is ``8h``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_PART = re.compile(r"(\d+)\s*([dhms])", re.IGNORECASE)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_CLOCK = re.compile(r"^(\d+):([0-5]\d)$")


def duration_parse(text: str) -> int:
    """Seconds in ``text``; raises ValueError with a translated message when it is not a duration."""
    value = text.strip().replace(" ", "")
    if clock := _CLOCK.match(value):
        return int(clock.group(1)) * 3600 + int(clock.group(2)) * 60
    if value.isdigit():
        return int(value) * 60  # a bare number is minutes
    parts = _PART.findall(value)
    if not value or "".join(f"{n}{u}" for n, u in parts).lower() != value.lower():
        raise ValueError(_("Write a duration such as 15m, 4h, 1h30m or 2d."))
    return sum(int(number) * _UNITS[unit.lower()] for number, unit in parts)


def duration_format(seconds: int) -> str:
    """``1h30m`` style; zero is ``0m``."""
    if seconds == 0:
        return "0m"
    out = []
    for unit in ("d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out)
