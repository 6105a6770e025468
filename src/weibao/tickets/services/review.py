"""The technical review (R1.4 step 2, R1.5), its maintenance plan (paid or free, R1.8), the client's answer.

Both steps move the request through ``ticket_transition`` after writing their records;
see :mod:`weibao.tickets.services.procedure` for the procedure as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.accounts.models import User
from weibao.tickets import workflow
from weibao.tickets.models import MaintenancePlan, Review, SignOff, Ticket
from weibao.tickets.procedure_selectors import ChargingTerms, charging_terms
from weibao.tickets.services._common import TransitionRefusedError, record_audit, snapshot, ticket_lock, ticket_save
from weibao.tickets.services._procedure import (
    clean_record,
    raise_if,
    record_changed,
    record_event,
    record_snapshot,
    signoff_build,
    signoff_save,
    step_check,
)
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.workflow import Action, Kind

DECISION_ACTIONS = {
    Review.Decision.HANDLE: Action.REVIEW_HANDLE,
    Review.Decision.PLAN: Action.REVIEW_PLAN,
    Review.Decision.NO_ACTION: Action.REVIEW_NO_ACTION,
    Review.Decision.REJECT: Action.REVIEW_REJECT,
}
# What to ask for when the opinion is missing: for "no action" it is the client's receipt.
OPINION_MISSING = {
    Review.Decision.HANDLE: gettext_lazy("Write the review opinion."),
    Review.Decision.NO_ACTION: gettext_lazy("Write the receipt for the client: why no maintenance is needed."),
    Review.Decision.REJECT: gettext_lazy("Write the reason for rejecting; the proposer will see it."),
}
PLAN_FIELDS = frozenset({"mode", "details", "charging", "charging_basis", "amount", "planned_start", "planned_end"})


def _plan_build(
    *, ticket: Ticket, actor: User, plan: Mapping[str, Any], terms: ChargingTerms, errors: dict[str, list[str]]
) -> MaintenancePlan:
    """An unsaved, checked maintenance plan; problems are added to ``errors`` under the plan's field names."""
    unknown = sorted(str(key) for key in plan if key not in PLAN_FIELDS)
    if unknown:
        errors.setdefault("plan", []).append(_("Unknown plan fields: %(names)s.") % {"names": ", ".join(unknown)})

    def text(name: str) -> Any:
        value = plan.get(name)
        return value.strip() if isinstance(value, str) else value

    record = MaintenancePlan(
        ticket=ticket,
        author=actor,
        mode=text("mode") or "",
        details=text("details") or "",
        charging=text("charging") or terms.default,
        charging_basis=text("charging_basis") or terms.basis[:200],
        amount=Decimal("0") if plan.get("amount") is None or plan.get("amount") == "" else text("amount"),
        planned_start=text("planned_start") or None,
        planned_end=text("planned_end") or None,
    )
    clean_record(record, errors, exclude=["ticket", "author", "confirmed_by"])
    if "planned_start" not in errors and record.planned_start is None:
        errors["planned_start"] = [_("Give the planned start date.")]
    if "planned_end" not in errors and record.planned_end is None:
        errors["planned_end"] = [_("Give the planned end date.")]
    if (
        record.planned_start is not None
        and record.planned_end is not None
        and not {"planned_start", "planned_end"} & errors.keys()
        and record.planned_end < record.planned_start
    ):
        errors["planned_end"] = [_("The plan cannot end before it starts.")]
    if not record.charging:
        errors["charging"] = [_("Choose whether the work is paid or free. %(basis)s") % {"basis": terms.basis}]
    elif "charging" not in errors:
        if terms.free_only and record.charging == MaintenancePlan.Charging.PAID:
            errors["charging"] = [terms.basis]
        elif "amount" not in errors:
            if record.charging == MaintenancePlan.Charging.FREE and record.amount:
                errors["amount"] = [_("Free work has no amount.")]
            elif record.charging == MaintenancePlan.Charging.PAID and not record.amount:
                errors["amount"] = [_("Give the amount the client is asked to pay.")]
    return record


def _optimization_errors(
    decision: Review.Decision, reasonable: bool | None, feasible: bool | None
) -> dict[str, list[str]]:
    """R1.5: the vendor reviews an optimization for reasonableness and feasibility, and says so."""
    errors: dict[str, list[str]] = {}
    if reasonable is None:
        errors["reasonable"] = [_("State whether the optimization request is reasonable.")]
    if feasible is None:
        errors["feasible"] = [_("State whether the optimization request is feasible.")]
    if errors:
        return errors
    if decision in {Review.Decision.HANDLE, Review.Decision.PLAN} and not (reasonable and feasible):
        errors["decision"] = [_("An optimization request that is not reasonable or not feasible must be rejected.")]
    if decision == Review.Decision.REJECT and reasonable and feasible:
        errors["decision"] = [_("A reasonable and feasible optimization request cannot be rejected.")]
    return errors


