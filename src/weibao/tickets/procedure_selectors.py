"""Reads of the maintenance procedure's records, for pages, the API and printed forms.

Every procedure record is client-visible (the client signs these forms), so a client
user sees all of them on their own client's requests; another client's request is
ObjectNotFoundError, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.contracts.models import Contract
from weibao.contracts.phases import Phase
from weibao.contracts.selectors import contract_for_deployment_at
from weibao.core.errors import ObjectNotFoundError
from weibao.customers.scope import scoped
from weibao.tickets.models import (
    Attachment,
    DataChange,
    MaintenancePlan,
    Milestone,
    RemoteConsent,
    Review,
    SignOff,
    TaskOrder,
    Ticket,
    TicketEvent,
    WorkLog,
)
from weibao.tickets.workflow import Kind

# Requirement changes (R1.8): may be charged even within warranty.
REQUIREMENT_CHANGE_KINDS = frozenset({Kind.PERSONALISED, Kind.OPTIMIZATION})


@dataclass(frozen=True)
class ChargingTerms:
    """Whether work on a request is paid or free by its contract (R1.8), and why."""

    default: str  # a MaintenancePlan.Charging value, or "" when the contract does not decide
    free_only: bool
    basis: str
    contract: Contract | None = None
    phase: Phase | None = None


def charging_terms(ticket: Ticket, at: dt.datetime | None = None) -> ChargingTerms:
    """Paid or free for ``ticket`` at ``at`` (default now), from the contract governing its deployment.

    The rule (R1.8):

    - in warranty, or not yet accepted (the system is still the vendor's delivery):
      free, and free is the only choice, except for requirement changes
      (personalised modifications, optimization requests), which default to free and
      may be charged;
    - after warranty: work within the contracted scope stays free (the default),
      requirement changes default to paid; either may be chosen, since whether work is
      within the contracted scope is the reviewer's judgement;
    - expired contract: paid by default; either may be chosen;
    - no deployment named, or no contract covers it: not decided (``default`` is
      empty); the reviewer chooses.
    """
    free, paid = MaintenancePlan.Charging.FREE.value, MaintenancePlan.Charging.PAID.value
    change = ticket.kind in REQUIREMENT_CHANGE_KINDS
    if ticket.deployment is None:
        return ChargingTerms("", False, _("The request names no deployment, so no contract governs it."))
    instant = at or timezone.now()
    contract = contract_for_deployment_at(ticket.deployment, instant)
    if contract is None:
        return ChargingTerms("", False, _("No service contract covers this deployment."))
    phase = contract.phase_at(instant)
    values = {"number": contract.number, "date": contract.warranty_ends_on or ""}
    if phase in {Phase.IN_WARRANTY, Phase.NOT_ACCEPTED}:
        if phase == Phase.IN_WARRANTY:
            state = _("Contract %(number)s is in warranty until %(date)s") % values
        else:
            state = _("Contract %(number)s is not yet accepted") % values
        if change:
            basis = _("%(state)s; a requirement change may be charged.") % {"state": state}
        else:
            basis = _("%(state)s: maintenance is free.") % {"state": state}
        return ChargingTerms(free, not change, basis, contract, phase)
    if phase == Phase.POST_WARRANTY:
        basis = _(
            "Contract %(number)s is past its warranty (ended %(date)s): the contracted scope stays free, "
            "requirement changes may be charged."
        )
        return ChargingTerms(paid if change else free, False, basis % values, contract, phase)
    basis = _("Contract %(number)s has expired (service ended %(date)s).")
    return ChargingTerms(paid, False, basis % (values | {"date": contract.ends_on or ""}), contract, phase)


def _visible(actor: User, ticket: Ticket) -> None:
    if not scoped(Ticket.objects.filter(pk=ticket.pk), actor).exists():
        raise ObjectNotFoundError(_("Not found."))


@dataclass
class ProcedureRecords:
    """Every record of one request's procedure, oldest first."""

    reviews: list[Review]
    plans: list[MaintenancePlan]
    task_orders: list[TaskOrder]
    consents: list[RemoteConsent]
    work_logs: list[WorkLog]
    signoffs: list[SignOff]
    data_changes: list[DataChange]
    milestones: list[Milestone]
    # Attachments of each data change, by DataChange id.
    data_change_files: dict[int, list[Attachment]] = field(default_factory=dict)

    @property
    def work_minutes(self) -> int:
        return sum(log.minutes for log in self.work_logs)

    @property
    def current_plan(self) -> MaintenancePlan | None:
        return self.plans[-1] if self.plans else None

    @property
    def latest_review(self) -> Review | None:
        return self.reviews[-1] if self.reviews else None

    def signoff(self, form: str) -> SignOff | None:
        """The latest sign-off on ``form`` (SignOff.Form), or None."""
        found = [s for s in self.signoffs if s.form == form]
        return found[-1] if found else None


def procedure_records(*, actor: User, ticket: Ticket) -> ProcedureRecords:
    """All procedure records of ``ticket`` that ``actor`` may see (all of them, on a visible request).

    Raises ObjectNotFoundError when the request is not visible to ``actor``.
    """
    _visible(actor, ticket)
    files: dict[int, list[Attachment]] = {}
    change_events = ticket.events.filter(kind=TicketEvent.Kind.RECORD, data__record="data_change").prefetch_related(
        "attachments"
    )
    for event in change_events:
        record_id = event.data.get("record_id")
        if isinstance(record_id, int):
            files.setdefault(record_id, []).extend(a for a in event.attachments.all() if not a.internal)
    return ProcedureRecords(
        reviews=list(ticket.reviews.select_related("reviewer").order_by("id")),
        plans=list(ticket.plans.select_related("author", "confirmed_by").order_by("id")),
        task_orders=list(ticket.task_orders.select_related("engineer", "created_by").order_by("id")),
        consents=list(ticket.remote_consents.select_related("granted_by", "recorded_by").order_by("id")),
        work_logs=list(
            ticket.work_logs.select_related("engineer", "consent", "task_order").order_by("started_at", "id")
        ),
        signoffs=list(ticket.signoffs.select_related("signer").order_by("id")),
        data_changes=list(ticket.data_changes.select_related("recorded_by").order_by("id")),
        milestones=list(ticket.milestones.select_related("recorded_by").order_by("reached_at", "id")),
        data_change_files=files,
    )


@dataclass(frozen=True)
class ServiceMinutes:
    """Service time (服务机时, R1.12) of one request: the total, per mode and per engineer."""

    total: int
    by_mode: dict[str, int]
    by_engineer: list[tuple[str, int]]


def service_minutes(*, actor: User, ticket: Ticket) -> ServiceMinutes:
    """The work-log minutes of ``ticket``, summed. Raises ObjectNotFoundError when not visible."""
    _visible(actor, ticket)
    logs = WorkLog.objects.filter(ticket=ticket)
    by_mode = {row["mode"]: row["total"] for row in logs.values("mode").annotate(total=Sum("minutes")).order_by()}
    engineers = (
        logs.values("engineer__username", "engineer__first_name", "engineer__last_name")
        .annotate(total=Sum("minutes"))
        .order_by("-total", "engineer__username")
    )
    by_engineer = [
        (
            f"{row['engineer__last_name']}{row['engineer__first_name']}".strip() or row["engineer__username"],
            row["total"],
        )
        for row in engineers
    ]
    return ServiceMinutes(total=sum(by_mode.values()), by_mode=by_mode, by_engineer=by_engineer)


def service_minutes_by_ticket(*, actor: User, ticket_ids: list[int]) -> dict[int, int]:
    """Total work-log minutes per request id, for the requests ``actor`` may see (lists, reports)."""
    logs = scoped(WorkLog.objects.filter(ticket_id__in=ticket_ids), actor, client_field="ticket__client")
    totals = logs.values("ticket_id").annotate(total=Sum("minutes")).order_by()
    return {row["ticket_id"]: row["total"] for row in totals}


def task_order_get(*, actor: User, task_order_id: int) -> TaskOrder:
    """One task order ``actor`` may see, with its request. Raises ObjectNotFoundError otherwise."""
    orders = scoped(TaskOrder.objects.select_related("ticket", "engineer"), actor, client_field="ticket__client")
    order = orders.filter(pk=task_order_id).first()
    if order is None:
        raise ObjectNotFoundError(_("Not found."))
    return order


def remote_consent_get(*, actor: User, consent_id: int) -> RemoteConsent:
    """One remote-access consent ``actor`` may see. Raises ObjectNotFoundError otherwise."""
    consents = scoped(RemoteConsent.objects.select_related("ticket"), actor, client_field="ticket__client")
    consent = consents.filter(pk=consent_id).first()
    if consent is None:
        raise ObjectNotFoundError(_("Not found."))
    return consent


def signoff_get(*, actor: User, signoff_id: int) -> SignOff:
    """One sign-off ``actor`` may see (for printing its form). Raises ObjectNotFoundError otherwise."""
    signoffs = scoped(SignOff.objects.select_related("ticket", "signer"), actor, client_field="ticket__client")
    signoff = signoffs.filter(pk=signoff_id).first()
    if signoff is None:
        raise ObjectNotFoundError(_("Not found."))
    return signoff


def signoff_latest(*, actor: User, ticket: Ticket, form: str) -> SignOff | None:
    """The latest sign-off of ``ticket`` on ``form``, or None. Raises ObjectNotFoundError when not visible."""
    _visible(actor, ticket)
    return ticket.signoffs.filter(form=form).select_related("signer").order_by("-id").first()
