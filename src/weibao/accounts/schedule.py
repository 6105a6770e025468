"""Periodic housekeeping of the accounts layer: audit retention, rate-limit counters."""

from __future__ import annotations

import datetime as dt

from weibao.accounts.audit_retention import audit_prune
from weibao.core.ratelimit import counters_prune
from weibao.core.scheduler import periodic


@periodic("accounts.audit_prune", every=dt.timedelta(days=1))
def prune_audit_trail() -> None:
    audit_prune(actor=None, actor_label="scheduler")


@periodic("accounts.prune_rate_limit_counters", every=dt.timedelta(hours=1))
def prune_rate_limit_counters() -> None:
    counters_prune()
