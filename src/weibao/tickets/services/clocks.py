"""Running service-level clocks (R1.3, R2.1–R2.4): start, stop, pause, recompute, waive.

The rules are written down in docs/subsystems/sla.md, "Running clocks". In short:

- At registration the policy of the governing contract's phase (else the default
  policy) is resolved once and each target becomes a ``SlaClock`` snapshot.
- A clock is *met* by the procedure step that satisfies its metric (``MET_BY_ACTION``,
  ``MET_BY_RECORD``, ``MET_BY_STATUS``); a request closed by archiving meets every
  live clock, one withdrawn, rejected or merged cancels them.
- Clocks pause while the request waits on the client (``PAUSING``) and resume with
  deadlines recomputed from the working time left.
- A level or type change re-reads the snapshot policy's targets for the new level:
  the working time already used is kept, the new target applies to it.
- The scheduler's work (warnings, breaches, escalation steps) is in
  ``services/clock_tick.py``; the explicit acts (re-apply, waive, recompute after a
  calendar edit) in ``services/clock_acts.py``; the deadline arithmetic in
  ``clock_schedule.py``.

Every hook here runs inside the caller's transaction with the request row locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.contracts.models import Contract
from weibao.contracts.selectors import contract_for_deployment_at, contract_policy_at
from weibao.sla.clock import WorkingCalendar
from weibao.sla.models import SlaPolicy
from weibao.sla.selectors import TargetSpec, calendar_compiled, policy_default, policy_targets
from weibao.tickets.clock_schedule import schedule, used_until
from weibao.tickets.models import NO_DEADLINE, SlaBreach, SlaClock, SlaClockEvent, Ticket
from weibao.tickets.workflow import Status

Clock = SlaClock
State = SlaClock.State
LIVE = (State.RUNNING, State.PAUSED)

# States in which the request waits on the client: its clocks pause.
PAUSING = frozenset({Status.PENDING_CLIENT, Status.PLAN_PENDING, Status.LEADER_SIGNOFF})

# Audit actions of ``ticket_save`` (by vendor staff) that meet a metric.
MET_BY_ACTION: dict[str, frozenset[str]] = {
    "response": frozenset(
        {
            "ticket.reply",
            "ticket.claim",
            "ticket.review_handle",
            "ticket.review_plan",
            "ticket.review_no_action",
            "ticket.review_reject",
            "ticket.wait_client",
            "ticket.resolve",
            "ticket.close",
        }
    ),
}
# Audit actions of procedure records (``record_audit``) that meet a metric.
MET_BY_RECORD: dict[str, frozenset[str]] = {
    "response": frozenset({"review.create"}),
    "plan": frozenset({"maintenance_plan.create"}),
}
# Entering these states meets a metric.
MET_BY_STATUS: dict[str, frozenset[Status]] = {
    "restore": frozenset({Status.TESTING, Status.ACCEPTANCE, Status.FEEDBACK}),
    "resolve": frozenset({Status.ACCEPTANCE, Status.FEEDBACK}),
}
# Milestones (emergency plan in place) that meet a metric.
MET_BY_MILESTONE: dict[str, frozenset[str]] = {"restore": frozenset({"emergency_plan"})}


def _label(actor: User | None) -> str:
    if actor is None:
        return _("system")
    return (actor.get_full_name() or actor.get_username())[:150]


def history_add(
    clock: SlaClock, kind: str, *, at: dt.datetime, actor: User | None = None, **data: Any
) -> SlaClockEvent:
    return SlaClockEvent.objects.create(
        clock=clock,
        ticket_id=clock.ticket_id,
        kind=kind,
        at=at,
        due_at=clock.due_at,
        actor_label=_label(actor),
        data=data,
    )


def deadline_refresh(ticket: Ticket) -> bool:
    """Set ``ticket.next_deadline`` to its earliest running deadline; True when it changed."""
    earliest = SlaClock.objects.filter(ticket=ticket, state=State.RUNNING, due_at__isnull=False).aggregate(
        m=Min("due_at")
    )["m"]
    if earliest == ticket.next_deadline:
        return False
    ticket.next_deadline = earliest
    ticket.queue_key = earliest or NO_DEADLINE
    return True


def deadline_store(ticket: Ticket) -> None:
    """Refresh and write the request's next deadline without a version bump (bookkeeping)."""
    if deadline_refresh(ticket):
        Ticket.objects.filter(pk=ticket.pk).update(next_deadline=ticket.next_deadline, queue_key=ticket.queue_key)


