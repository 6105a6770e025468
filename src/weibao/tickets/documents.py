"""The procedure's printable forms (R1.4) and the service report (R1.13), as PDF documents.

Every step of the maintenance procedure leaves a record, and every record prints as
the form the tender names: 《客户咨询/反馈登记表》 (registration), 《用户问题反馈及落实情况表》
(review opinion and plan), 《客户回执》 (receipt when no maintenance is needed),
《维护任务单》 (task orders), 《用户意见反馈表》 (the client's opinion), 《维护验收表》
(acceptance), 《归档记录》 (archive record) and the 服务支撑报告 (service report), each
with the client's sign-off block filled from the portal's SignOff (or empty lines to
sign by hand).

A printed form is a document handed to the client, so it is built from what the
client may see, whoever prints it: internal notes and internal attachments never
appear in one.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.pdf import pdf_render
from weibao.customers.scope import client_id_of
from weibao.tickets import workflow
from weibao.tickets.models import (
    Attachment,
    DataChange,
    MaintenancePlan,
    RemoteConsent,
    Review,
    SignOff,
    Survey,
    TaskOrder,
    Ticket,
    TicketEvent,
    WorkLog,
)
from weibao.tickets.workflow import Status

TEMPLATE_DIR = "tickets/print"


class Form(enum.StrEnum):
    """The printable forms of a request, in the order the procedure produces them."""

    REGISTRATION = "registration"
    REVIEW = "review"
    RECEIPT = "receipt"
    TASK_ORDER = "task_order"
    FEEDBACK = "feedback"
    ACCEPTANCE = "acceptance"
    ARCHIVE = "archive"
    SERVICE_REPORT = "service_report"


FORM_TITLES: dict[Form, Promise] = {
    Form.REGISTRATION: gettext_lazy("Client enquiry / feedback registration form"),
    Form.REVIEW: gettext_lazy("User problem feedback and follow-up form"),
    Form.RECEIPT: gettext_lazy("Client receipt"),
    Form.TASK_ORDER: gettext_lazy("Maintenance task order"),
    Form.FEEDBACK: gettext_lazy("User opinion feedback form"),
    Form.ACCEPTANCE: gettext_lazy("Maintenance acceptance form"),
    Form.ARCHIVE: gettext_lazy("Archive record"),
    Form.SERVICE_REPORT: gettext_lazy("Service report"),
}

# The SignOff the client gives in the portal for each form. The review form is signed
# by confirming the maintenance plan; the archive record is the vendor's and is
# signed by hand if at all.
SIGNOFF_FORMS: dict[Form, str] = {
    Form.REGISTRATION: SignOff.Form.REGISTRATION,
    Form.REVIEW: SignOff.Form.PLAN,
    Form.RECEIPT: SignOff.Form.RECEIPT,
    Form.TASK_ORDER: SignOff.Form.TASK_ORDER,
    Form.FEEDBACK: SignOff.Form.FEEDBACK,
    Form.ACCEPTANCE: SignOff.Form.ACCEPTANCE,
    Form.SERVICE_REPORT: SignOff.Form.SERVICE_REPORT,
}


class ServiceReportKind(enum.StrEnum):
    """The kinds of service report the tender names (R1.13, seed 001)."""

    DAILY = "daily"
    EMERGENCY = "emergency"
    UPGRADE = "upgrade"
    INSPECTION = "inspection"
    INCIDENT = "incident"


SERVICE_REPORT_LABELS: dict[ServiceReportKind, Promise] = {
    ServiceReportKind.DAILY: gettext_lazy("Daily O&M report"),
    ServiceReportKind.EMERGENCY: gettext_lazy("Emergency service report"),
    ServiceReportKind.UPGRADE: gettext_lazy("Upgrade record"),
    ServiceReportKind.INSPECTION: gettext_lazy("Inspection report"),
    ServiceReportKind.INCIDENT: gettext_lazy("Incident analysis report"),
}


def service_report_kind(ticket: Ticket) -> ServiceReportKind:
    """The kind of service report a request produces, chosen by its type."""
    if ticket.kind == workflow.Kind.EMERGENCY:
        return ServiceReportKind.EMERGENCY
    if ticket.kind == workflow.Kind.UPGRADE:
        return ServiceReportKind.UPGRADE
    return ServiceReportKind.DAILY


@dataclass(frozen=True)
class Signature:
    """The client's sign-off as printed: from a SignOff, or a confirmed plan without one."""

    signer_name: str
    signed_at: dt.datetime | None
    signature: str = ""
    approved: bool | None = None
    opinion: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    """One form available for a request now, for links and the portal's sign-off list."""

    form: Form
    title: str
    signoff_form: str | None
    signed: Signature | None


