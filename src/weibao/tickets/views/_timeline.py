"""Timeline entries in words: what each kind of TicketEvent says happened."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.tickets import workflow
from weibao.tickets.models import Channel, Ticket, TicketEvent

# Procedure records named in ``record`` timeline entries (services._procedure.record_event).
RECORD_LABELS = {
    "review": gettext_lazy("Review opinion"),
    "plan": gettext_lazy("Maintenance plan"),
    "task_order": gettext_lazy("Task order"),
    "remote_consent": gettext_lazy("Remote-access consent"),
    "work_log": gettext_lazy("Work log"),
    "data_change": gettext_lazy("Data change"),
    "milestone": gettext_lazy("Milestone"),
    "complaint": gettext_lazy("Complaint record"),
    "corrective_action": gettext_lazy("Corrective or preventive action"),
}


def _record(data: dict[str, Any]) -> str:
    label = RECORD_LABELS.get(str(data.get("record")))
    if label is None:
        return ""
    number = data.get("number")
    return f"{label} {number}" if isinstance(number, str) else str(label)


def _label(enum: Any, labels: dict[Any, Any], value: Any) -> str:
    try:
        return str(labels[enum(value)])
    except (ValueError, KeyError):
        return str(value or "")


def _field_name(name: str) -> str:
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _channel(value: Any) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return str(value or "")


def _status(event: TicketEvent, data: dict[str, Any]) -> str:
    action = _label(workflow.Action, workflow.ACTION_LABELS, data.get("action"))
    source = _label(workflow.Status, workflow.STATUS_LABELS, data.get("from"))
    target = _label(workflow.Status, workflow.STATUS_LABELS, data.get("to"))
    if source and target:
        return _("%(action)s: %(source)s → %(target)s") % {"action": action, "source": source, "target": target}
    return action or str(event.get_kind_display())


def _assigned(data: dict[str, Any]) -> str:
    target, team = data.get("to"), data.get("team")
    if data.get("how") == "claim":
        return _("Claimed the request")
    parts = []
    if target:
        parts.append(_("Assigned to %(user)s") % {"user": target})
    if team:
        parts.append(_("team %(team)s") % {"team": team})
    if data.get("from") and data.get("from") != target:
        parts.append(_("before: %(user)s") % {"user": data["from"]})
    return "，".join(parts) or _("Assignment changed")


def event_summary(event: TicketEvent) -> str:  # noqa: PLR0911 - one answer per kind of entry
    """One line saying what ``event`` records; its text (reply, reason) is shown beside it."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    if kind == TicketEvent.Kind.CREATED:
        text = _("Registered via %(channel)s") % {"channel": _channel(data.get("channel"))}
        return text + (_(" on the client's behalf") if data.get("on_behalf") else "")
    if kind == TicketEvent.Kind.STATUS:
        return _status(event, data)
    if kind == TicketEvent.Kind.ASSIGNED:
        return _assigned(data)
    if kind == TicketEvent.Kind.RETURNED:
        previous = data.get("from")
        return _("Returned to dispatch by %(user)s") % {"user": previous} if previous else _("Returned to dispatch")
    if kind == TicketEvent.Kind.CHANGED:
        fields = data.get("fields") or []
        names = "、".join(_field_name(str(name)) for name in fields if isinstance(name, str))
        return _("Changed %(fields)s") % {"fields": names} if names else _("Details changed")
    if kind == TicketEvent.Kind.RECORD and _record(data):
        return _record(data)
    if kind == TicketEvent.Kind.LINKED and data.get("merged"):
        return _("%(number)s was merged into this request") % {"number": data["merged"]}
    return str(event.get_kind_display())


def timeline_rows(events: Any) -> list[tuple[TicketEvent, str]]:
    return [(event, event_summary(event)) for event in events]
