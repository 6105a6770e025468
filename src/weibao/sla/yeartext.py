"""The text form for holidays and make-up working days, typed from a State Council notice.

Pure (no ORM). One statement per line, or several on a line separated by ``;``/``；``::

    # 2027 年部分节假日安排
    元旦 2027-01-01..2027-01-03 放假
    春节 2027-02-06..2027-02-13 放假; 2027-02-14, 2027-02-20 上班
    2027-10-09 上班

A statement is ``[name] dates action``:

- ``name`` (optional) is a word that is not a date, e.g. ``春节``; a statement
  without a name takes the name of the statement before it in the text;
- ``dates`` is a list of days or ranges separated by ``,`` ``，`` or ``、``; a day is
  ``YYYY-MM-DD`` (also ``YYYY/MM/DD``), a range ``day..day`` (also ``~``, ``～``, ``至``),
  at most 31 days long;
- ``action`` is ``放假``/``休``/``休息``/``休假``/``holiday``/``off`` for days off, or
  ``上班``/``班``/``调休上班``/``workday``/``work`` for make-up working days.

``#`` starts a comment. Every problem is reported with its line number; a day
named twice is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

HOLIDAY = "holiday"
WORKDAY = "workday"
MAX_RANGE_DAYS = 31

_ACTIONS = {
    "放假": HOLIDAY,
    "休": HOLIDAY,
    "休息": HOLIDAY,
    "休假": HOLIDAY,
    "holiday": HOLIDAY,
    "off": HOLIDAY,
    "上班": WORKDAY,
    "班": WORKDAY,
    "调休上班": WORKDAY,
    "workday": WORKDAY,
    "work": WORKDAY,
}
_DATE = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_DATE_RE = re.compile(rf"^{_DATE}$")
_RANGE_RE = re.compile(rf"^({_DATE})\s*(?:\.\.|~|～|至)\s*({_DATE})$")
_LOOKS_LIKE_DATE = re.compile(r"^\d")
_SEPARATORS = re.compile(r"\s*[,，、]\s*")
_RANGE_SPACES = re.compile(r"\s*(\.\.|~|～|至)\s*")


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str
    line: int


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d: %(problem)s") % {"line": self.line, "problem": self.message}


class YearTextError(ValueError):
    """The text has problems; ``errors`` names each line and what is wrong."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _day(text: str) -> dt.date | None:
    parts = re.split(r"[-/]", text)
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (ValueError, IndexError):
        return None


def _dates(text: str, line: int, errors: list[LineError]) -> list[dt.date]:
    days: list[dt.date] = []
    for piece in _SEPARATORS.split(text.strip()):
        if not piece:
            errors.append(LineError(line, _("an empty item in the list of dates")))
            continue
        ranged = _RANGE_RE.match(piece)
        if ranged:
            first, last = _day(ranged.group(1)), _day(ranged.group(2))
            if first is None or last is None:
                bad = ranged.group(1) if first is None else ranged.group(2)
                errors.append(LineError(line, _("“%(text)s” is not a date") % {"text": bad}))
                continue
            if last < first:
                errors.append(LineError(line, _("the range %(text)s ends before it starts") % {"text": piece}))
                continue
            if (last - first).days >= MAX_RANGE_DAYS:
                errors.append(
                    LineError(
                        line,
                        _("the range %(text)s is longer than %(max)d days") % {"text": piece, "max": MAX_RANGE_DAYS},
                    )
                )
                continue
            days.extend(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        elif _DATE_RE.match(piece):
            day = _day(piece)
            if day is None:
                errors.append(LineError(line, _("“%(text)s” is not a date") % {"text": piece}))
            else:
                days.append(day)
        else:
            errors.append(LineError(line, _("“%(text)s” is neither a date (YYYY-MM-DD) nor a range") % {"text": piece}))
    return days


def _statement(
    text: str, line: int, last_name: str, errors: list[LineError]
) -> tuple[list[tuple[dt.date, str, str]], str]:
    words = _RANGE_SPACES.sub(r"\1", text).split()
    if not words:
        return [], last_name
    action_word = words[-1]
    kind = _ACTIONS.get(action_word.lower())
    if kind is None:
        errors.append(
            LineError(
                line,
                _("it must end with 放假 (days off) or 上班 (make-up working day), not “%(word)s”")
                % {"word": action_word},
            )
        )
        return [], last_name
    rest = words[:-1]
    name = last_name
    if rest and not _LOOKS_LIKE_DATE.match(rest[0]):
        name = rest[0]
        rest = rest[1:]
    if not rest:
        errors.append(LineError(line, _("no dates given")))
        return [], name
    before = len(errors)
    days = _dates(" ".join(rest), line, errors)
    if len(errors) > before:
        return [], name
    return [(day, kind, name) for day in days], name


def year_text_parse(text: str) -> list[DayEntry]:
    """The days ``text`` names, in date order; raises YearTextError listing every problem."""
    errors: list[LineError] = []
    seen: dict[dt.date, int] = {}
    entries: list[DayEntry] = []
    name = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        for part in re.split(r"[;；]", content):
            found, name = _statement(part.strip(), number, name, errors)
            for day, kind, day_name in found:
                if day in seen:
                    errors.append(
                        LineError(
                            number,
                            _("%(day)s is already given on line %(other)d")
                            % {"day": day.isoformat(), "other": seen[day]},
                        )
                    )
                    continue
                seen[day] = number
                entries.append(DayEntry(date=day, kind=kind, name=day_name, line=number))
    if not errors and not entries:
        errors.append(LineError(1, _("the text names no days")))
    if errors:
        raise YearTextError(errors)
    return sorted(entries, key=lambda entry: entry.date)