def form_parse(value: str) -> Form:
    """The Form named ``value``; ObjectNotFoundError for anything else (the URL names it)."""
    try:
        return Form(value)
    except ValueError:
        raise ObjectNotFoundError(_("Not found.")) from None


def _reached(status: Status) -> Exists:
    return Exists(
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=TicketEvent.Kind.STATUS, data__to=status.value)
    )


def _signed(form: str) -> Exists:
    return Exists(SignOff.objects.filter(ticket=OuterRef("pk"), form=form))


def forms_available(*, ticket: Ticket) -> list[Form]:
    """The forms ``ticket`` has now, in procedure order; one query.

    A form exists once its step has happened (a review written, a task order issued,
    the request resolved …), signed or not: an unsigned form prints with lines to
    sign by hand.
    """
    flags = (
        Ticket.objects.filter(pk=ticket.pk)
        .annotate(
            has_review=Exists(Review.objects.filter(ticket=OuterRef("pk"))),
            has_receipt=Exists(Review.objects.filter(ticket=OuterRef("pk"), decision=Review.Decision.NO_ACTION)),
            has_task_order=Exists(TaskOrder.objects.filter(ticket=OuterRef("pk"))),
            has_work_log=Exists(WorkLog.objects.filter(ticket=OuterRef("pk"))),
            has_survey=Exists(Survey.objects.filter(ticket=OuterRef("pk"))),
            reached_acceptance=_reached(Status.ACCEPTANCE) | _signed(SignOff.Form.ACCEPTANCE),
            reached_feedback=_reached(Status.FEEDBACK) | _signed(SignOff.Form.FEEDBACK),
        )
        .values(
            "status",
            "has_review",
            "has_receipt",
            "has_task_order",
            "has_work_log",
            "has_survey",
            "reached_acceptance",
            "reached_feedback",
        )
        .first()
    )
    if flags is None:
        return []
    status = flags["status"]
    acceptance = bool(flags["reached_acceptance"]) or status in {Status.ACCEPTANCE, Status.FEEDBACK}
    feedback = bool(flags["reached_feedback"] or flags["has_survey"]) or status == Status.FEEDBACK
    present = {
        Form.REGISTRATION: True,
        Form.REVIEW: bool(flags["has_review"]),
        Form.RECEIPT: bool(flags["has_receipt"]),
        Form.TASK_ORDER: bool(flags["has_task_order"]),
        Form.FEEDBACK: feedback,
        Form.ACCEPTANCE: acceptance,
        Form.ARCHIVE: status in {s.value for s in workflow.CLOSED},
        Form.SERVICE_REPORT: bool(flags["has_work_log"] or flags["has_task_order"]) or acceptance,
    }
    return [form for form in Form if present[form]]


type Rounds = dict[str, list[Signature]]

# While a form waits for the client's signature again (a plan redrawn after a decline,
# work redone after a rejected fix), the last round's sign-off is history, not the form's.
AWAITING_SIGNATURE: dict[Form, Status] = {Form.REVIEW: Status.PLAN_PENDING, Form.ACCEPTANCE: Status.ACCEPTANCE}


def _signatures(ticket: Ticket) -> Rounds:
    """Every sign-off on ``ticket`` by SignOff form, oldest first; one query."""
    rounds: Rounds = {}
    for signoff in SignOff.objects.filter(ticket=ticket).order_by("id"):
        rounds.setdefault(signoff.form, []).append(
            Signature(
                signer_name=signoff.signer_name,
                signed_at=signoff.signed_at,
                signature=signoff.signature,
                approved=signoff.approved,
                opinion=signoff.opinion,
            )
        )
    return rounds


