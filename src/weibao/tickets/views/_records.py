"""The procedure region of the request page: its records and the forms for the steps possible now."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from weibao.accounts.models import User
from weibao.tickets import workflow
from weibao.tickets.forms import DATETIME_LOCAL
from weibao.tickets.models import MILESTONES_BY_KIND, Review, Ticket
from weibao.tickets.procedure_forms import (
    ArchiveForm,
    ComplaintForm,
    ConsentForm,
    CorrectiveActionCompleteForm,
    CorrectiveActionForm,
    DataChangeForm,
    LinkForm,
    MergeForm,
    MilestoneForm,
    ParentForm,
    RecordIdForm,
    ResolveForm,
    ReviewForm,
    TaskOrderCompleteForm,
    TaskOrderForm,
    TestForm,
    WorkLogForm,
)
from weibao.tickets.procedure_selectors import charging_terms, procedure_records
from weibao.tickets.quality_selectors import complaint_get, corrective_action_list
from weibao.tickets.services._common import is_dispatcher, is_worker
from weibao.tickets.workflow import Action, Kind, Status

# The review's decision and the step it takes (services.review keeps the same table).
DECISION_ACTIONS = {
    Review.Decision.HANDLE: Action.REVIEW_HANDLE,
    Review.Decision.PLAN: Action.REVIEW_PLAN,
    Review.Decision.NO_ACTION: Action.REVIEW_NO_ACTION,
    Review.Decision.REJECT: Action.REVIEW_REJECT,
}
# Steps taken through a form that writes their record; the rest are plain transitions.
RECORD_ACTIONS = frozenset(
    {*DECISION_ACTIONS.values(), Action.RESOLVE, Action.TEST_PASS, Action.TEST_FAIL, Action.ARCHIVE, Action.MERGE}
)
WORK_STATES = frozenset({Status.IN_PROGRESS, Status.TESTING})


def _now() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


def _pick[F: forms.Form](bound: dict[str, forms.Form], key: str, blank: F) -> forms.Form:
    return bound.get(key) or blank


def _rows(
    bound: dict[str, forms.Form], prefix: str, records: list[Any], form_class: type[RecordIdForm]
) -> list[tuple[Any, forms.Form]]:
    """Each record with its own small form (complete, revoke …); a bound one keeps its errors."""
    rows = []
    for record in records:
        form = bound.get(f"{prefix}-{record.pk}") or form_class(initial={"record": record.pk})
        rows.append((record, form))
    return rows


def procedure_context(actor: User, ticket: Ticket, bound: dict[str, forms.Form]) -> dict[str, Any]:
    """Records of ``ticket`` and the forms ``actor`` may use now; ``bound`` forms replace blank ones."""
    records = procedure_records(actor=actor, ticket=ticket)
    state, kind = ticket.state, ticket.kind_enum
    available = set(workflow.actions_available(status=state, kind=kind, side=workflow.Side.STAFF))
    work = is_worker(actor)
    context: dict[str, Any] = {"records": records, "can_work": work, "milestone_steps": MILESTONES_BY_KIND.get(kind)}
    if kind == Kind.COMPLAINT:
        context["complaint"] = complaint_get(actor=actor, ticket_id=ticket.pk)
    actions = list(corrective_action_list(actor=actor, ticket_id=ticket.pk).select_related("owner"))
    context["corrective_actions"] = _rows(bound, "corrective_action_complete", actions, CorrectiveActionCompleteForm)
    open_orders = [order for order in records.task_orders if order.done_at is None]
    context["open_task_orders"] = _rows(bound, "task_order_complete", open_orders, TaskOrderCompleteForm)
    live_consents = [consent for consent in records.consents if consent.revoked_at is None]
    if work:
        context.update(_step_forms(actor, ticket, bound, available))
        context.update(_record_forms(actor, ticket, bound, records, live_consents))
        if kind == Kind.COMPLAINT:
            context.update(_complaint_forms(actor, bound, context["complaint"]))
    return context


def _step_forms(
    actor: User, ticket: Ticket, bound: dict[str, forms.Form], available: set[Action]
) -> dict[str, forms.Form | str]:
    """Forms of the steps that write a record: review, resolve, tests, archive."""
    version = {"version": ticket.version}
    found: dict[str, forms.Form | str] = {}
    decisions = [decision.value for decision, action in DECISION_ACTIONS.items() if action in available]
    if decisions:
        terms = charging_terms(ticket)
        initial = {**version, "charging": terms.default, "charging_basis": terms.basis[:200]}
        optimization = ticket.kind == Kind.OPTIMIZATION
        found["review_form"] = _pick(
            bound, "review", ReviewForm(decisions=decisions, optimization=optimization, initial=initial)
        )
        found["charging_basis"] = terms.basis
    if Action.RESOLVE in available:
        found["resolve_form"] = _pick(bound, "resolve", ResolveForm(initial=version))
    if Action.TEST_PASS in available:
        found["test_form"] = _pick(bound, "test", TestForm(initial=version))
    if Action.ARCHIVE in available:
        found["archive_form"] = _pick(bound, "archive", ArchiveForm(initial=version))
    return found


def _record_forms(
    actor: User, ticket: Ticket, bound: dict[str, forms.Form], records: Any, live_consents: list[Any]
) -> dict[str, forms.Form]:
    """Forms of the records kept while the request is worked on, and of its links."""
    state, kind = ticket.state, ticket.kind_enum
    found: dict[str, forms.Form] = {}
    if state in WORK_STATES:
        found["task_order_form"] = _pick(bound, "task_order", TaskOrderForm(initial={"engineer": actor.pk}))
    if kind == Kind.DATA and state == Status.IN_PROGRESS:
        found["data_change_form"] = _pick(bound, "data_change", DataChangeForm())
    if ticket.is_closed:
        return found
    found["consent_form"] = _pick(bound, "consent", ConsentForm(initial={"granted_at": _now()}))
    work_log = WorkLogForm(
        consents=live_consents,
        task_orders=records.task_orders,
        initial={"started_at": _now(), "mode": "remote" if live_consents else "desk"},
    )
    found["work_log_form"] = _pick(bound, "work_log", work_log)
    found["link_form"] = _pick(bound, "link", LinkForm())
    parent = ticket.parent.number if ticket.parent else ""
    found["parent_form"] = _pick(bound, "parent", ParentForm(initial={"number": parent}))
    if is_dispatcher(actor):
        found["merge_form"] = _pick(bound, "merge", MergeForm())
    reached = {milestone.step for milestone in records.milestones}
    steps = [step for step in MILESTONES_BY_KIND.get(kind, []) if step not in reached]
    if steps:
        found["milestone_form"] = _pick(bound, "milestone", MilestoneForm(steps=steps, initial={"reached_at": _now()}))
    return found


def _complaint_forms(actor: User, bound: dict[str, forms.Form], complaint: Any) -> dict[str, forms.Form]:
    initial = {}
    if complaint is not None:
        initial = {
            "tracker": complaint.tracker_id,
            "about": complaint.about,
            "handling": complaint.handling,
            "result": complaint.result,
            "satisfaction": complaint.satisfaction,
        }
    return {
        "complaint_form": _pick(bound, "complaint", ComplaintForm(initial=initial)),
        "corrective_action_form": _pick(bound, "corrective_action", CorrectiveActionForm(initial={"owner": actor.pk})),
    }
