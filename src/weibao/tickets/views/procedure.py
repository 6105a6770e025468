"""Writes of the maintenance procedure's records from the request page (R1.4–R1.12, R1.7).

Every view works as the request page's other forms do (see ``actions.post_action``):
scoped lookup first, client users to the portal, errors back on the page.
Records named inside the form (a task order, a consent, a corrective action) must
belong to the request in the URL, or the answer is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.tickets import procedure_forms as pf
from weibao.tickets import selectors
from weibao.tickets.models import CorrectiveAction, RemoteConsent, TaskOrder, Ticket
from weibao.tickets.services import links, procedure, quality
from weibao.tickets.views.actions import GET_POST, post_action

SECTION = "procedure"


def _owned(model: type[Model], ticket: Ticket, record_id: int) -> None:
    """A record named in a form must be the request's own: another one is as missing as a foreign one."""
    if not model._default_manager.filter(pk=record_id, ticket=ticket).exists():
        raise Http404(_("Not found."))


def _by_number(actor: User, number: str, field: str) -> Ticket:
    try:
        return selectors.ticket_by_number(actor=actor, number=number)
    except ObjectNotFoundError:
        message = _("No request has the number %(number)s.") % {"number": number.strip()}
        raise ValidationError({field: [message]}) from None


@login_required
@require_http_methods(GET_POST)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The technical review opinion (handle now / plan / no maintenance / reject) with its plan."""

    def form(ticket: Ticket) -> pf.ReviewForm:
        return pf.ReviewForm(request.POST, optimization=ticket.kind == Ticket.Kind.OPTIMIZATION)

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.review_record(
            actor=actor,
            ticket_id=ticket.pk,
            decision=data["decision"],
            opinion=data["opinion"],
            reasonable=data.get("reasonable"),
            feasible=data.get("feasible"),
            plan=bound_plan(data),
            expected_version=data.get("version"),
        )
        return _("Review recorded.")

    def bound_plan(data: dict[str, Any]) -> dict[str, Any] | None:
        if data.get("decision") != "plan":
            return None
        return {name: data.get(name) for name in pf.ReviewForm.PLAN_FIELDS if data.get(name) not in (None, "")}

    return post_action(request, pk, key="review", form=form, run=run, section=SECTION)


@login_required
@require_http_methods(GET_POST)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.ticket_resolve(
            actor=actor, ticket_id=ticket.pk, resolution=data["resolution"], expected_version=data.get("version")
        )
        return _("Resolved; the client is asked for acceptance.")

    return post_action(request, pk, key="resolve", form=lambda t: pf.ResolveForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def test(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.test_record(
            actor=actor,
            ticket_id=ticket.pk,
            passed=bool(data["passed"]),
            notes=data["notes"],
            expected_version=data.get("version"),
        )
        return _("Test result recorded.")

    return post_action(request, pk, key="test", form=lambda t: pf.TestForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.ticket_archive(
            actor=actor, ticket_id=ticket.pk, note=data["note"], expected_version=data.get("version")
        )
        return _("Archived.")

    return post_action(request, pk, key="archive", form=lambda t: pf.ArchiveForm(request.POST), run=run)


@login_required
@require_http_methods(GET_POST)
def task_order(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        order = procedure.task_order_create(
            actor=actor,
            ticket_id=ticket.pk,
            engineer=data["engineer"],
            content=data["content"],
            onsite=data["onsite"],
            planned_at=data["planned_at"],
        )
        return _("Task order %(number)s issued.") % {"number": order.number}

    return post_action(
        request, pk, key="task_order", form=lambda t: pf.TaskOrderForm(request.POST), run=run, section=SECTION
    )


def _record_key(prefix: str) -> Any:
    """The bound-form key of a per-record form, so its errors show next to its record."""

    def key(form: Any) -> str:
        record = form.cleaned_data.get("record") if form.is_bound and hasattr(form, "cleaned_data") else None
        return f"{prefix}-{record or form.data.get('record', '')}"

    return key


@login_required
@require_http_methods(GET_POST)
def task_order_complete(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        _owned(TaskOrder, ticket, data["record"])
        order = procedure.task_order_complete(actor=actor, task_order_id=data["record"], result=data["result"])
        return _("Task order %(number)s completed.") % {"number": order.number}

    return post_action(
        request,
        pk,
        key=_record_key("task_order_complete"),
        form=lambda t: pf.TaskOrderCompleteForm(request.POST),
        run=run,
        section=SECTION,
    )


@login_required
@require_http_methods(GET_POST)
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """A remote-access consent the client gave by phone, e-mail … (R1.9)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.remote_consent_record(
            actor=actor,
            ticket_id=ticket.pk,
            granted_by_name=data["granted_by_name"],
            granted_via=data["granted_via"],
            scope=data["scope"],
            minutes_allowed=data["minutes_allowed"],
            granted_at=data["granted_at"],
        )
        return _("Consent recorded.")

    return post_action(
        request, pk, key="consent", form=lambda t: pf.ConsentForm(request.POST), run=run, section=SECTION
    )


