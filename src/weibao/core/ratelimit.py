"""Fixed-window rate limits shared by every web server through the database.

A limit is a rate such as ``"5/hour"`` applied to a (scope, key) pair: the scope
names what is limited (``password_reset.email``), the key who (an address, an
e-mail, a token prefix). Each hit is one ``INSERT … ON CONFLICT DO UPDATE SET
hits = hits + 1 RETURNING hits``: a single statement that PostgreSQL and SQLite
both run atomically, so any number of processes on any number of machines count
together without a lock or a read-decide-write race.

The first refusal of a window sends :data:`rate_limit_exceeded` (exactly once per
window and key, because exactly one hit sees ``limit + 1``); the accounts layer
writes it to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import ngettext

from weibao.core.errors import WeibaoError
from weibao.core.models import RateLimitCounter

# Sent once per window and key, on the first refused hit: scope, key, limit,
# window_seconds, and actor (whoever the caller says is acting, or None).
rate_limit_exceeded = Signal()

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")
KEY_LIMIT = 200
# One statement, atomic on both databases; the conflict target is the model's unique constraint.
_HIT_SQL = (
    'INSERT INTO "core_ratelimitcounter" ("scope", "key", "window_start", "hits", "expires_at") '
    "VALUES (%s, %s, %s, 1, %s) "
    'ON CONFLICT ("scope", "key", "window_start") '
    'DO UPDATE SET "hits" = "core_ratelimitcounter"."hits" + 1 RETURNING "hits"'
)


class RateLimitedError(WeibaoError):
    """Too many requests in the current window; ``retry_after`` is in seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    """``limit`` hits per window of ``seconds``."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/hour"``, ``"600/minute"``, ``"100/10minutes"``; ValueError otherwise."""
        match = _RATE.match(text.lower())
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"a rate reads like 5/hour or 100/10minutes, not {text!r}")
        multiple = int(match.group(2) or 1)
        if multiple < 1:
            raise ValueError(f"a rate's window must be at least one unit long, not {text!r}")
        return cls(limit=int(match.group(1)), seconds=multiple * _UNITS[match.group(3)])


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one hit."""

    allowed: bool
    hits: int
    limit: int
    retry_after: int
    # True for exactly one hit per window and key: the first one refused.
    first_refusal: bool

    def error(self) -> RateLimitedError:
        return RateLimitedError(too_many_message(self.retry_after), retry_after=self.retry_after)


def too_many_message(retry_after: int) -> str:
    """The refusal in the active language, with the wait in seconds or whole minutes."""
    if retry_after <= 90:
        return ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            retry_after,
        ) % {"seconds": retry_after}
    minutes = -(-retry_after // 60)
    return ngettext(
        "Too many requests. Try again in %(minutes)d minute.",
        "Too many requests. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _stored_key(key: str) -> str:
    # E-mail addresses and header values can be long; a digest keeps the row small and the index usable.
    if len(key) <= KEY_LIMIT:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def rate_hit(
    scope: str, key: str, rate: Rate | str, *, now: dt.datetime | None = None, actor: object = None
) -> RateDecision:
    """Count one hit for (scope, key) and say whether it is within ``rate``.

    Side effects: inserts or increments one RateLimitCounter row (its own statement,
    committed with the caller's transaction or at once in autocommit); on the first
    refusal of a window, sends ``rate_limit_exceeded``.
    """
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    moment = int((now or timezone.now()).timestamp())
    window_start = moment - moment % rate.seconds
    stored = _stored_key(key)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [scope, stored, window_start, window_start + rate.seconds])
        row = cursor.fetchone()
    hits = int(row[0])
    decision = RateDecision(
        allowed=hits <= rate.limit,
        hits=hits,
        limit=rate.limit,
        retry_after=max(1, window_start + rate.seconds - moment),
        first_refusal=hits == rate.limit + 1,
    )
    if decision.first_refusal:
        rate_limit_exceeded.send(
            sender=RateDecision, scope=scope, key=key, limit=rate.limit, window_seconds=rate.seconds, actor=actor
        )
    return decision


def rate_check(scope: str, key: str, rate: Rate | str, *, now: dt.datetime | None = None, actor: object = None) -> None:
    """Count one hit; raise RateLimitedError (status 429, ``retry_after``) when over the limit."""
    decision = rate_hit(scope, key, rate, now=now, actor=actor)
    if not decision.allowed:
        raise decision.error()


def counters_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the counters of windows that have ended; returns how many went."""
    moment = int((now or timezone.now()).timestamp())
    deleted, _per_model = RateLimitCounter.objects.filter(expires_at__lte=moment).delete()
    return deleted


def too_many_response(decision: RateDecision) -> HttpResponse:
    """429 with Retry-After and the API's error body, in the active language."""
    response = JsonResponse({"detail": too_many_message(decision.retry_after)}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


ViewFunction = Callable[..., HttpResponse]


def rate_limit(
    scope: str, *, key: Callable[[HttpRequest], str], setting: str = "RATE_WEBHOOK"
) -> Callable[[ViewFunction], ViewFunction]:
    """Decorate a view (inbound webhooks): at most ``settings.<setting>`` requests per key.

    ``key`` picks the bucket from the request (the integration's id, the sender's
    address). The rate is read at each request, so a changed setting applies at once.
    Over the limit the view is not called and the answer is :func:`too_many_response`.
    """

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            decision = rate_hit(scope, key(request), getattr(settings, setting))
            if not decision.allowed:
                return too_many_response(decision)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
