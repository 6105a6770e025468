"""``weibao restore``: bring a backup up in a new data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weibao.instance.backup import BackupError
from weibao.instance.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Check every checksum of a backup, then restore it into a new, empty data directory "
        "(SQLite) or into the database of WEIBAO_DATABASE_URL (PostgreSQL, which must be empty)."
    )

    # The checks would open the configured database, creating an empty SQLite file in
    # the very data directory that is about to receive the restored one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a weibao-backup-<time> directory")
        parser.add_argument("--data-dir", type=Path, required=True, help="new, empty data directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="PostgreSQL: load even though the database has tables (the backup's objects replace them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(
                actor=None, path=Path(options["path"]), data_dir=Path(options["data_dir"]), force=options["force"]
            )
        except (BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {result.vendor} backup into {result.data_dir}")
        if result.migrated:
            self.stdout.write("the backup was older than this Weibao: migrations were applied")
        self.stdout.write(f"start Weibao with WEIBAO_DATA_DIR={result.data_dir}")