@login_required
@require_http_methods(GET_POST)
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        _owned(RemoteConsent, ticket, data["record"])
        procedure.remote_consent_revoke(actor=actor, consent_id=data["record"])
        return _("Consent revoked.")

    return post_action(
        request, pk, key="consent_revoke", form=lambda t: pf.RecordIdForm(request.POST), run=run, section=SECTION
    )


@login_required
@require_http_methods(GET_POST)
def work_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Time spent on the request (服务机时, R1.12)."""

    def form(ticket: Ticket) -> pf.WorkLogForm:
        return pf.WorkLogForm(
            request.POST, consents=list(ticket.remote_consents.all()), task_orders=list(ticket.task_orders.all())
        )

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.work_log_add(
            actor=actor,
            ticket_id=ticket.pk,
            mode=data["mode"],
            started_at=data["started_at"],
            minutes=data["minutes"],
            description=data["description"],
            consent_id=data["consent"],
            task_order_id=data["task_order"],
        )
        return _("Work log recorded.")

    return post_action(request, pk, key="work_log", form=form, run=run, section=SECTION)


@login_required
@require_http_methods(GET_POST)
def data_change(request: HttpRequest, pk: int) -> HttpResponse:
    """What a data-maintenance request changed (R1.6)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.data_change_record(
            actor=actor,
            ticket_id=ticket.pk,
            description=data["description"],
            before=data["before"],
            after=data["after"],
            rows_affected=data["rows_affected"],
            files=data["files"],
        )
        return _("Data change recorded.")

    return post_action(
        request,
        pk,
        key="data_change",
        form=lambda t: pf.DataChangeForm(request.POST, request.FILES),
        run=run,
        section=SECTION,
    )


@login_required
@require_http_methods(GET_POST)
def milestone(request: HttpRequest, pk: int) -> HttpResponse:
    """A step of an emergency (R1.10) or personalised change (R1.11)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        procedure.milestone_record(
            actor=actor, ticket_id=ticket.pk, step=data["step"], reached_at=data["reached_at"], note=data["note"]
        )
        return _("Milestone recorded.")

    return post_action(
        request, pk, key="milestone", form=lambda t: pf.MilestoneForm(request.POST), run=run, section=SECTION
    )


@login_required
@require_http_methods(GET_POST)
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaint record (R1.7)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        quality.complaint_update(
            actor=actor,
            ticket_id=ticket.pk,
            tracker=data["tracker"],
            about=data["about"],
            handling=data["handling"],
            result=data["result"],
            satisfaction=data["satisfaction"],
        )
        return _("Complaint record saved.")

    return post_action(
        request, pk, key="complaint", form=lambda t: pf.ComplaintForm(request.POST), run=run, section=SECTION
    )


@login_required
@require_http_methods(GET_POST)
def corrective_action(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        quality.corrective_action_add(
            actor=actor,
            ticket_id=ticket.pk,
            kind=data["kind"],
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        return _("Action recorded.")

    return post_action(
        request,
        pk,
        key="corrective_action",
        form=lambda t: pf.CorrectiveActionForm(request.POST),
        run=run,
        section=SECTION,
    )


@login_required
@require_http_methods(GET_POST)
def corrective_action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        _owned(CorrectiveAction, ticket, data["record"])
        quality.corrective_action_complete(actor=actor, action_id=data["record"], outcome=data["outcome"])
        return _("Action completed.")

    return post_action(
        request,
        pk,
        key=_record_key("corrective_action_complete"),
        form=lambda t: pf.CorrectiveActionCompleteForm(request.POST),
        run=run,
        section=SECTION,
    )


@login_required
@require_http_methods(GET_POST)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link or unlink a related request by its number."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        other = _by_number(actor, data["number"], "number")
        on = data["link"] != "0"
        links.ticket_link(actor=actor, ticket_id=ticket.pk, other_id=other.pk, link=on)
        return _("Linked with %(number)s.") % {"number": other.number} if on else _("Link removed.")

    return post_action(request, pk, key="link", form=lambda t: pf.LinkForm(request.POST), run=run, section=SECTION)


@login_required
@require_http_methods(GET_POST)
def parent(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the request under a parent request (empty number: no parent)."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        number = data["number"].strip()
        found = _by_number(actor, number, "number") if number else None
        links.ticket_set_parent(actor=actor, ticket_id=ticket.pk, parent_id=found.pk if found else None)
        return _("Now under %(number)s.") % {"number": found.number} if found else _("No parent request any more.")

    return post_action(request, pk, key="parent", form=lambda t: pf.ParentForm(request.POST), run=run, section=SECTION)


@login_required
@require_http_methods(GET_POST)
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the request as a duplicate of another one, named by its number."""

    def run(actor: User, ticket: Ticket, data: dict[str, Any]) -> str:
        into = _by_number(actor, data["into_id"], "into_id")
        links.ticket_merge(actor=actor, ticket_id=ticket.pk, into_id=into.pk, reason=data["reason"])
        return _("Merged into %(number)s.") % {"number": into.number}

    return post_action(request, pk, key="merge", form=lambda t: pf.MergeForm(request.POST), run=run, section=SECTION)