# --- policy resolution ------------------------------------------------------------------------


def policy_for(ticket: Ticket, instant: dt.datetime) -> tuple[SlaPolicy | None, Contract | None]:
    """The policy governing ``ticket`` at ``instant``: its contract's phase, else the default."""
    contract = None
    policy = None
    if ticket.deployment_id is not None and ticket.deployment is not None:
        contract = contract_for_deployment_at(ticket.deployment, instant)
        if contract is not None:
            policy = contract_policy_at(contract, instant)
    if policy is None:
        policy = policy_default()
    return policy, contract


def _spec_json(spec: TargetSpec) -> list[dict[str, Any]]:
    return [
        {**asdict(step), "notify_roles": list(step.notify_roles), "notify_user_ids": list(step.notify_user_ids)}
        for step in spec.escalations
    ]


def _snapshot_target(clock: SlaClock, spec: TargetSpec, policy: SlaPolicy, contract_id: int | None) -> None:
    clock.policy_id = policy.pk
    clock.policy_name = policy.name[:100]
    clock.contract_id = contract_id
    clock.calendar_id = spec.calendar_id
    clock.target_seconds = spec.seconds
    clock.warn_percent = spec.warn_percent
    clock.penalty_amount = spec.penalty_amount
    clock.escalations = _spec_json(spec)


def _clock_new(
    ticket: Ticket,
    spec: TargetSpec,
    policy: SlaPolicy,
    contract_id: int | None,
    now: dt.datetime,
    *,
    calendars: dict[int, WorkingCalendar] | None = None,
) -> SlaClock:
    clock = SlaClock(ticket=ticket, metric=spec.metric, level=ticket.level, started_at=now)
    _snapshot_target(clock, spec, policy, contract_id)
    if ticket.state in PAUSING:
        clock.state = State.PAUSED
    else:
        clock.segment_start = now
    calendars = {} if calendars is None else calendars
    if spec.calendar_id not in calendars:
        calendars[spec.calendar_id] = calendar_compiled(calendar_id=spec.calendar_id)
    schedule(clock, calendars[spec.calendar_id], now)
    return clock


def clocks_start(*, ticket: Ticket, actor: User | None) -> list[SlaClock]:
    """Start the clocks of a new request (called by ``ticket_create``) and store its next deadline.

    Queries: the governing contract and its policy (or the default), the targets
    (three), one per calendar, the clocks, their history and the request's deadline.
    """
    now = timezone.now()
    policy, contract = policy_for(ticket, now)
    if policy is None:
        return []
    specs = policy_targets(policy_id=policy.pk, kind=ticket.kind, level=ticket.level)
    if not specs:
        return []
    calendars: dict[int, WorkingCalendar] = {}
    clocks = [
        _clock_new(ticket, spec, policy, contract.pk if contract else None, now, calendars=calendars) for spec in specs
    ]
    SlaClock.objects.bulk_create(clocks)
    SlaClockEvent.objects.bulk_create(
        SlaClockEvent(
            clock=c,
            ticket=ticket,
            kind=SlaClockEvent.Kind.PAUSED if c.state == State.PAUSED else SlaClockEvent.Kind.STARTED,
            at=now,
            due_at=c.due_at,
            actor_label=_label(actor),
            data={"policy": policy.name, "target_seconds": c.target_seconds},
        )
        for c in clocks
    )
    dues = [c.due_at for c in clocks if c.state == State.RUNNING and c.due_at is not None]
    if dues:
        ticket.next_deadline = min(dues)
        ticket.queue_key = ticket.next_deadline
        Ticket.objects.filter(pk=ticket.pk).update(next_deadline=ticket.next_deadline, queue_key=ticket.queue_key)
    return clocks


