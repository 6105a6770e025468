"""``backup_create``: a consistent online snapshot of this installation.

A backup is a directory ``weibao-backup-<UTC time>`` (mode 0700) holding

- ``database.sqlite3`` (SQLite, written with the online backup API) or ``database.dump``
  (PostgreSQL, ``pg_dump -Fc``);
- ``uploads/``: the uploaded files;
- ``secret_key``: the generated key from the data directory, when there is one;
- ``manifest.json``: format, Weibao version, time, database vendor, applied migrations,
  the row count of every table in the snapshot, and the SHA-256 and size of every file.

Every file is mode 0600. The row counts come from the same snapshot as the copy: on
SQLite they are counted in the copy itself; on PostgreSQL pg_dump joins the
repeatable-read snapshot the counts were taken in (``pg_export_snapshot``).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import connections, transaction

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.instance.files import (
    is_inside,
    postgres_environment,
    postgres_program,
    private_copy,
    private_copy_tree,
    private_dir,
    private_file,
    sha256_file,
    walk_files,
)

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
UPLOADS_DIR = "uploads"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str

    @property
    def file_count(self) -> int:
        return len(self.manifest["files"])

    @property
    def total_bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.manifest["files"].values())


def default_backup_root() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def uploads_root() -> Path | None:
    location = getattr(storages["default"], "location", None)
    return Path(location) if location else None


def weibao_version() -> str:
    try:
        return metadata.version("weibao")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup_create(*, actor: User | None, output: Path | None = None) -> BackupResult:
    """Write a consistent online backup of the database, uploads and key into a new directory.

    Preconditions: not inside a transaction (the PostgreSQL snapshot needs its own);
    ``output`` (default ``<data dir>/backups``) lies outside everything served or backed up.
    Side effects: creates ``<output>/weibao-backup-<time>/``; one ``instance.backup`` event.
    Raises BackupError for an unusable output or a failed database copy.
    Writers keep working meanwhile. Not atomic as a whole: a half-written directory is
    removed on failure.
    """
    root = (output or default_backup_root()).resolve()
    _check_output(root)
    private_dir(root)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = root / f"weibao-backup-{stamp}"
    private_dir(target)
    try:
        manifest = _write_backup(target, "default")
    except BaseException:
        _remove_tree(target)
        raise
    result = BackupResult(target, manifest, sha256_file(target / MANIFEST))
    with transaction.atomic():
        event_record(
            actor=actor,
            actor_label=None if actor else f"os:{getpass.getuser()}",
            action="instance.backup",
            after={
                "path": str(target),
                "files": result.file_count,
                "bytes": result.total_bytes,
                "manifest_sha256": result.manifest_sha256,
            },
        )
    return result


def _check_output(root: Path) -> None:
    forbidden = {"static files": Path(settings.STATIC_ROOT)}
    uploads = uploads_root()
    if uploads is not None:
        forbidden["uploads"] = uploads
    for label, path in forbidden.items():
        if is_inside(root, path):
            raise BackupError(f"refusing to write backups under the {label} directory {path}: choose another --output")


def _write_backup(target: Path, alias: str) -> dict[str, Any]:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        snapshot = _sqlite_snapshot(alias, target / SQLITE_FILE)
        database_file = SQLITE_FILE
    elif connection.vendor == "postgresql":
        snapshot = _postgres_snapshot(alias, target / POSTGRES_FILE)
        database_file = POSTGRES_FILE
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    # Uploads are copied after the database snapshot: files added meanwhile are extra
    # (harmless); files are never changed in place (random names), only added or deleted.
    uploads = uploads_root()
    if uploads is not None and uploads.is_dir():
        private_copy_tree(uploads, target / UPLOADS_DIR)
    else:
        private_dir(target / UPLOADS_DIR)
    key_file = Path(settings.DATA_DIR) / SECRET_KEY_FILE
    if key_file.is_file():
        private_copy(key_file, target / SECRET_KEY_FILE)
    manifest = {
        "format": FORMAT,
        "weibao_version": weibao_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"vendor": connection.vendor, "file": database_file},
        "migrations": snapshot["migrations"],
        "row_counts": snapshot["row_counts"],
        "files": {
            str(relative): {"sha256": sha256_file(target / relative), "bytes": (target / relative).stat().st_size}
            for relative in walk_files(target)
        },
    }
    with os.fdopen(private_file(target / MANIFEST), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return manifest


def _sqlite_snapshot(alias: str, target: Path) -> dict[str, Any]:
    os.close(private_file(target))
    connection = connections[alias]
    connection.ensure_connection()
    live: sqlite3.Connection = connection.connection
    with closing(sqlite3.connect(target)) as copy:
        # pages=-1 copies everything in one step under one read transaction, so the copy
        # is one consistent state even while other processes commit (WAL mode).
        live.backup(copy, pages=-1)
        # A self-contained file: no -wal beside it to lose.
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"the database copy failed its integrity check: {check}")
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}  # noqa: S608 - names from sqlite_master
        migrations = sorted(f"{app}.{name}" for app, name in copy.execute("SELECT app, name FROM django_migrations"))
    return {"row_counts": counts, "migrations": migrations}


def _postgres_snapshot(alias: str, target: Path) -> dict[str, Any]:
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("a PostgreSQL backup needs its own transaction: do not call it inside one")
    with _repeatable_read(alias) as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts: dict[str, int] = {}
        for qualified in tables:
            cursor.execute(f"SELECT count(*) FROM {qualified}")  # noqa: S608 - names quoted by quote_ident
            counts[qualified.split(".", 1)[1].strip('"')] = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
        fd = private_file(target)
        try:
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [postgres_program("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}", "--no-password"],
                stdout=fd,
                stderr=subprocess.PIPE,
                env=postgres_environment(connection.settings_dict),
                check=False,
            )
        finally:
            os.fsync(fd)
            os.close(fd)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace').strip()}")
    return {"row_counts": counts, "migrations": migrations}


@contextmanager
def _repeatable_read(alias: str) -> Iterator[Any]:
    """A read-only repeatable-read transaction: one snapshot for the counts and pg_dump."""
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield cursor


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
