"""``weibao intake_poll``: poll the enabled mailboxes once, now, in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from weibao.intake.models import Mailbox
from weibao.intake.poller import mailbox_poll


class Command(BaseCommand):
    help = "Poll the enabled mailboxes (or one) once and print what came in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", type=int, help="id of one mailbox")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = (
            [options["mailbox"]]
            if options["mailbox"]
            else list(Mailbox.objects.filter(enabled=True).values_list("pk", flat=True))
        )
        failed = False
        for pk in ids:
            result = mailbox_poll(pk)
            if result is None:
                self.stdout.write(f"mailbox {pk}: held by another poller")
                continue
            failed = failed or bool(result.error)
            self.stdout.write(
                f"mailbox {pk}: fetched {result.fetched}, new {result.stored}, duplicates {result.duplicates}"
                + (f", error: {result.error}" if result.error else "")
            )
        if failed:
            raise SystemExit(1)