@transaction.atomic
def review_record(
    *,
    actor: User,
    ticket_id: int,
    decision: str,
    opinion: str,
    reasonable: bool | None = None,
    feasible: bool | None = None,
    plan: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Review:
    """Record the technical review (R1.4 step 2) and move the request on.

    ``decision``: ``handle`` (→ in progress), ``plan`` (with ``plan``: mode, details,
    planned_start, planned_end, and optionally charging, charging_basis, amount →
    awaiting the client's confirmation), ``no_action`` (the opinion is the receipt
    (客户回执) to the client; the request is archived), ``reject`` (optimization and
    data requests only, R1.5; the opinion is the reason shown to the proposer).
    An optimization's review states ``reasonable`` and ``feasible``; it is accepted
    only when both hold and rejected otherwise. Paid or free (R1.8) defaults from the
    contract governing the deployment (see ``charging_terms``); within warranty only
    free is allowed, except for requirement changes.
    Vendor workers only. Raises TransitionRefusedError when the request is not
    awaiting review, ValidationError per field (the plan's fields by their own names).
    Side effects: the Review (and MaintenancePlan) with their ``record`` timeline
    entries and audit rows; Ticket.charging (``ticket.charging`` audit row) for
    ``handle``/``plan``; Ticket.resolution = the receipt for ``no_action``; the status step.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    try:
        choice = Review.Decision(decision)
    except ValueError:
        raise ValidationError({"decision": [_("Unknown review decision “%(value)s”.") % {"value": decision}]}) from None
    action = DECISION_ACTIONS[choice]
    step_check(ticket=ticket, actor=actor, action=action)
    opinion = (opinion or "").strip()
    errors: dict[str, list[str]] = {}
    if not opinion:
        errors["opinion"] = [str(OPINION_MISSING.get(choice, OPINION_MISSING[Review.Decision.HANDLE]))]
    if ticket.kind == Kind.OPTIMIZATION:
        errors.update(_optimization_errors(choice, reasonable, feasible))
    terms = charging_terms(ticket)
    new_plan = None
    if plan is not None and not isinstance(plan, Mapping):
        raise ValidationError({"plan": [_("The plan must be a set of named fields.")]})
    if choice == Review.Decision.PLAN:
        new_plan = _plan_build(ticket=ticket, actor=actor, plan=plan or {}, terms=terms, errors=errors)
    elif plan:
        errors["plan"] = [_("Only a review that needs a maintenance plan carries a plan.")]
    review = Review(
        ticket=ticket, decision=choice, opinion=opinion, reasonable=reasonable, feasible=feasible, reviewer=actor
    )
    clean_record(review, errors, exclude=["ticket", "reviewer", *errors.keys()])
    raise_if(errors)
    review.save()
    carries_reason = action in workflow.REASON_REQUIRED
    # A rejection or receipt is the status entry's text; do not show it twice.
    record_event(
        ticket=ticket,
        actor=actor,
        record=review,
        name="review",
        body="" if carries_reason else opinion,
        extra={"decision": choice.value},
    )
    record_audit(actor=actor, action="review.create", record=review, ticket=ticket)
    charging = ""
    if new_plan is not None:
        new_plan.save()
        record_event(
            ticket=ticket,
            actor=actor,
            record=new_plan,
            name="plan",
            body=new_plan.details,
            extra={"mode": new_plan.mode, "charging": new_plan.charging, "amount": str(new_plan.amount)},
        )
        record_audit(actor=actor, action="maintenance_plan.create", record=new_plan, ticket=ticket)
        charging = new_plan.charging
    elif choice == Review.Decision.HANDLE:
        # Keep a charging already decided on the request, unless the contract allows only free work.
        charging = terms.default if terms.free_only or not ticket.charging else ""
    if charging and charging != ticket.charging:
        before = snapshot(ticket)
        ticket.charging = charging
        ticket_save(ticket=ticket, actor=actor, action="ticket.charging", before=before, fields=["charging"])
    if choice == Review.Decision.NO_ACTION:
        ticket.resolution = opinion
        ticket.save(update_fields=["resolution", "updated_at"])
    ticket_transition(actor=actor, ticket_id=ticket.pk, action=action, reason=opinion if carries_reason else "")
    return review


@transaction.atomic
def plan_respond(
    *,
    actor: User,
    ticket_id: int,
    confirm: bool,
    reason: str = "",
    signer_name: str,
    signature: str = "",
    expected_version: int | None = None,
) -> MaintenancePlan:
    """The client confirms the maintenance plan (→ in progress) or declines it with a reason (→ review again).

    Client users and leaders of the request's client only. Both answers are signed
    (name, optionally a drawn signature). Raises TransitionRefusedError when no plan
    awaits confirmation or the actor is vendor staff; ValidationError ``reason``,
    ``signer_name``, ``signature``. Side effects: the plan's confirmation or
    ``declined_reason`` (``maintenance_plan.confirm``/``.decline`` audit row), a
    SignOff(form=plan) with its ``signed`` entry, the status step.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    action = Action.PLAN_CONFIRM if confirm else Action.PLAN_DECLINE
    step_check(ticket=ticket, actor=actor, action=action)
    plan = ticket.plans.select_for_update().order_by("-id").first()
    if plan is None:
        raise TransitionRefusedError(_("There is no maintenance plan to answer."))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not confirm and not reason:
        errors["reason"] = [_("Say why you decline the plan.")]
    signoff = signoff_build(
        ticket=ticket,
        actor=actor,
        form=SignOff.Form.PLAN,
        signer_name=signer_name,
        signature=signature,
        approved=confirm,
        opinion=reason,
        errors=errors,
    )
    raise_if(errors)
    before = record_snapshot(plan)
    if confirm:
        plan.confirmed_by = actor
        plan.confirmed_at = timezone.now()
        plan.declined_reason = ""
    else:
        plan.declined_reason = reason
    plan.save()
    record_changed(
        actor=actor,
        action="maintenance_plan.confirm" if confirm else "maintenance_plan.decline",
        record=plan,
        ticket=ticket,
        before=before,
    )
    signoff_save(signoff=signoff, actor=actor)
    ticket_transition(actor=actor, ticket_id=ticket.pk, action=action, reason=reason)
    return plan