def _signed_now(form: Form, status: str, rounds: Rounds) -> Signature | None:
    """The sign-off that ``form`` prints now, if any."""
    signoff_form = SIGNOFF_FORMS.get(form)
    if signoff_form is None or AWAITING_SIGNATURE.get(form) == status:
        return None
    signed = rounds.get(signoff_form)
    return signed[-1] if signed else None


def documents_available(*, ticket: Ticket) -> list[DocumentInfo]:
    """The forms ``ticket`` has now with their titles and sign-offs; two queries, nothing rendered."""
    forms = forms_available(ticket=ticket)
    rounds = _signatures(ticket)
    return [
        DocumentInfo(
            form=form,
            title=document_title(ticket=ticket, form=form),
            signoff_form=SIGNOFF_FORMS.get(form),
            signed=_signed_now(form, ticket.status, rounds),
        )
        for form in forms
    ]


def document_title(*, ticket: Ticket, form: Form) -> str:
    """The printed title of ``form``; the service report is titled by its kind."""
    if form == Form.SERVICE_REPORT:
        return f"{FORM_TITLES[form]} · {SERVICE_REPORT_LABELS[service_report_kind(ticket)]}"
    return str(FORM_TITLES[form])


def document_filename(*, ticket: Ticket, form: Form) -> str:
    """``WB-20261121-0007-维护验收表.pdf``: the request number and the form's name."""
    return f"{ticket.number}-{FORM_TITLES[form]}.pdf"


# --- context of each form ------------------------------------------------------------------


def _public_attachments(ticket: Ticket) -> list[Attachment]:
    return list(ticket.attachments.filter(internal=False).order_by("id"))


def _reviews(ticket: Ticket) -> list[Review]:
    return list(ticket.reviews.select_related("reviewer").order_by("id"))


def _task_orders(ticket: Ticket) -> list[TaskOrder]:
    """Task orders with their engineers and the minutes logged against each."""
    return list(
        ticket.task_orders.select_related("engineer", "created_by")
        .annotate(logged_minutes=Sum("work_logs__minutes"))
        .order_by("id")
    )


def _plan_signature(plans: list[MaintenancePlan]) -> Signature | None:
    """A plan confirmed in the portal before sign-offs existed still shows who confirmed it."""
    for plan in reversed(plans):
        if plan.confirmed_at is not None and plan.confirmed_by is not None:
            return Signature(signer_name=str(plan.confirmed_by), signed_at=plan.confirmed_at, approved=True)
    return None


