"""What a data-maintenance request changed (R1.6), recorded only after the client leader's confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.tickets import workflow
from weibao.tickets.models import DataChange, SignOff
from weibao.tickets.services._common import TransitionRefusedError, record_audit, require_worker, ticket_lock
from weibao.tickets.services._procedure import clean_record, raise_if, record_event
from weibao.tickets.services.tickets import _store_attachments
from weibao.tickets.workflow import Kind, Status


@transaction.atomic
def data_change_record(
    *,
    actor: User,
    ticket_id: int,
    description: str,
    before: str = "",
    after: str = "",
    rows_affected: int | None = None,
    files: Sequence[UploadedFile[Any]] = (),
    expected_version: int | None = None,
) -> DataChange:
    """Record what a data-maintenance request changed (R1.6): description, before/after as text or files.

    Data-maintenance requests only, and only after the client leader has signed
    (R1.6: data is processed only with the leader's confirmation), while in
    progress: TransitionRefusedError otherwise. Vendor workers only.
    ValidationError ``description``, ``rows_affected``, ``files``. Side effects: the
    DataChange, its ``record`` timeline entry carrying the files as attachments,
    ``data_change.create`` audit row.
    """
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id, expected_version=expected_version)
    require_worker(actor)
    if ticket.kind != Kind.DATA:
        raise TransitionRefusedError(_("Data changes are recorded only on data-maintenance requests."))
    signed = ticket.signoffs.filter(form=SignOff.Form.LEADER, approved=True).exists()
    if ticket.state == Status.LEADER_SIGNOFF or not signed:
        raise TransitionRefusedError(
            _("Data may be changed only after the client leader has confirmed the request; it is not signed yet.")
        )
    if ticket.state != Status.IN_PROGRESS:
        raise TransitionRefusedError(
            _("Data changes are recorded while the request is in progress; it is now “%(status)s”.")
            % {"status": workflow.STATUS_LABELS[ticket.state]}
        )
    errors: dict[str, list[str]] = {}
    if isinstance(rows_affected, bool) or not (rows_affected is None or isinstance(rows_affected, int)):
        errors["rows_affected"] = [_("Give the number of rows as a whole number.")]
    change = DataChange(
        ticket=ticket,
        description=(description or "").strip(),
        before=(before or "").strip(),
        after=(after or "").strip(),
        rows_affected=rows_affected,
        recorded_by=actor,
    )
    if "rows_affected" not in errors:
        clean_record(change, errors, exclude=["ticket", "recorded_by"])
    raise_if(errors)
    change.save()
    event = record_event(
        ticket=ticket,
        actor=actor,
        record=change,
        name="data_change",
        body=change.description,
        extra={"rows_affected": change.rows_affected, "files": len(files)},
    )
    if files:
        _store_attachments(ticket=ticket, event=event, actor=actor, files=files, internal=False)
    record_audit(actor=actor, action="data_change.create", record=change, ticket=ticket)
    return change