# --- hooks from the request's writes ----------------------------------------------------------


def live_clocks(ticket: Ticket) -> list[SlaClock]:
    return list(SlaClock.objects.filter(ticket=ticket, state__in=LIVE).order_by("id"))


def _save(clock: SlaClock) -> None:
    clock.version += 1
    clock.save()


def clock_stop(clock: SlaClock, state: str, now: dt.datetime, actor: User | None, **data: Any) -> None:
    calendar = calendar_compiled(calendar_id=clock.calendar_id)
    clock.used_seconds = used_until(clock, calendar, now)
    clock.state = state
    clock.stopped_at = now
    clock.segment_start = None
    clock.warn_at = None
    clock.next_check_at = None
    if clock.breached_at is None and state != State.MET:
        clock.due_at = None
    _save(clock)
    if state == State.MET and clock.breached_at is not None and clock.due_at is not None:
        late = max(0, int((now - clock.due_at).total_seconds()))
        clock_breach_late(clock, late)
    kind = {
        State.MET: SlaClockEvent.Kind.MET,
        State.WAIVED: SlaClockEvent.Kind.WAIVED,
        State.CANCELLED: SlaClockEvent.Kind.CANCELLED,
    }[State(state)]
    history_add(clock, kind, at=now, actor=actor, used_seconds=clock.used_seconds, **data)


def clock_breach_late(clock: SlaClock, late: int) -> None:
    SlaBreach.objects.filter(clock=clock).update(late_seconds=late)


def _pause(clock: SlaClock, now: dt.datetime, actor: User | None) -> None:
    calendar = calendar_compiled(calendar_id=clock.calendar_id)
    clock.used_seconds = used_until(clock, calendar, now)
    clock.state = State.PAUSED
    clock.segment_start = None
    schedule(clock, calendar, now)
    _save(clock)
    history_add(clock, SlaClockEvent.Kind.PAUSED, at=now, actor=actor, used_seconds=clock.used_seconds)


def clock_resume(clock: SlaClock, now: dt.datetime, actor: User | None) -> None:
    calendar = calendar_compiled(calendar_id=clock.calendar_id)
    clock.state = State.RUNNING
    clock.segment_start = now
    schedule(clock, calendar, now)
    _save(clock)
    history_add(clock, SlaClockEvent.Kind.RESUMED, at=now, actor=actor, used_seconds=clock.used_seconds)


def _met_metrics(action: str, before_status: str, status: str, staff: bool) -> set[str]:
    metrics = {m for m, actions in MET_BY_ACTION.items() if staff and action in actions}
    if status != before_status:
        metrics |= {m for m, states in MET_BY_STATUS.items() if status in states}
    return metrics


