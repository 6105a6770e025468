"""The maintenance procedure's steps (R1.4–R1.8), each with the record it produces.

Each step locks the request (``ticket_lock``, with an optional ``expected_version``),
checks that the procedure allows it now, writes its record with one public timeline
entry and one audit row, then moves the request through ``ticket_transition``, which
writes the step's single ``status`` timeline entry and its ``ticket.<action>`` audit row.

The records kept while the work is done (task orders, remote consents, work logs,
data changes, milestones) are written by :mod:`weibao.tickets.services.work` and
re-exported here, so that the whole procedure is importable from one module.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.tickets import workflow
from weibao.tickets.models import MaintenancePlan, Review, SignOff, Survey, Ticket, TicketEvent
from weibao.tickets.procedure_selectors import ChargingTerms, charging_terms
from weibao.tickets.services._common import (
    TransitionRefusedError,
    record_audit,
    snapshot,
    ticket_lock,
    ticket_save,
    timeline_add,
)
from weibao.tickets.services._procedure import (
    clean_record,
    raise_if,
    record_changed,
    record_event,
    record_snapshot,
    signature_clean,
    signoff_build,
    signoff_save,
    step_check,
)
from weibao.tickets.services.quality import MAX_COMMENT, survey_submit
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.services.work import (
    data_change_record,
    milestone_record,
    remote_consent_record,
    remote_consent_revoke,
    task_order_complete,
    task_order_create,
    work_log_add,
)
from weibao.tickets.workflow import Action, Kind

__all__ = [
    "acceptance_sign",
    "data_change_record",
    "feedback_give",
    "leader_signoff",
    "milestone_record",
    "plan_respond",
    "remote_consent_record",
    "remote_consent_revoke",
    "review_record",
    "signature_clean",
    "task_order_complete",
    "task_order_create",
    "test_record",
    "ticket_archive",
    "ticket_resolve",
    "work_log_add",
]

DECISION_ACTIONS = {
    Review.Decision.HANDLE: Action.REVIEW_HANDLE,
    Review.Decision.PLAN: Action.REVIEW_PLAN,
    Review.Decision.NO_ACTION: Action.REVIEW_NO_ACTION,
    Review.Decision.REJECT: Action.REVIEW_REJECT,
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
        if choice == Review.Decision.NO_ACTION:
            errors["opinion"] = [_("Write the receipt for the client: why no maintenance is needed.")]
        elif choice == Review.Decision.REJECT:
            errors["opinion"] = [_("Write the reason for rejecting; the proposer will see it.")]
        else:
            errors["opinion"] = [_("Write the review opinion.")]
    if ticket.kind == Kind.OPTIMIZATION:
        errors.update(_optimization_errors(choice, reasonable, feasible))
    terms = charging_terms(ticket)
    new_plan = None
    if choice == Review.Decision.PLAN:
        new_plan = _plan_build(ticket=ticket, actor=actor, plan=plan or {}, terms=terms, errors=errors)
    elif plan:
        errors["plan"] = [_("Only a review that needs a maintenance plan carries a plan.")]
    review = Review(
        ticket=ticket, decision=choice, opinion=opinion, reasonable=reasonable, feasible=feasible, reviewer=actor
    )
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


@transaction.atomic
def leader_signoff(
    *,
    actor: User,
    ticket_id: int,
    approve: bool,
    opinion: str,
    signer_name: str,
    signature: str = "",
    expected_version: int | None = None,
) -> SignOff:
    """The client leader signs an optimization or data-maintenance request (R1.5, R1.6) or declines it.

    Only a client leader of the request's client (TransitionRefusedError for anyone
    else or for a request not awaiting the leader). Declining needs ``opinion``
    (ValidationError ``opinion``). Side effects: SignOff(form=leader) with its
    ``signed`` entry and audit row; the status step (→ review, or → rejected).
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    action = Action.LEADER_APPROVE if approve else Action.LEADER_DECLINE
    step_check(ticket=ticket, actor=actor, action=action)
    opinion = (opinion or "").strip()
    errors: dict[str, list[str]] = {}
    if not approve and not opinion:
        errors["opinion"] = [_("Say why you decline the request.")]
    signoff = signoff_build(
        ticket=ticket,
        actor=actor,
        form=SignOff.Form.LEADER,
        signer_name=signer_name,
        signature=signature,
        approved=approve,
        opinion=opinion,
        errors=errors,
    )
    raise_if(errors)
    signoff_save(signoff=signoff, actor=actor)
    ticket_transition(actor=actor, ticket_id=ticket.pk, action=action, reason="" if approve else opinion)
    return signoff


