"""REST API of the maintenance procedure's steps and their records (R1.4–R1.12).

Each step answers with the record it wrote (201), or with the request when the step
only moves it (200). A step the procedure does not allow now is a 409 saying why;
``version`` (from the caller's last read of the request) refuses a stale step with 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, UploadedFile
from ninja.responses import Status

from weibao.accounts.api_auth import acting_user
from weibao.accounts.models import User
from weibao.core.api_errors import READ_ERRORS, WRITE_ERRORS
from weibao.tickets import procedure_selectors, selectors
from weibao.tickets.api_common import named_as_in_the_request, objects_by_id, ticket_out
from weibao.tickets.models import (
    DataChange,
    MaintenancePlan,
    Milestone,
    RemoteConsent,
    Review,
    SignOff,
    TaskOrder,
    Ticket,
    WorkLog,
)
from weibao.tickets.schemas import TicketOut
from weibao.tickets.schemas_procedure import (
    AcceptanceIn,
    ArchiveIn,
    DataChangeIn,
    DataChangeOut,
    FeedbackIn,
    LeaderSignoffIn,
    MilestoneIn,
    MilestoneOut,
    PlanOut,
    PlanResponseIn,
    RecordsOut,
    RemoteConsentIn,
    RemoteConsentOut,
    ResolveIn,
    ReviewIn,
    ReviewOut,
    SignOffOut,
    TaskOrderCompleteIn,
    TaskOrderIn,
    TaskOrderOut,
    TestResultIn,
    WorkLogIn,
    WorkLogOut,
)
from weibao.tickets.services import procedure
from weibao.tickets.services._common import require_worker
from weibao.tickets.services.review import PLAN_FIELDS

router = Router()
# The review's plan is nested in the request: its field errors name ``plan.<field>``.
PLAN_NAMES = {name: f"plan.{name}" for name in PLAN_FIELDS}
WORK_LOG_NAMES = {"consent": "consent_id", "task_order": "task_order_id"}


def _visible(request: HttpRequest, ticket_id: int) -> User:
    """The caller, once the request is known to be theirs to see (404 first, whatever the body)."""
    actor = acting_user(request)
    selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    return actor


# Review, plan, the client leader


@router.post("/tickets/{ticket_id}/review", response={201: ReviewOut, **WRITE_ERRORS}, operation_id="ticket_review")
def ticket_review(request: HttpRequest, ticket_id: int, payload: ReviewIn) -> Status[Review]:
    """The technical review: handle now, a plan needed (with ``plan``), no maintenance needed, or reject.

    ``no_action``: the opinion is the receipt to the client and the request is archived;
    ``reject`` (optimization and data requests): the opinion is the reason shown to the proposer.
    """
    actor = _visible(request, ticket_id)
    with named_as_in_the_request(PLAN_NAMES):
        review = procedure.review_record(
            actor=actor,
            ticket_id=ticket_id,
            decision=payload.decision,
            opinion=payload.opinion,
            reasonable=payload.reasonable,
            feasible=payload.feasible,
            plan=payload.plan.dict() if payload.plan is not None else None,
            expected_version=payload.version,
        )
    return Status(201, review)


@router.post(
    "/tickets/{ticket_id}/plan/response", response={200: PlanOut, **WRITE_ERRORS}, operation_id="ticket_plan_respond"
)
def ticket_plan_respond(request: HttpRequest, ticket_id: int, payload: PlanResponseIn) -> MaintenancePlan:
    """The client confirms the maintenance plan (→ in progress) or declines it with a reason, signed."""
    actor = _visible(request, ticket_id)
    return procedure.plan_respond(
        actor=actor,
        ticket_id=ticket_id,
        confirm=payload.confirm,
        reason=payload.reason,
        signer_name=payload.signer_name,
        signature=payload.signature,
        expected_version=payload.version,
    )


@router.post(
    "/tickets/{ticket_id}/leader-signoff",
    response={201: SignOffOut, **WRITE_ERRORS},
    operation_id="ticket_leader_signoff",
)
def ticket_leader_signoff(request: HttpRequest, ticket_id: int, payload: LeaderSignoffIn) -> Status[SignOff]:
    """The client leader signs an optimization or data-maintenance request, or declines it with an opinion."""
    actor = _visible(request, ticket_id)
    signoff = procedure.leader_signoff(
        actor=actor,
        ticket_id=ticket_id,
        approve=payload.approve,
        opinion=payload.opinion,
        signer_name=payload.signer_name,
        signature=payload.signature,
        expected_version=payload.version,
    )
    return Status(201, signoff)


# The work: task orders, consents, work logs, data changes, milestones


@router.post(
    "/tickets/{ticket_id}/task-orders",
    response={201: TaskOrderOut, **WRITE_ERRORS},
    operation_id="ticket_task_order_create",
)
def ticket_task_order_create(request: HttpRequest, ticket_id: int, payload: TaskOrderIn) -> Status[TaskOrder]:
    """Issue a task order (维护任务单) to a vendor engineer while the request is in progress or testing."""
    actor = _visible(request, ticket_id)
    require_worker(actor)
    found = objects_by_id({"engineer_id": (User.objects.filter(is_active=True), payload.engineer_id)})
    with named_as_in_the_request({"engineer": "engineer_id"}):
        order = procedure.task_order_create(
            actor=actor,
            ticket_id=ticket_id,
            engineer=found["engineer_id"],
            content=payload.content,
            onsite=payload.onsite,
            planned_at=payload.planned_at,
            expected_version=payload.version,
        )
    return Status(201, order)


@router.post(
    "/tickets/task-orders/{task_order_id}/complete",
    response={200: TaskOrderOut, **WRITE_ERRORS},
    operation_id="ticket_task_order_complete",
)
def ticket_task_order_complete(request: HttpRequest, task_order_id: int, payload: TaskOrderCompleteIn) -> TaskOrder:
    """Record a task order's result; it is done now."""
    actor = acting_user(request)
    procedure_selectors.task_order_get(actor=actor, task_order_id=task_order_id)
    return procedure.task_order_complete(actor=actor, task_order_id=task_order_id, result=payload.result)