def clocks_follow(
    *, ticket: Ticket, actor: User | None, action: str, before: dict[str, Any], fields: list[str] | None
) -> list[str] | None:
    """Keep the clocks in step with a change ``ticket_save`` is about to write.

    Meets metrics, pauses/resumes on the client-waiting states, closes clocks with the
    request, recomputes on a level or type change. Returns ``fields`` with
    ``next_deadline`` added when it changed. No query when nothing relevant changed.
    """
    status = ticket.status
    before_status = str(before.get("status", status))
    retarget = before.get("level", ticket.level) != ticket.level or before.get("kind", ticket.kind) != ticket.kind
    staff = actor is not None and not actor.is_client_side
    met = _met_metrics(action, before_status, status, staff)
    if status == before_status and not retarget and not (met and ticket.next_deadline is not None):
        return fields
    now = timezone.now()
    clocks = live_clocks(ticket)
    if not clocks:
        return fields
    closed = status in {s.value for s in (Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED)}
    for clock in clocks:
        if clock.metric in met or (closed and status == Status.ARCHIVED):
            clock_stop(clock, State.MET, now, actor, by=action)
        elif closed:
            clock_stop(clock, State.CANCELLED, now, actor, by=action)
    clocks = [c for c in clocks if c.is_live]
    if retarget and clocks:
        clocks_retarget(ticket, clocks, actor=actor, now=now, reason="level")
        clocks = live_clocks(ticket)
    waiting = Status(status) in PAUSING
    for clock in clocks:
        if waiting and clock.state == State.RUNNING:
            _pause(clock, now, actor)
        elif not waiting and clock.state == State.PAUSED:
            clock_resume(clock, now, actor)
    if deadline_refresh(ticket) and fields is not None:
        return [*fields, "next_deadline"]
    return fields


def clocks_on_record(*, ticket: Ticket, actor: User | None, action: str, record: Any) -> None:
    """A procedure record was written: meet the metrics it satisfies (plan, response, arrival, restore)."""
    metrics = {m for m, actions in MET_BY_RECORD.items() if action in actions}
    if action == "work_log.create" and getattr(record, "mode", "") == "onsite":
        metrics.add("arrival")
    if action == "milestone.create":
        metrics |= {m for m, steps in MET_BY_MILESTONE.items() if getattr(record, "step", "") in steps}
    if not metrics:
        return
    now = timezone.now()
    stopped = False
    for clock in SlaClock.objects.filter(ticket=ticket, state__in=LIVE, metric__in=metrics):
        clock_stop(clock, State.MET, now, actor, by=action)
        stopped = True
    if stopped:
        deadline_store(ticket)


def clocks_retarget(
    ticket: Ticket,
    clocks: Sequence[SlaClock],
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str,
    policy: SlaPolicy | None = None,
    contract_id: int | None = None,
    add_missing: bool = False,
) -> None:
    """Give live clocks the targets of ``policy`` (default: their snapshot's) for the request's level and type.

    Used working time is kept; a metric without a target any more is cancelled; a
    breached clock keeps the deadline it missed.
    """
    if policy is None:
        policy_id = next((c.policy_id for c in clocks if c.policy_id), None)
        policy = SlaPolicy.objects.filter(pk=policy_id).first() if policy_id else None
        contract_id = next((c.contract_id for c in clocks if c.contract_id), None)
    if policy is None:
        return
    specs = {s.metric: s for s in policy_targets(policy_id=policy.pk, kind=ticket.kind, level=ticket.level)}
    for clock in clocks:
        spec = specs.pop(clock.metric, None)
        if spec is None:
            clock_stop(clock, State.CANCELLED, now, actor, by=reason)
            continue
        if clock.breached_at is not None:
            _snapshot_target(clock, spec, policy, contract_id)
            clock.level = ticket.level
            _save(clock)
            continue
        calendar_old = calendar_compiled(calendar_id=clock.calendar_id)
        clock.used_seconds = used_until(clock, calendar_old, now)
        if clock.state == State.RUNNING:
            clock.segment_start = now
        _snapshot_target(clock, spec, policy, contract_id)
        clock.level = ticket.level
        schedule(clock, calendar_compiled(calendar_id=clock.calendar_id), now)
        _save(clock)
        history_add(
            clock, SlaClockEvent.Kind.RECOMPUTED, at=now, actor=actor, reason=reason, target_seconds=spec.seconds
        )
    if add_missing:
        existing = set(SlaClock.objects.filter(ticket=ticket).values_list("metric", flat=True))
        for spec in specs.values():
            if spec.metric in existing:
                continue
            clock = _clock_new(ticket, spec, policy, contract_id, now)
            clock.save()
            history_add(clock, SlaClockEvent.Kind.STARTED, at=now, actor=actor, policy=policy.name, reason=reason)