@transaction.atomic
def ticket_resolve(*, actor: User, ticket_id: int, resolution: str, expected_version: int | None = None) -> Ticket:
    """The work is done: record the resolution and ask the client for acceptance.

    An optimization goes to testing first (R1.5). Vendor workers only; raises
    TransitionRefusedError unless in progress, ValidationError ``resolution`` when empty.
    Side effects: Ticket.resolution, the status step (its entry carries the resolution).
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    step_check(ticket=ticket, actor=actor, action=Action.RESOLVE)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Describe what was done to resolve the request.")]})
    ticket.resolution = resolution
    ticket.save(update_fields=["resolution", "updated_at"])
    return ticket_transition(actor=actor, ticket_id=ticket.pk, action=Action.RESOLVE, reason=resolution)


@transaction.atomic
def test_record(
    *,
    actor: User,
    ticket_id: int,
    passed: bool,
    notes: str,
    expected_version: int | None = None,  # noqa: PT028 - a service named after its step, not a test
) -> Ticket:
    """Record the tests of an implemented optimization (R1.5): passed → acceptance, failed → back to work.

    On a pass, a public ``announcement`` timeline entry with
    ``data={"announcement": "pending"}`` stands for the system announcement (系统公告)
    that R1.5 requires; the notifications service publishes it and fills the entry in.
    Vendor workers only; raises TransitionRefusedError unless testing,
    ValidationError ``notes`` when a failure is not described.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    action = Action.TEST_PASS if passed else Action.TEST_FAIL
    step_check(ticket=ticket, actor=actor, action=action)
    notes = (notes or "").strip()
    if not passed and not notes:
        raise ValidationError({"notes": [_("Describe what failed in the tests.")]})
    ticket = ticket_transition(actor=actor, ticket_id=ticket.pk, action=action, reason=notes)
    if passed and ticket.kind == Kind.OPTIMIZATION:
        timeline_add(
            ticket=ticket,
            actor=actor,
            kind=TicketEvent.Kind.ANNOUNCEMENT,
            body=_("The optimization “%(title)s” will be announced to all users.") % {"title": ticket.title},
            data={"announcement": "pending"},
        )
    return ticket


@transaction.atomic
def acceptance_sign(
    *,
    actor: User,
    ticket_id: int,
    accepted: bool,
    opinion: str,
    signer_name: str,
    signature: str = "",
    expected_version: int | None = None,
) -> SignOff:
    """The client signs the acceptance form (维护验收表, R1.4 step 4): accepted → feedback, rejected → reopened.

    Client users and leaders only (TransitionRefusedError for vendor staff or a
    request not awaiting acceptance). Rejecting needs ``opinion`` as the reason
    (ValidationError ``opinion``). Side effects: SignOff(form=acceptance,
    approved=accepted) with its ``signed`` entry and audit row; the status step
    (a rejection counts in ``reopen_count``).
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    action = Action.ACCEPT if accepted else Action.REJECT_FIX
    step_check(ticket=ticket, actor=actor, action=action)
    opinion = (opinion or "").strip()
    errors: dict[str, list[str]] = {}
    if not accepted and not opinion:
        errors["opinion"] = [_("Say what is still wrong, so that the engineers can fix it.")]
    signoff = signoff_build(
        ticket=ticket,
        actor=actor,
        form=SignOff.Form.ACCEPTANCE,
        signer_name=signer_name,
        signature=signature,
        approved=accepted,
        opinion=opinion,
        errors=errors,
    )
    raise_if(errors)
    signoff_save(signoff=signoff, actor=actor)
    ticket_transition(actor=actor, ticket_id=ticket.pk, action=action, reason="" if accepted else opinion)
    return signoff


def _rating_errors(rating: object) -> dict[str, list[str]]:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        return {"rating": [_("Give a rating from 1 (very dissatisfied) to 5 (very satisfied).")]}
    return {}


@transaction.atomic
def feedback_give(
    *,
    actor: User,
    ticket_id: int,
    opinion: str,
    signer_name: str,
    signature: str = "",
    rating: int | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> SignOff:
    """The client gives its opinion on the service (用户意见反馈表) and the request is archived.

    With ``rating`` (1–5) the satisfaction survey is answered at the same time
    (R7, via the portal). Client users and leaders only; raises
    TransitionRefusedError unless the request awaits feedback, ValidationError
    ``opinion``, ``rating``, ``comment``, ``signer_name``, ``signature``. Side effects:
    SignOff(form=feedback) with its ``signed`` entry and audit row; the status step
    (→ archived); then the survey through ``quality.survey_submit`` (its ``rated``
    entry, ``survey.submit`` audit row, and a follow-up request for a low rating).
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    step_check(ticket=ticket, actor=actor, action=Action.FEEDBACK)
    opinion = (opinion or "").strip()
    errors: dict[str, list[str]] = {}
    if not opinion:
        errors["opinion"] = [_("Write your opinion of the service.")]
    if rating is not None:
        # Checked here too, so that a bad rating refuses the whole step with the other fields.
        errors.update(_rating_errors(rating))
        if len((comment or "").strip()) > MAX_COMMENT:
            errors["comment"] = [_("At most %(n)s characters.") % {"n": MAX_COMMENT}]
    signoff = signoff_build(
        ticket=ticket,
        actor=actor,
        form=SignOff.Form.FEEDBACK,
        signer_name=signer_name,
        signature=signature,
        opinion=opinion,
        errors=errors,
    )
    raise_if(errors)
    signoff_save(signoff=signoff, actor=actor)
    ticket_transition(actor=actor, ticket_id=ticket.pk, action=Action.FEEDBACK)
    if rating is not None:
        # Surveys rate archived requests, so the rating follows the step to the archive.
        survey_submit(actor=actor, ticket_id=ticket.pk, rating=rating, comment=comment, via=Survey.Via.PORTAL)
    return signoff


@transaction.atomic
def ticket_archive(*, actor: User, ticket_id: int, note: str = "", expected_version: int | None = None) -> Ticket:
    """Archive a request whose client gave no feedback (R1.4 step 5).

    Vendor workers only; raises TransitionRefusedError unless the request awaits
    feedback. Side effects: the status step (→ archived; its entry carries ``note``).
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    step_check(ticket=ticket, actor=actor, action=Action.ARCHIVE)
    return ticket_transition(actor=actor, ticket_id=ticket.pk, action=Action.ARCHIVE, reason=(note or "").strip())
