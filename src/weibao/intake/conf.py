"""Intake settings, read from the environment (documented in README's settings table)."""

from __future__ import annotations

import datetime as dt
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def auto_reply_window() -> dt.timedelta:
    """At most one automatic mail per request thread in this window (RFC 3834 loop guard)."""
    return dt.timedelta(minutes=_int("WEIBAO_INTAKE_AUTO_REPLY_MINUTES", 60))


def auto_reply_enabled() -> bool:
    """Whether a new request or reply by mail is acknowledged automatically."""
    return os.environ.get("WEIBAO_INTAKE_AUTO_REPLY", "1").strip().lower() in {"1", "true", "yes", "on"}


def im_max_age() -> dt.timedelta:
    """How old a signed IM callback may be before it is refused as stale."""
    return dt.timedelta(seconds=_int("WEIBAO_INTAKE_CALLBACK_MAX_AGE_SECONDS", 3600))
