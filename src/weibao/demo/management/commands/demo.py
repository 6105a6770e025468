"""``weibao demo``: load the demo data set and print how to sign in."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from weibao.demo.loader import DEFAULT_PASSWORD, demo_load
from weibao.demo.report import summary_lines


class Command(BaseCommand):
    """Entry point for ``demo_load``; see ``weibao.demo.loader`` for what it writes.

    Fails with CommandError (nothing written) when the password or a row is invalid.
    """

    help = (
        "Load a realistic Chinese demo data set; running it again creates nothing new. "
        "The demo users' password comes from WEIBAO_DEMO_PASSWORD (default Weibao@2026)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Also set the demo password on demo users that already exist.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless there is an error.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("WEIBAO_DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            summary = demo_load(password=password, reset_passwords=options["reset_passwords"])
        except ValidationError as error:
            raise CommandError(
                _("The demo data was not loaded: %(errors)s") % {"errors": "; ".join(error.messages)}
            ) from error
        if not options["quiet"]:
            self.stdout.write("\n".join(summary_lines(summary, password=password)))
