"""Registries a higher layer fills (the sla app cannot import tickets).

The service desk registers its request kinds (R1.2) from ``TicketsConfig.ready``;
policy targets store a kind as plain text and are validated against this list.
It may also register a callable listing teams, which the policy pages offer
for an escalation step's reassignment (the step keeps a plain team id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.functional import Promise

Choice = tuple[str, "str | Promise"]

_kinds: list[Choice] = []
_teams: list[Callable[[], Iterable[tuple[int, str]]]] = []


def request_kinds_register(choices: Iterable[Choice]) -> None:
    """Make ``choices`` (value, label) the request kinds targets may name; later calls add new values."""
    known = {value for value, _label in _kinds}
    for value, label in choices:
        if value not in known:
            _kinds.append((value, label))
            known.add(value)


def request_kinds() -> list[Choice]:
    """The registered request kinds, in registration order."""
    return list(_kinds)


def request_kind_label(value: str) -> str:
    return next((str(label) for v, label in _kinds if v == value), value)


def teams_register(source: Callable[[], Iterable[tuple[int, str]]]) -> None:
    """Register the callable that lists (team id, name) pairs for reassignment."""
    if source not in _teams:
        _teams.append(source)


def teams() -> list[tuple[int, str]]:
    """All registered teams, as (id, name)."""
    return [team for source in _teams for team in source()]
