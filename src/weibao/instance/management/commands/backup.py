"""``weibao backup``: write a consistent online backup of this installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weibao.instance.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump), the uploads and the generated key into "
        "a new directory weibao-backup-<time> with a checksum manifest; files 0600, directory 0700."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="directory that receives the backup directory (default: <data dir>/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            output = options["output"]
            result = backup_create(actor=None, output=Path(output) if output else None)
        except (BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.path}\n{result.file_count} files, {result.total_bytes} bytes, "
            f"manifest sha256 {result.manifest_sha256}"
        )