@router.post(
    "/tickets/{ticket_id}/remote-consents",
    response={201: RemoteConsentOut, **WRITE_ERRORS},
    operation_id="ticket_remote_consent_create",
)
def ticket_remote_consent_create(
    request: HttpRequest, ticket_id: int, payload: RemoteConsentIn
) -> Status[RemoteConsent]:
    """Record the client's consent to remote work (R1.9): staff for a consent given by phone or e-mail
    (``granted_by_name``, ``granted_via``, optionally ``granted_at``), a client user granting it now."""
    actor = _visible(request, ticket_id)
    consent = procedure.remote_consent_record(
        actor=actor,
        ticket_id=ticket_id,
        granted_by_name=payload.granted_by_name,
        scope=payload.scope,
        minutes_allowed=payload.minutes_allowed,
        granted_via=payload.granted_via,
        granted_at=payload.granted_at,
        expected_version=payload.version,
    )
    return Status(201, consent)


@router.post(
    "/tickets/remote-consents/{consent_id}/revoke",
    response={200: RemoteConsentOut, **WRITE_ERRORS},
    operation_id="ticket_remote_consent_revoke",
)
def ticket_remote_consent_revoke(request: HttpRequest, consent_id: int) -> RemoteConsent:
    """Withdraw a remote-access consent from now on."""
    actor = acting_user(request)
    procedure_selectors.remote_consent_get(actor=actor, consent_id=consent_id)
    return procedure.remote_consent_revoke(actor=actor, consent_id=consent_id)


@router.post(
    "/tickets/{ticket_id}/work-logs", response={201: WorkLogOut, **WRITE_ERRORS}, operation_id="ticket_work_log_create"
)
def ticket_work_log_create(request: HttpRequest, ticket_id: int, payload: WorkLogIn) -> Status[WorkLog]:
    """Record time spent (服务机时, R1.12); remote work must lie within a recorded consent's window."""
    actor = _visible(request, ticket_id)
    with named_as_in_the_request(WORK_LOG_NAMES):
        log = procedure.work_log_add(
            actor=actor,
            ticket_id=ticket_id,
            mode=payload.mode,
            started_at=payload.started_at,
            minutes=payload.minutes,
            description=payload.description,
            consent_id=payload.consent_id,
            task_order_id=payload.task_order_id,
            expected_version=payload.version,
        )
    return Status(201, log)


