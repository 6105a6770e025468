"""The maintenance procedure's steps (R1.4–R1.8), each with the record it produces.

Each step locks the request (``ticket_lock``, with an optional ``expected_version``),
checks that the procedure allows it now, writes its record with one public timeline
entry and one audit row, then moves the request through ``ticket_transition``, which
writes the step's single ``status`` timeline entry and its ``ticket.<action>`` audit row.

The review and the plan's confirmation live in :mod:`~weibao.tickets.services.review`;
the records kept while the work is done in :mod:`~weibao.tickets.services.task_orders`,
:mod:`~weibao.tickets.services.work` (remote consents, work logs, milestones) and
:mod:`~weibao.tickets.services.data_changes`. All are re-exported here, so that the
whole procedure is importable from one module.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.announcements.services import announcement_draft_for_request
from weibao.core.sanitize import text_to_html
from weibao.tickets.models import SignOff, Survey, Ticket, TicketEvent
from weibao.tickets.services._common import ticket_lock, timeline_add
from weibao.tickets.services._procedure import raise_if, signature_clean, signoff_build, signoff_save, step_check
from weibao.tickets.services.data_changes import data_change_record
from weibao.tickets.services.quality import MAX_COMMENT, survey_submit
from weibao.tickets.services.review import plan_respond, review_record
from weibao.tickets.services.task_orders import task_order_complete, task_order_create
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.services.work import milestone_record, remote_consent_record, remote_consent_revoke, work_log_add
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

    On a pass, the system announcement (系统公告) R1.5 asks for is drafted for the
    request's client (staff may widen the audience to every client running the product,
    edit and publish it), and a public ``announcement`` timeline entry links it
    (``data={"announcement": <id>}``).
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
        announcement = announcement_draft_for_request(
            actor=actor,
            request_id=ticket.pk,
            title=_("Optimization completed: %(title)s") % {"title": ticket.title},
            body=text_to_html(
                _("The optimization “%(title)s” (%(number)s) has been implemented and tested.")
                % {"title": ticket.title, "number": ticket.number}
            ),
            clients=[ticket.client],
        )
        timeline_add(
            ticket=ticket,
            actor=actor,
            kind=TicketEvent.Kind.ANNOUNCEMENT,
            body=_("An announcement of the optimization “%(title)s” was drafted.") % {"title": ticket.title},
            data={"announcement": announcement.pk},
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
