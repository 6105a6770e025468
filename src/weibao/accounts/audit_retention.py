"""Retention of the audit trail: old events go, the chain stays verifiable.

``settings.AUDIT_RETENTION_DAYS`` (at least :data:`MINIMUM_RETENTION_DAYS`, the
等保 2.0 level-3 floor of six months) says how long an event is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from weibao.accounts.audit import event_record
from weibao.accounts.audit_chain import PRUNE_ACTION, chain_head, chain_lock
from weibao.accounts.audit_guard import prune_allowed
from weibao.accounts.models import AuditEvent, User

MINIMUM_RETENTION_DAYS = 180


class RetentionTooShortError(ValueError):
    """A retention below the legal minimum was asked for."""


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    cutoff: dt.datetime
    anchor_sequence: int | None
    event: AuditEvent


@transaction.atomic
def audit_prune(
    *,
    actor: User | None,
    retention_days: int | None = None,
    now: dt.datetime | None = None,
    actor_label: str | None = None,
) -> PruneResult:
    """Delete the events older than the retention period, oldest first.

    Only a leading run of the chain goes: everything before the first event that is
    still within the period (so an event is never deleted early, even if clocks of
    several machines disagreed), and never the newest event. The ``audit.prune``
    event written afterwards names the last deleted row as the chain's new anchor.
    Raises RetentionTooShortError below the minimum.
    Side effects: takes the chain lock, deletes AuditEvent rows, writes ``audit.prune``.
    """
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    if days < MINIMUM_RETENTION_DAYS:
        raise RetentionTooShortError(f"audit events are kept at least {MINIMUM_RETENTION_DAYS} days, not {days}")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    chain_lock()
    head = chain_head()
    deleted = 0
    anchor: tuple[int, str] | None = None
    if head is not None:
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).aggregate(first=Min("sequence"))["first"]
        last_doomed = min(first_kept if first_kept is not None else head.sequence, head.sequence) - 1
        row = (
            AuditEvent.objects.filter(sequence__lte=last_doomed)
            .order_by("-sequence")
            .values_list("sequence", "row_hash")
            .first()
        )
        if row is not None and row[0] is not None:
            anchor = (int(row[0]), row[1])
            with prune_allowed():
                deleted, _per_model = AuditEvent.objects.filter(sequence__lte=last_doomed).delete()
    after: dict[str, object] = {"deleted": deleted, "cutoff": cutoff.isoformat(), "retention_days": days}
    if anchor is not None:
        after |= {"anchor_sequence": anchor[0], "anchor_hash": anchor[1]}
    event = event_record(actor=actor, actor_label=actor_label, action=PRUNE_ACTION, after=after)
    return PruneResult(deleted=deleted, cutoff=cutoff, anchor_sequence=anchor[0] if anchor else None, event=event)
