"""The scheduler's share of the clocks: warnings, breaches and escalation steps, each once.

``clocks_tick`` walks the clocks whose ``next_check_at`` has passed, in small
batches in index order. Each clock is handled in its own transaction:

1. lock the request row, skipping it if someone else holds it (the next tick retries);
2. claim the clock with ``UPDATE … SET version = version + 1 WHERE id = … AND version = old``
   and act only if exactly one row changed (another scheduler got there first otherwise);
3. record the warning, the breach (a one-to-one row: once per clock) and every
   escalation step now due (a unique (clock, step) row: once per step), post the
   penalty (idempotent per reference), raise the level / reassign through ``ticket_save``.

A scheduler killed mid-way loses only an uncommitted transaction; the clock's
``next_check_at`` is still in the past, so the next tick of any scheduler does the
work, and the unique rows make a second execution impossible.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.contracts.models import Contract
from weibao.contracts.services.deposit import deposit_deduct_penalty
from weibao.tickets.clock_schedule import next_check
from weibao.tickets.models import SlaBreach, SlaClock, SlaClockEvent, SlaEscalationRun, Team, Ticket, TicketEvent
from weibao.tickets.services import clock_notify
from weibao.tickets.services.clocks import history_add

log = logging.getLogger(__name__)

BATCH = 100
MAX_BATCHES = 100


def clocks_tick(*, now: dt.datetime | None = None, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Handle every clock due at ``now`` (default: now); returns how many this call handled."""
    now = now or timezone.now()
    handled = 0
    after: tuple[dt.datetime | None, int] | None = None
    for _round in range(max_batches):
        due = SlaClock.objects.filter(next_check_at__lte=now)
        if after is not None:
            due = due.filter(Q(next_check_at__gt=after[0]) | Q(next_check_at=after[0], id__gt=after[1]))
        rows = list(
            due.order_by("next_check_at", "id").values_list("id", "ticket_id", "version", "next_check_at")[:batch]
        )
        for pk, ticket_id, version, _at in rows:
            if clock_handle(clock_id=pk, ticket_id=ticket_id, version=version, now=now):
                handled += 1
        if len(rows) < batch:
            break
        after = (rows[-1][3], rows[-1][0])
    return handled


def clock_handle(*, clock_id: int, ticket_id: int, version: int, now: dt.datetime) -> bool:
    """Claim one clock and do what is due on it; False when another scheduler or a user holds it."""
    try:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=ticket_id).first()
            if ticket is None:
                return False
            if SlaClock.objects.filter(pk=clock_id, version=version).update(version=F("version") + 1) != 1:
                return False
            clock = SlaClock.objects.get(pk=clock_id)
            _work(ticket, clock, now)
            return True
    except Exception:
        # One bad clock must not stop the others; it stays due and is retried next tick.
        log.exception("service-level clock %s could not be handled", clock_id)
        return False


def _work(ticket: Ticket, clock: SlaClock, now: dt.datetime) -> None:
    if clock.state != SlaClock.State.RUNNING:
        clock.next_check_at = None
        clock.save(update_fields=["next_check_at"])
        return
    if clock.breached_at is None:
        if (
            clock.warned_at is None
            and clock.warn_at is not None
            and clock.warn_at <= now
            and (clock.due_at is None or clock.due_at > now)
        ):
            clock.warned_at = now
            history_add(clock, SlaClockEvent.Kind.WARNED, at=now)
            clock_notify.warning(ticket, clock)
        if clock.due_at is not None and clock.due_at <= now:
            _breach(ticket, clock, now)
    changes: dict[str, Any] = {}
    steps = clock.escalations or []
    while clock.breached_at is not None and clock.escalations_done < len(steps):
        step = steps[clock.escalations_done]
        if clock.breached_at + dt.timedelta(seconds=int(step["after_seconds"])) > now:
            break
        _escalate(ticket, clock, clock.escalations_done, step, now=now, changes=changes)
        clock.escalations_done += 1
    clock.warn_at = None if clock.warned_at is not None else clock.warn_at
    clock.next_check_at = next_check(clock)
    clock.save()
    if changes:
        from weibao.tickets.services._common import snapshot, ticket_save

        before = snapshot(ticket)
        before["level"] = changes.get("level_from", ticket.level)
        ticket_save(ticket=ticket, actor=None, action="ticket.sla_escalate", before=before)


