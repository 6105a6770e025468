"""``backup_verify`` and ``backup_restore``: bring a backup up in a fresh data directory.

Nothing is restored from a backup whose files do not match its manifest. SQLite
backups become ``<data dir>/weibao.sqlite3``; PostgreSQL backups are loaded with
``pg_restore`` into the configured database, which must be empty unless forced.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.instance.backup import (
    FORMAT,
    MANIFEST,
    POSTGRES_FILE,
    SECRET_KEY_FILE,
    SQLITE_FILE,
    UPLOADS_DIR,
    BackupError,
)
from weibao.instance.files import (
    postgres_environment,
    postgres_program,
    private_copy,
    private_copy_tree,
    private_dir,
    sha256_file,
    walk_files,
)

RESTORED_SQLITE_NAME = "weibao.sqlite3"
# What loading the settings creates in a new data directory before any command runs.
_SETTINGS_LEFTOVERS = {"secret_key", "static"}


@dataclass(frozen=True)
class RestoreResult:
    data_dir: Path
    vendor: str
    manifest_sha256: str
    migrated: bool


def backup_verify(path: Path) -> dict[str, Any]:
    """Load a backup's manifest after checking every file against it.

    Side effects: none (reads files only).
    Raises BackupError naming the first file that is missing, changed or not listed.
    """
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{path} is not a Weibao backup: {MANIFEST} is missing")
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{manifest_path} is damaged: {exc}") from exc
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{manifest_path} is not a backup of format {FORMAT}")
    listed: dict[str, dict[str, Any]] = manifest["files"]
    present = {str(relative) for relative in walk_files(path)} - {MANIFEST}
    for name in sorted(present - listed.keys()):
        raise BackupError(f"checksum check failed: {name} is not listed in the manifest; nothing was restored")
    for name, entry in sorted(listed.items()):
        file = path / name
        if name not in present:
            raise BackupError(f"checksum check failed: {name} is missing; nothing was restored")
        if sha256_file(file) != entry.get("sha256"):
            raise BackupError(
                f"checksum check failed: {name} does not match the manifest "
                "(the backup was changed or damaged); nothing was restored"
            )
    return manifest


def backup_restore(
    *,
    actor: User | None,
    path: Path,
    data_dir: Path,
    force: bool = False,
    database: dict[str, Any] | None = None,
) -> RestoreResult:
    """Restore the backup at ``path`` into the new, empty directory ``data_dir``.

    Preconditions: every checksum matches (checked first); ``data_dir`` is missing or
    empty; for PostgreSQL, ``database`` (default: the configured one) has no tables
    unless ``force``. A backup made by a newer Weibao (unknown migrations) is refused;
    an older one is migrated forward after loading.
    Side effects: writes the data directory (0700, files 0600); loads the database;
    one ``instance.restore`` event in the restored database.
    Raises BackupError with the reason; nothing is written when a check fails.
    """
    path = path.resolve()
    data_dir = data_dir.resolve()
    manifest = backup_verify(path)
    manifest_sha256 = sha256_file(path / MANIFEST)
    _check_empty_target(data_dir)
    _check_migrations_known(manifest)
    vendor = manifest["database"]["vendor"]
    if vendor == "sqlite":
        target = _sqlite_target(data_dir)
    elif vendor == "postgresql":
        target = dict(database or connections["default"].settings_dict)
        if target["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("this is a PostgreSQL backup: set WEIBAO_DATABASE_URL to the PostgreSQL database to load")
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")

    with _default_database(target) as connection:
        if vendor == "postgresql":
            _check_postgres_target(connection, force=force)
        private_dir(data_dir)
        if vendor == "sqlite":
            private_copy(path / SQLITE_FILE, data_dir / RESTORED_SQLITE_NAME)
        else:
            _pg_restore(path / POSTGRES_FILE, connection, force=force)
        if (path / UPLOADS_DIR).is_dir():
            private_copy_tree(path / UPLOADS_DIR, data_dir / UPLOADS_DIR)
        if (path / SECRET_KEY_FILE).is_file():
            (data_dir / SECRET_KEY_FILE).unlink(missing_ok=True)
            private_copy(path / SECRET_KEY_FILE, data_dir / SECRET_KEY_FILE)
        _check_row_counts(connection, manifest["row_counts"])
        migrated = _migrate_forward(connection)
        # The actor's user row lives in the current database, not in the restored one.
        with transaction.atomic():
            event_record(
                actor=None,
                actor_label=actor.get_username() if actor else f"os:{getpass.getuser()}",
                action="instance.restore",
                after={
                    "path": str(path),
                    "data_dir": str(data_dir),
                    "files": len(manifest["files"]),
                    "bytes": sum(entry["bytes"] for entry in manifest["files"].values()),
                    "manifest_sha256": manifest_sha256,
                    "backup_created_at": manifest.get("created_at", ""),
                },
            )
    return RestoreResult(data_dir, vendor, manifest_sha256, migrated)


def _check_empty_target(data_dir: Path) -> None:
    if not data_dir.exists():
        return
    if not data_dir.is_dir():
        raise BackupError(f"{data_dir} is not a directory")
    entries = {entry.name for entry in data_dir.iterdir()}
    if data_dir == Path(settings.DATA_DIR).resolve():
        # Loading the settings with WEIBAO_DATA_DIR pointing here made these; nothing else may exist.
        static = data_dir / "static"
        if static.is_dir() and not any(static.iterdir()):
            entries -= _SETTINGS_LEFTOVERS
    if entries:
        raise BackupError(f"refusing to restore into {data_dir}: it is not empty (choose a new directory)")


def _check_migrations_known(manifest: dict[str, Any]) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest.get("migrations", [])) - known)
    if unknown:
        raise BackupError(
            "this backup comes from a newer Weibao (unknown migrations: "
            + ", ".join(unknown[:5])
            + "): upgrade Weibao first"
        )


def _sqlite_target(data_dir: Path) -> dict[str, Any]:
    current = connections["default"].settings_dict
    target = dict(current) if current["ENGINE"] == "django.db.backends.sqlite3" else {}
    target.update({"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / RESTORED_SQLITE_NAME)})
    return target


@contextmanager
def _default_database(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """Point this thread's default connection at the restore target for the duration.

    The event writer and migrate use the default connection; the restored database
    may be neither the configured one nor of the same vendor.
    """
    configured = connections.configure_settings({"default": dict(settings_dict)})["default"]
    wrapper: BaseDatabaseWrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, "default")
    saved = connections["default"]
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = saved


def _check_postgres_target(connection: BaseDatabaseWrapper, *, force: bool) -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables and not force:
        raise BackupError(
            f"refusing to restore into database {connection.settings_dict['NAME']}: it has {len(tables)} tables "
            "(use a new empty database, or --force to replace the objects the backup contains)"
        )


def _pg_restore(dump: Path, connection: BaseDatabaseWrapper, *, force: bool) -> None:
    connection.close()
    arguments = [
        postgres_program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if force:
        arguments += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [*arguments, str(dump)],
        capture_output=True,
        env=postgres_environment(connection.settings_dict),
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was loaded): {result.stderr.decode(errors='replace').strip()}")


def _check_row_counts(connection: BaseDatabaseWrapper, expected: dict[str, int]) -> None:
    counts: dict[str, int] = {}
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(connection.settings_dict["NAME"])) as database:
            for table in expected:
                quoted = '"' + table.replace('"', '""') + '"'
                counts[table] = database.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608 - quoted name
    else:
        with connection.cursor() as cursor:
            for table in expected:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - quoted name
                counts[table] = cursor.fetchone()[0]
    wrong = {table: (counts[table], rows) for table, rows in expected.items() if counts[table] != rows}
    if wrong:
        raise BackupError(f"the restored database does not hold the backed-up rows: {wrong}")


def _migrate_forward(connection: BaseDatabaseWrapper) -> bool:
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", database="default", interactive=False, verbosity=0)
    return True