@router.post(
    "/tickets/{ticket_id}/data-changes",
    response={201: DataChangeOut, **WRITE_ERRORS},
    operation_id="ticket_data_change_create",
)
def ticket_data_change_create(
    request: HttpRequest,
    ticket_id: int,
    payload: Form[DataChangeIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # ninja's optional file field
) -> Status[DataChange]:
    """What a data-maintenance request changed (multipart/form-data): description, before/after as text
    or as files (field ``files``). Only after the client leader's sign-off, while in progress."""
    actor = _visible(request, ticket_id)
    change = procedure.data_change_record(
        actor=actor,
        ticket_id=ticket_id,
        description=payload.description,
        before=payload.before,
        after=payload.after,
        rows_affected=payload.rows_affected,
        files=files or [],
    )
    return Status(201, change)


@router.post(
    "/tickets/{ticket_id}/milestones",
    response={201: MilestoneOut, **WRITE_ERRORS},
    operation_id="ticket_milestone_create",
)
def ticket_milestone_create(request: HttpRequest, ticket_id: int, payload: MilestoneIn) -> Status[Milestone]:
    """An emergency's or personalised change's step reached (R1.10, R1.11), once each."""
    actor = _visible(request, ticket_id)
    milestone = procedure.milestone_record(
        actor=actor,
        ticket_id=ticket_id,
        step=payload.step,
        reached_at=payload.reached_at,
        note=payload.note,
        expected_version=payload.version,
    )
    return Status(201, milestone)


# Resolution, tests, acceptance, feedback, archive


@router.post("/tickets/{ticket_id}/resolve", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_resolve")
def ticket_resolve(request: HttpRequest, ticket_id: int, payload: ResolveIn) -> Ticket:
    """The work is done: record the resolution and ask the client for acceptance (an optimization is tested first)."""
    actor = _visible(request, ticket_id)
    procedure.ticket_resolve(
        actor=actor, ticket_id=ticket_id, resolution=payload.resolution, expected_version=payload.version
    )
    return ticket_out(actor, ticket_id)


@router.post("/tickets/{ticket_id}/tests", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_test")
def ticket_test(request: HttpRequest, ticket_id: int, payload: TestResultIn) -> Ticket:
    """The tests of an implemented optimization: passed → acceptance, failed (with notes) → back to work."""
    actor = _visible(request, ticket_id)
    procedure.test_record(
        actor=actor, ticket_id=ticket_id, passed=payload.passed, notes=payload.notes, expected_version=payload.version
    )
    return ticket_out(actor, ticket_id)


@router.post(
    "/tickets/{ticket_id}/acceptance", response={201: SignOffOut, **WRITE_ERRORS}, operation_id="ticket_acceptance"
)
def ticket_acceptance(request: HttpRequest, ticket_id: int, payload: AcceptanceIn) -> Status[SignOff]:
    """The client signs the acceptance form: accepted → feedback, rejected (with an opinion) → reopened."""
    actor = _visible(request, ticket_id)
    signoff = procedure.acceptance_sign(
        actor=actor,
        ticket_id=ticket_id,
        accepted=payload.accepted,
        opinion=payload.opinion,
        signer_name=payload.signer_name,
        signature=payload.signature,
        expected_version=payload.version,
    )
    return Status(201, signoff)


@router.post(
    "/tickets/{ticket_id}/feedback", response={201: SignOffOut, **WRITE_ERRORS}, operation_id="ticket_feedback"
)
def ticket_feedback(request: HttpRequest, ticket_id: int, payload: FeedbackIn) -> Status[SignOff]:
    """The client's opinion of the service (signed); the request is archived. With ``rating``, the survey too."""
    actor = _visible(request, ticket_id)
    signoff = procedure.feedback_give(
        actor=actor,
        ticket_id=ticket_id,
        opinion=payload.opinion,
        signer_name=payload.signer_name,
        signature=payload.signature,
        rating=payload.rating,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return Status(201, signoff)


@router.post("/tickets/{ticket_id}/archive", response={200: TicketOut, **WRITE_ERRORS}, operation_id="ticket_archive")
def ticket_archive(request: HttpRequest, ticket_id: int, payload: ArchiveIn) -> Ticket:
    """Archive a request whose client gave no feedback."""
    actor = _visible(request, ticket_id)
    procedure.ticket_archive(actor=actor, ticket_id=ticket_id, note=payload.note, expected_version=payload.version)
    return ticket_out(actor, ticket_id)


# All records


@router.get("/tickets/{ticket_id}/records", response={200: RecordsOut, **READ_ERRORS}, operation_id="ticket_records")
def ticket_records(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """Every record of the request's procedure: reviews, plans, task orders, consents, work logs,
    sign-offs, data changes (with their files), milestones."""
    actor = acting_user(request)
    ticket = selectors.ticket_get(actor=actor, ticket_id=ticket_id)
    records = procedure_selectors.procedure_records(actor=actor, ticket=ticket)
    for change in records.data_changes:
        change.files = records.data_change_files.get(change.pk, [])  # type: ignore[attr-defined]
    return {
        "reviews": records.reviews,
        "plans": records.plans,
        "task_orders": records.task_orders,
        "remote_consents": records.consents,
        "work_logs": records.work_logs,
        "signoffs": records.signoffs,
        "data_changes": records.data_changes,
        "milestones": records.milestones,
        "work_minutes": records.work_minutes,
    }
