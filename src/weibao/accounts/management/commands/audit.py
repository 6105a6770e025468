"""``weibao audit verify|export|prune``: the audit trail from the command line.

- ``verify`` walks the hash chain; exit 0 with "ok, N events", else non-zero naming
  the first bad sequence. ``--checkpoint SEQ:HASH`` also checks a head noted earlier.
- ``export`` writes CSV (UTF-8 with BOM, for Excel) or JSON Lines; an ``audit.export``
  event records it.
- ``prune`` deletes events older than WEIBAO_AUDIT_RETENTION_DAYS (the scheduler does
  this daily); an ``audit.prune`` event records it.
"""

from __future__ import annotations

import datetime as dt
import getpass
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from weibao.accounts.audit_chain import ChainLink, chain_verify
from weibao.accounts.audit_export import FORMATS, audit_export_start, export_lines
from weibao.accounts.audit_guard import guard_installed
from weibao.accounts.audit_retention import RetentionTooShortError, audit_prune
from weibao.accounts.models import AuditEvent


def _operator() -> str:
    # Commands run with shell access to the installation, not as a Weibao user.
    try:
        return f"cli:{getpass.getuser()}"[:150]
    except (KeyError, OSError):
        return "cli"


def _moment(text: str, *, end_of_day: bool) -> dt.datetime:
    """A date (a whole local day; ``--until`` includes it) or an ISO date-time."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day + dt.timedelta(days=1 if end_of_day else 0), dt.time.min)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date or date-time: {text!r} (use 2026-05-10 or 2026-05-10T08:30)") from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _checkpoint(text: str) -> ChainLink:
    sequence, _sep, row_hash = text.partition(":")
    if not sequence.isdigit() or len(row_hash) != 64:
        raise CommandError("--checkpoint reads SEQUENCE:HASH, as printed by an earlier verify")
    return ChainLink(sequence=int(sequence), row_hash=row_hash.lower())


class Command(BaseCommand):
    help = "Verify, export or prune the audit trail."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser("verify", help="check the hash chain")
        verify.add_argument("--batch-size", type=int, default=1000)
        verify.add_argument("--checkpoint", help="SEQUENCE:HASH of a head noted earlier")
        export = commands.add_parser("export", help="write the trail as CSV or JSON Lines")
        export.add_argument("--format", choices=FORMATS, default="csv")
        export.add_argument("--since", help="first day (or date-time) to include")
        export.add_argument("--until", help="last day to include (or date-time to stop before)")
        export.add_argument("--action", default="", help="only actions starting with this, e.g. user.")
        export.add_argument("--output", "-o", help="file to write (default: standard output)")
        prune = commands.add_parser("prune", help="delete events past the retention period")
        prune.add_argument("--days", type=int, help="retention in days (default: WEIBAO_AUDIT_RETENTION_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        {"verify": self.verify, "export": self.export, "prune": self.prune}[options["subcommand"]](options)

    def verify(self, options: dict[str, Any]) -> None:
        checkpoint = _checkpoint(options["checkpoint"]) if options.get("checkpoint") else None
        report = chain_verify(batch_size=max(1, options["batch_size"]), checkpoint=checkpoint)
        if not report.ok:
            raise CommandError(f"audit chain broken at event {report.first_bad_sequence}: {report.problem}")
        if not guard_installed():
            raise CommandError("the append-only triggers on the audit table are missing; run `weibao migrate`")
        head = f"head {report.head.sequence}:{report.head.row_hash}" if report.head is not None else "empty"
        self.stdout.write(f"ok, {report.count} events ({head})")

    def export(self, options: dict[str, Any]) -> None:
        filters: dict[str, Any] = {"action": options["action"]}
        events = AuditEvent.objects.all()
        if options["action"]:
            events = events.filter(action__startswith=options["action"])
        if options.get("since"):
            filters["since"] = _moment(options["since"], end_of_day=False)
            events = events.filter(at__gte=filters["since"])
        if options.get("until"):
            filters["until"] = _moment(options["until"], end_of_day=True)
            events = events.filter(at__lt=filters["until"])
        export = audit_export_start(
            actor=None, actor_label=_operator(), events=events, filters=filters, export_format=options["format"]
        )
        path = options.get("output")
        if not path:
            for chunk in export_lines(export):
                self.stdout.write(chunk, ending="")
            return
        with open(path, "w", encoding="utf-8", newline="") as handle:
            for chunk in export_lines(export):
                handle.write(chunk)
        self.stderr.write(f"{export.count} events written to {path}")

    def prune(self, options: dict[str, Any]) -> None:
        try:
            result = audit_prune(actor=None, actor_label=_operator(), retention_days=options.get("days"))
        except RetentionTooShortError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"deleted {result.deleted} events older than {result.cutoff.isoformat()}")
