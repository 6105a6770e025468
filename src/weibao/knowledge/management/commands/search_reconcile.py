"""``weibao search_reconcile [--check] [--kind article|request]``: find and repair search-index drift.

Without ``--check`` the missing, stale and orphan entries are repaired; with it they
are only counted, and the command exits non-zero when there is any drift.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search.reconcile import reconcile


class Command(BaseCommand):
    help = "Find (and unless --check, repair) drift between the search index and articles and requests."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only count the drift; exit 1 if there is any.")
        parser.add_argument("--kind", action="append", choices=SearchEntry.Kind.values, help="Only this kind.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = reconcile(repair=not options["check"], kinds=options["kind"])
        for drift in report:
            self.stdout.write(
                f"{drift.kind}: {drift.checked} checked, {drift.missing} missing, "
                f"{drift.stale} stale, {drift.orphans} orphans"
            )
        if options["check"] and any(drift.total for drift in report):
            raise CommandError("the search index has drifted; run without --check to repair it")
