"""The public timeline of a request as the client reads it: who, when, what, and the files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from weibao.tickets import workflow
from weibao.tickets.models import (
    Attachment,
    Channel,
    Complaint,
    DataChange,
    MaintenancePlan,
    Milestone,
    RemoteConsent,
    Review,
    SignOff,
    Survey,
    TaskOrder,
    Ticket,
    TicketEvent,
    WorkLog,
)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})

# The record a ``record`` timeline entry names (services/_procedure.record_event).
RECORD_MODELS = {
    "review": Review,
    "plan": MaintenancePlan,
    "task_order": TaskOrder,
    "remote_consent": RemoteConsent,
    "work_log": WorkLog,
    "data_change": DataChange,
    "milestone": Milestone,
    "signoff": SignOff,
    "survey": Survey,
    "complaint": Complaint,
}


@dataclass
class Entry:
    who: str
    when: dt.datetime
    what: str
    kind: str
    body: str = ""
    # Status reasons are plain text; replies and descriptions are sanitised HTML.
    plain: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def _status_label(value: object) -> str:
    try:
        return str(workflow.STATUS_LABELS[workflow.Status(str(value))])
    except ValueError:
        return str(value or "")


def _created(data: dict[str, Any]) -> str:
    channel = data.get("channel")
    if channel in Channel.values:
        return _("Opened the request (%(channel)s)") % {"channel": Channel(channel).label}
    return _("Opened the request")


def _status(data: dict[str, Any]) -> str:
    try:
        action = str(workflow.ACTION_LABELS[workflow.Action(str(data.get("action")))])
    except ValueError:
        action = _("Status changed")
    return _("%(action)s: %(source)s → %(target)s") % {
        "action": action,
        "source": _status_label(data.get("from")),
        "target": _status_label(data.get("to")),
    }


def _signed(data: dict[str, Any]) -> str:
    form = data.get("form")
    label = SignOff.Form(form).label if form in SignOff.Form.values else _("a form")
    if data.get("approved") is False:
        return _("Signed %(form)s: not approved") % {"form": label}
    return _("Signed %(form)s") % {"form": label}


def _rated(data: dict[str, Any]) -> str:
    rating = data.get("rating")
    if isinstance(rating, int):
        return _("Rated the service %(rating)s of 5") % {"rating": rating}
    return str(TicketEvent.Kind.RATED.label)


def _record(data: dict[str, Any]) -> str:
    model = RECORD_MODELS.get(str(data.get("record")))
    if model is None:
        return str(TicketEvent.Kind.RECORD.label)
    return str(model._meta.verbose_name).capitalize()


def _changed(data: dict[str, Any]) -> str:
    names = []
    for name in data.get("fields") or []:
        try:
            model_field = Ticket._meta.get_field(str(name))
        except FieldDoesNotExist:
            continue
        names.append(str(getattr(model_field, "verbose_name", name)))
    return _("Changed: %(fields)s") % {"fields": "、".join(names)} if names else _("Changed the details")


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    TicketEvent.Kind.CREATED: _created,
    TicketEvent.Kind.STATUS: _status,
    TicketEvent.Kind.REPLY: lambda data: _("Wrote"),
    TicketEvent.Kind.SIGNED: _signed,
    TicketEvent.Kind.RATED: _rated,
    TicketEvent.Kind.RECORD: _record,
    TicketEvent.Kind.CHANGED: _changed,
}


def _what(event: TicketEvent) -> str:
    """What the entry says happened, in the reader's language."""
    data = event.data if isinstance(event.data, dict) else {}
    describe = DESCRIBE.get(event.kind)
    if describe is not None:
        return describe(data)
    return str(TicketEvent.Kind(event.kind).label) if event.kind in TicketEvent.Kind.values else event.kind


def timeline_entries(
    events: Iterable[TicketEvent], attachments: Iterable[Attachment]
) -> tuple[list[Entry], list[Attachment]]:
    """Entries for ``events`` with their files, and the files of no listed entry.

    Both arguments come from the scoped selectors, which leave out internal entries
    and internal files for client users; this only arranges them.
    """
    by_event: dict[int | None, list[Attachment]] = defaultdict(list)
    for attachment in attachments:
        by_event[attachment.event_id].append(attachment)
    entries = []
    for event in events:
        entries.append(
            Entry(
                who=event.actor_label or (str(event.actor) if event.actor else _("system")),
                when=event.created_at,
                what=_what(event),
                kind=event.kind,
                body=event.body,
                plain=event.kind == TicketEvent.Kind.STATUS,
                attachments=by_event.pop(event.pk, []),
            )
        )
    loose = [attachment for files in by_event.values() for attachment in files]
    return entries, loose