def _registration(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    leader_signed = ticket.kind in workflow.LEADER_SIGNED_KINDS
    leader_rounds = rounds.get(SignOff.Form.LEADER, [])
    return {
        "attachments": _public_attachments(ticket),
        "leader_signed": leader_signed,
        "leader_signoff": leader_rounds[-1] if leader_signed and leader_rounds else None,
    }


def _review(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    plans = list(ticket.plans.select_related("author", "confirmed_by").order_by("id"))
    return {
        "reviews": _reviews(ticket),
        "plans": plans,
        "signoff": signed or (None if ticket.status == Status.PLAN_PENDING else _plan_signature(plans)),
    }


def _receipt(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    review = (
        ticket.reviews.select_related("reviewer").filter(decision=Review.Decision.NO_ACTION).order_by("-id").first()
    )
    return {"review": review}


def _task_order(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    consents = list(RemoteConsent.objects.filter(ticket=ticket).order_by("id"))
    return {"task_orders": _task_orders(ticket), "consents": consents}


def _feedback(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    survey = Survey.objects.filter(ticket=ticket).first()
    return {"survey": survey, "rating_range": range(1, 6)}


def _acceptance(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    changes = list(DataChange.objects.filter(ticket=ticket).order_by("id"))
    earlier = rounds.get(SignOff.Form.ACCEPTANCE, [])
    if signed is not None:
        earlier = earlier[:-1]
    return {"task_orders": _task_orders(ticket), "data_changes": changes, "earlier_rounds": earlier}


def _archive(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    forms = forms_available(ticket=ticket)
    records = [
        {
            "title": document_title(ticket=ticket, form=form),
            "signed": _signed_now(form, ticket.status, rounds),
            "signable": form in SIGNOFF_FORMS,
        }
        for form in forms
        if form != Form.ARCHIVE
    ]
    totals = WorkLog.objects.filter(ticket=ticket).aggregate(minutes=Sum("minutes"))
    return {
        "records": records,
        "total_minutes": totals["minutes"] or 0,
        "task_order_count": TaskOrder.objects.filter(ticket=ticket).count(),
        "attachments": _public_attachments(ticket),
    }


def _service_report(ticket: Ticket, rounds: Rounds, signed: Signature | None) -> dict[str, Any]:
    logs = list(WorkLog.objects.filter(ticket=ticket).select_related("engineer").order_by("started_at", "id"))
    total = sum(log.minutes for log in logs)
    engineers = sorted({str(log.engineer) for log in logs})
    ends = [log.started_at + dt.timedelta(minutes=log.minutes) for log in logs]
    kind = service_report_kind(ticket)
    milestones = list(ticket.milestones.order_by("reached_at", "id")) if kind == ServiceReportKind.EMERGENCY else []
    return {
        "report_kind": kind.value,
        "report_kind_label": SERVICE_REPORT_LABELS[kind],
        "work_logs": logs,
        "total_minutes": total,
        "total_hours": str((Decimal(total) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "engineers": engineers,
        "period_start": logs[0].started_at if logs else None,
        "period_end": max(ends) if ends else ticket.closed_at,
        "task_orders": _task_orders(ticket),
        "milestones": milestones,
    }


BUILDERS = {
    Form.REGISTRATION: _registration,
    Form.REVIEW: _review,
    Form.RECEIPT: _receipt,
    Form.TASK_ORDER: _task_order,
    Form.FEEDBACK: _feedback,
    Form.ACCEPTANCE: _acceptance,
    Form.ARCHIVE: _archive,
    Form.SERVICE_REPORT: _service_report,
}


def _visible(actor: User, ticket: Ticket) -> bool:
    """The same rule as ``customers.scope.scoped``, for a request already in hand."""
    if not actor.is_active:
        return False
    return not actor.is_client_side or client_id_of(actor) == ticket.client_id


def document_context(*, actor: User, ticket: Ticket, form: str) -> dict[str, Any]:
    """What the template of ``form`` prints for ``ticket``.

    Raises ObjectNotFoundError when ``actor`` may not see the request, when ``form``
    is no form's name, or when the request has no such form yet.
    """
    if not _visible(actor, ticket):
        raise ObjectNotFoundError(_("Not found."))
    chosen = form_parse(form)
    if chosen not in forms_available(ticket=ticket):
        raise ObjectNotFoundError(_("This request has no such form yet."))
    # Fresh, with everything the header prints, however the caller loaded the request.
    ticket = Ticket.objects.select_related(
        "client", "deployment__site", "contact", "requester", "created_by", "assignee", "team"
    ).get(pk=ticket.pk)
    rounds = _signatures(ticket)
    context: dict[str, Any] = {
        "ticket": ticket,
        "form": chosen.value,
        "title": document_title(ticket=ticket, form=chosen),
        "print_document_title": ticket.number,
        "printed_at": timezone.now(),
        "signoff": _signed_now(chosen, ticket.status, rounds),
        "signable": chosen in SIGNOFF_FORMS,
    }
    context.update(BUILDERS[chosen](ticket, rounds, context["signoff"]))
    return context


def document_render(*, actor: User, ticket: Ticket, form: str) -> tuple[str, bytes]:
    """(file name, PDF) of ``form`` for ``ticket`` as ``actor`` may print it.

    Raises ObjectNotFoundError as :func:`document_context` does. Writes nothing.
    """
    context = document_context(actor=actor, ticket=ticket, form=form)
    chosen = Form(form)
    content = pdf_render(f"{TEMPLATE_DIR}/{chosen.value}.html", context)
    return document_filename(ticket=context["ticket"], form=chosen), content


def document_download(*, actor: User, ticket: Ticket, form: str) -> tuple[str, bytes]:
    """:func:`document_render`, recorded as a download.

    Side effects: a ``ticket.document_download`` audit row naming the form.
    Raises ObjectNotFoundError as :func:`document_context` does (and records nothing then).
    """
    filename, content = document_render(actor=actor, ticket=ticket, form=form)
    with transaction.atomic():
        event_record(
            actor=actor,
            action="ticket.document_download",
            obj=ticket,
            client_id=ticket.client_id,
            after={"form": form, "file": filename},
        )
    return filename, content
