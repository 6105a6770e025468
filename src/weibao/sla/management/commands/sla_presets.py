"""``weibao sla_presets``: add the shipped calendars and preset policies that are missing."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from weibao.sla.seed import presets_install


class Command(BaseCommand):
    help = "Add the statutory and 7×24 calendars and the preset SLA policies that are missing (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = presets_install(apps)
        self.stdout.write(f"{created} preset policies added.")
