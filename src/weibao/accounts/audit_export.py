"""Export of the audit trail as CSV (for Excel) or JSON Lines (for machines).

An export is itself an audited act: :func:`audit_export_start` writes
``audit.export`` (who, which filters, how many rows) and freezes the rows to those
present at that moment, so the count in the event is the count in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from weibao.accounts.audit import event_record
from weibao.accounts.audit_chain import chain_head, chain_lock
from weibao.accounts.models import AuditEvent, User

FORMATS = ("csv", "jsonl")
BATCH = 1000
# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: str) -> str:
    """``value`` with a leading ' when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


@dataclass(frozen=True)
class AuditExport:
    """Rows to write (sequence order) and how many there are."""

    events: QuerySet[AuditEvent]
    count: int
    export_format: str


def _filters_json(filters: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        shown[key] = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
    return shown


@transaction.atomic
def audit_export_start(
    *,
    actor: User | None,
    events: QuerySet[AuditEvent],
    filters: dict[str, Any],
    export_format: str,
    actor_label: str | None = None,
) -> AuditExport:
    """Freeze ``events`` (already narrowed and permission-checked by the caller) for export.

    Preconditions: ``events`` came from ``selectors.audit_event_list`` for a user, or
    from the command line (an operator of the installation).
    Raises ValueError for an unknown format.
    Side effects: writes ``audit.export`` with the filters and the row count.
    """
    if export_format not in FORMATS:
        raise ValueError(f"export format is one of {', '.join(FORMATS)}, not {export_format!r}")
    chain_lock()
    head = chain_head()
    frozen = events.filter(sequence__lte=head.sequence if head is not None else 0).order_by("sequence")
    count = frozen.count()
    event_record(
        actor=actor,
        actor_label=actor_label,
        action="audit.export",
        after={"format": export_format, "filters": _filters_json(filters), "rows": count},
    )
    return AuditExport(events=frozen, count=count, export_format=export_format)


def export_rows(events: QuerySet[AuditEvent]) -> Iterator[AuditEvent]:
    """The events in sequence order, fetched in batches by key (constant memory)."""
    ordered = events.select_related("object_type").order_by("sequence")
    batch = list(ordered[:BATCH])
    while batch:
        yield from batch
        batch = list(ordered.filter(sequence__gt=batch[-1].sequence)[:BATCH])


def _type_label(event: AuditEvent) -> str:
    content_type = event.object_type
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def csv_lines(export: AuditExport) -> Iterator[str]:
    """The export as CSV text chunks: a BOM, a header in the active language, one line per event.

    The header and time zone are fixed now, while the request's language is active;
    the rows are read as the response streams.
    """
    zone = timezone.get_current_timezone()
    header = [
        _("Sequence"),
        _("Time (%(zone)s)") % {"zone": getattr(zone, "key", str(zone))},
        _("Who"),
        _("IP address"),
        pgettext("audit event", "Action"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Client ID"),
        _("Before"),
        _("After"),
        _("Row hash"),
    ]
    return _csv_stream(export, header, zone)


def _csv_stream(export: AuditExport, header: list[str], zone: dt.tzinfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield BOM + flush()
    for number, event in enumerate(export_rows(export.events), start=1):
        cells = [
            timezone.localtime(event.at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.address or "",
            event.action,
            _type_label(event),
            event.object_id,
            event.object_repr,
            "" if event.client_id is None else str(event.client_id),
            _json_text(event.before),
            _json_text(event.after),
            event.row_hash,
        ]
        writer.writerow([str(event.sequence), *(cell_safe(cell) for cell in cells)])
        if number % 200 == 0:
            yield flush()
    yield flush()


def jsonl_lines(export: AuditExport) -> Iterator[str]:
    """The export as JSON Lines: one object per event with stable English keys, times in UTC."""
    for event in export_rows(export.events):
        record = {
            "sequence": event.sequence,
            "at": event.at.astimezone(dt.UTC).isoformat(),
            "actor_id": event.actor_id,
            "actor": event.actor_label,
            "address": event.address,
            "action": event.action,
            "object_type": _type_label(event),
            "object_id": event.object_id,
            "object": event.object_repr,
            "client_id": event.client_id,
            "before": event.before,
            "after": event.after,
            "prev_hash": event.prev_hash,
            "row_hash": event.row_hash,
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"


def export_lines(export: AuditExport) -> Iterator[str]:
    return csv_lines(export) if export.export_format == "csv" else jsonl_lines(export)
