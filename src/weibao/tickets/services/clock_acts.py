"""Explicit acts on a request's clocks: re-apply the policy, waive a target, recompute after a calendar edit.

The rules are in docs/subsystems/sla.md, "Running clocks" (Re-apply, Waiver, Calendar
edits); the hooks these build on are in ``services/clocks.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.snapshot import model_snapshot
from weibao.sla.selectors import calendar_compiled
from weibao.tickets.clock_bulk import bulk_reschedule
from weibao.tickets.models import SlaClock, TicketEvent
from weibao.tickets.services.clocks import (
    PAUSING,
    State,
    clock_resume,
    clock_stop,
    clocks_retarget,
    deadline_refresh,
    deadline_store,
    live_clocks,
    policy_for,
)


@transaction.atomic
def clocks_reapply(*, actor: User, ticket_id: int, expected_version: int | None = None) -> list[SlaClock]:
    """Re-snapshot the governing policy onto a request's clocks (an explicit act, with an event).

    Live clocks take the policy's current targets for the request's type and level,
    keeping the working time used; metrics the request had no clock for start now;
    stopped clocks stay as they are. Staff workers only.
    Side effects: clock rows and history, a ``changed`` timeline entry, audit ``ticket.sla_reapply``.
    """
    from weibao.tickets.services._common import (
        require_worker,
        snapshot,
        ticket_lock,
        ticket_save,
        timeline_add,
    )

    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    if ticket.is_closed:
        raise ValidationError({"ticket": [_("The request is closed; its clocks can no longer change.")]})
    now = timezone.now()
    policy, contract = policy_for(ticket, now)
    if policy is None:
        raise ValidationError({"policy": [_("No service-level policy applies to this request.")]})
    before = snapshot(ticket)
    clocks_retarget(
        ticket,
        live_clocks(ticket),
        actor=actor,
        now=now,
        reason="reapply",
        policy=policy,
        contract_id=contract.pk if contract else None,
        add_missing=True,
    )
    waiting = ticket.state in PAUSING
    for clock in live_clocks(ticket):
        if not waiting and clock.state == State.PAUSED:
            clock_resume(clock, now, actor)
    deadline_refresh(ticket)
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.CHANGED,
        internal=True,
        body=_("Service-level policy “%(policy)s” re-applied.") % {"policy": policy.name},
        data={"sla_policy": policy.pk},
    )
    ticket_save(ticket=ticket, actor=actor, action="ticket.sla_reapply", before=before)
    return list(SlaClock.objects.filter(ticket=ticket).order_by("id"))


@transaction.atomic
def clock_waive(*, actor: User, clock_id: int, reason: str, agreed_by: str) -> SlaClock:
    """End a clock as waived (R1.3): both sides agree, the reason and the client's consenting person are kept.

    Staff dispatchers only. Raises ValidationError (``reason``, ``agreed_by`` missing;
    a clock already stopped), ObjectNotFoundError for a clock the actor cannot see.
    Side effects: the clock, its history, a timeline entry, audit ``sla_clock.waive``.
    """
    from weibao.tickets.services._common import (
        require_dispatcher,
        ticket_lock,
        timeline_add,
    )

    ticket_id = SlaClock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        raise ObjectNotFoundError(_("Not found."))
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    require_dispatcher(actor)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    agreed_by = (agreed_by or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the target is waived.")]
    if not agreed_by:
        errors["agreed_by"] = [_("Name the client's person who agreed to the waiver.")]
    elif len(agreed_by) > 150:
        errors["agreed_by"] = [_("At most 150 characters.")]
    clock = SlaClock.objects.select_for_update().get(pk=clock_id)
    if not clock.is_live and not errors:
        errors["clock"] = [_("This clock has already stopped.")]
    if errors:
        raise ValidationError(errors)
    before = model_snapshot(clock, ["state", "due_at"])
    clock.waiver_reason = reason
    clock.waiver_agreed_by = agreed_by
    clock.waived_by = actor
    clock_stop(clock, State.WAIVED, timezone.now(), actor, reason=reason, agreed_by=agreed_by)
    deadline_store(ticket)
    timeline_add(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.CHANGED,
        internal=True,
        body=_("Service-level target “%(metric)s” waived, agreed by %(who)s: %(reason)s")
        % {"metric": clock.metric, "who": agreed_by, "reason": reason},
        data={"sla_clock": clock.pk, "waived": True},
    )
    event_record(
        actor=actor,
        action="sla_clock.waive",
        obj=clock,
        client_id=ticket.client_id,
        before=before,
        after={"state": clock.state, "reason": reason, "agreed_by": agreed_by},
    )
    return clock


def clocks_recompute_calendar(*, calendar_id: int, batch: int = 5000) -> int:
    """Recompute every running, unbreached clock on ``calendar_id`` after the calendar changed.

    Bulk: reads the counters and stored instants in batches, computes deadlines in
    memory and writes back only the clocks whose instants moved, then refreshes the
    next deadline of only the requests whose earliest deadline moved. Clock history is
    not written per clock (an edit of a calendar is one audited event in the sla app).
    Returns the number of clocks whose deadline, warning or next check moved.
    """
    calendar = calendar_compiled(calendar_id=calendar_id)
    return bulk_reschedule(calendar_id=calendar_id, calendar=calendar, batch=batch, now=timezone.now())
