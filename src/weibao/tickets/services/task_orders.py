"""Task orders (维护任务单, R1.4 step 3): issued per piece of work, numbered per request, completed with a result."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.tickets.models import TaskOrder
from weibao.tickets.services._common import TransitionRefusedError, is_worker, record_audit, require_worker, ticket_lock
from weibao.tickets.services._procedure import (
    aware,
    clean_record,
    local_time,
    raise_if,
    record_changed,
    record_event,
    record_snapshot,
    require_work_state,
    ticket_id_of,
)


@transaction.atomic
def task_order_create(
    *,
    actor: User,
    ticket_id: int,
    engineer: User,
    content: str,
    onsite: bool,
    planned_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> TaskOrder:
    """Issue a task order (维护任务单) numbered per request: ``<request number>-T01``, ``-T02`` …

    Vendor workers only, to a vendor engineer (ValidationError ``engineer``), while
    the request is in progress or testing (TransitionRefusedError otherwise).
    ValidationError ``content`` when empty. Side effects: the TaskOrder, its
    ``record`` timeline entry, ``task_order.create`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    require_work_state(ticket, _("Task orders can be issued"))
    errors: dict[str, list[str]] = {}
    if not isinstance(engineer, User) or not is_worker(engineer):
        errors["engineer"] = [_("Task orders go to vendor engineers.")]
    sequence = ticket.task_orders.count() + 1
    while ticket.task_orders.filter(number=f"{ticket.number}-T{sequence:02d}").exists():
        sequence += 1
    order = TaskOrder(
        ticket=ticket,
        number=f"{ticket.number}-T{sequence:02d}",
        engineer=engineer,
        onsite=bool(onsite),
        content=(content or "").strip(),
        planned_at=aware(planned_at, "planned_at"),
        created_by=actor,
    )
    clean_record(order, errors, exclude=["ticket", "engineer", "created_by", "number"])
    raise_if(errors)
    order.save()
    record_event(
        ticket=ticket,
        actor=actor,
        record=order,
        name="task_order",
        body=order.content,
        extra={"number": order.number, "engineer": engineer.pk, "onsite": order.onsite},
    )
    record_audit(actor=actor, action="task_order.create", record=order, ticket=ticket)
    return order


@transaction.atomic
def task_order_complete(*, actor: User, task_order_id: int, result: str) -> TaskOrder:
    """Record a task order's result and when it was done.

    Vendor workers only, while the request is in progress or testing
    (TransitionRefusedError otherwise, and for an order already completed).
    ValidationError ``result`` when empty. Side effects: ``done_at``/``result``, a
    ``record`` timeline entry, ``task_order.complete`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id_of(TaskOrder, task_order_id, actor))
    require_worker(actor)
    require_work_state(ticket, _("Task orders can be completed"))
    order = TaskOrder.objects.select_for_update().get(pk=task_order_id)
    if order.done_at is not None:
        raise TransitionRefusedError(
            _("Task order %(number)s was already completed at %(at)s.")
            % {"number": order.number, "at": local_time(order.done_at)}
        )
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": [_("Describe the result of the task.")]})
    before = record_snapshot(order)
    order.result = result
    order.done_at = timezone.now()
    order.save(update_fields=["result", "done_at"])
    record_event(
        ticket=ticket,
        actor=actor,
        record=order,
        name="task_order",
        body=result,
        extra={"number": order.number, "completed": True},
    )
    record_changed(actor=actor, action="task_order.complete", record=order, ticket=ticket, before=before)
    return order