def _breach(ticket: Ticket, clock: SlaClock, now: dt.datetime) -> None:
    assert clock.due_at is not None
    clock.breached_at = clock.due_at
    late = int((now - clock.due_at).total_seconds())
    try:
        with transaction.atomic():
            breach = SlaBreach.objects.create(
                clock=clock,
                ticket=ticket,
                metric=clock.metric,
                target_seconds=clock.target_seconds,
                due_at=clock.due_at,
                detected_at=now,
                late_seconds=max(0, late),
            )
    except IntegrityError:
        return
    history_add(clock, SlaClockEvent.Kind.BREACHED, at=now, late_seconds=late)
    TicketEvent.objects.create(
        ticket=ticket,
        actor_label=_("system"),
        kind=TicketEvent.Kind.CHANGED,
        internal=True,
        body=_("Service-level target missed: %(metric)s was due %(due)s.")
        % {"metric": clock.metric, "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")},
        data={"sla_clock": clock.pk, "breached": clock.metric},
    )
    entry_id = _penalty(ticket, clock)
    if entry_id is not None:
        breach.penalty_entry_id = entry_id
        breach.save(update_fields=["penalty_entry_id"])
    clock_notify.breach(ticket, clock)


def _penalty(ticket: Ticket, clock: SlaClock) -> int | None:
    """Post the deposit penalty of a missed response (or a target with its own amount), stopping at zero."""
    if clock.contract_id is None or (clock.metric != "response" and clock.penalty_amount is None):
        return None
    contract = Contract.objects.filter(pk=clock.contract_id).first()
    if contract is None:
        return None
    amount = clock.penalty_amount if clock.penalty_amount is None or clock.penalty_amount > Decimal(0) else None
    if clock.penalty_amount is not None and amount is None:
        return None
    entry = deposit_deduct_penalty(
        actor=None,
        contract=contract,
        reason=_("%(number)s: missed target %(metric)s") % {"number": ticket.number, "metric": clock.metric},
        reference=f"{ticket.number}:{clock.metric}"[:100],
        amount=amount,
    )
    return entry.pk if entry is not None else None


def _escalate(
    ticket: Ticket, clock: SlaClock, index: int, step: dict[str, Any], *, now: dt.datetime, changes: dict[str, Any]
) -> None:
    try:
        with transaction.atomic():
            run = SlaEscalationRun.objects.create(clock=clock, step=index, at=now)
    except IntegrityError:
        return
    done: dict[str, Any] = {"metric": clock.metric}
    recipients = clock_notify.escalation_recipients(ticket, step)
    if step.get("raise_level") and ticket.level > 1:
        changes.setdefault("level_from", ticket.level)
        ticket.level -= 1
        done["level"] = ticket.level
    team_id = step.get("reassign_team_id")
    if team_id:
        team = Team.objects.filter(pk=team_id).first()
        if team is not None and team.pk != ticket.team_id:
            ticket.team = team
            ticket.assignee = None
            changes["team"] = team.pk
            done["team"] = team.name
    done["notified"] = recipients.describe()
    run.data = done
    run.save(update_fields=["data"])
    history_add(clock, SlaClockEvent.Kind.ESCALATED, at=now, step=index + 1, **done)
    text = clock_notify.escalation_text(index + 1, done)
    TicketEvent.objects.create(
        ticket=ticket,
        actor_label=_("system"),
        kind=TicketEvent.Kind.CHANGED,
        internal=True,
        body=text,
        data={"sla_clock": clock.pk, "escalation_step": index + 1, **done},
    )
    clock_notify.escalation(ticket, clock, index, recipients, text)
