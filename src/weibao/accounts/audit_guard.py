"""Append-only in the database itself: triggers that refuse to change audit rows.

The model already refuses ``save()`` of an existing row and ``delete()``; these
triggers also stop raw SQL from the application's own connection (a bug, an
injection, a careless console session).

- PostgreSQL: a row trigger refuses every UPDATE and every DELETE, except a DELETE
  in a transaction that ran ``set_config('weibao.audit_prune', 'on', true)`` —
  which only retention pruning does (:func:`prune_allowed`).
- SQLite: a trigger refuses every UPDATE; a DELETE is refused unless the row is the
  oldest one left, so the trail can only be shortened from its old end, as pruning
  does. (SQLite has no session variables a trigger could read; and Django's ``flush``,
  which test runs use, empties tables with a plain DELETE that this still allows.)

Neither stops a database superuser or PostgreSQL's TRUNCATE (table owners only);
the hash chain shows what such a person changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from weibao.accounts.models import AuditEvent

TABLE = AuditEvent._meta.db_table
PRUNE_SETTING = "weibao.audit_prune"

_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION weibao_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('{PRUNE_SETTING}', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS weibao_audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER weibao_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION weibao_audit_append_only()
    """,
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS weibao_audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS weibao_audit_append_only()",
]
# The only name formatted into these statements is the model's own table name.
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS weibao_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS weibao_audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.sequence IS NOT NULL AND OLD.sequence > (SELECT min(sequence) FROM {TABLE})
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: only the oldest may be deleted'); END
    """,  # noqa: S608
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS weibao_audit_no_update",
    "DROP TRIGGER IF EXISTS weibao_audit_no_delete",
]
TRIGGER_NAMES = {
    "postgresql": {"weibao_audit_append_only"},
    "sqlite": {"weibao_audit_no_update", "weibao_audit_no_delete"},
}


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_REMOVE
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    return []


def guard_install(conn: BaseDatabaseWrapper | None = None) -> None:
    """Create (or re-create) the append-only triggers; safe to run any number of times."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in _statements(conn.vendor, install=True):
            cursor.execute(statement)


def guard_remove(conn: BaseDatabaseWrapper | None = None) -> None:
    """Drop the triggers (migration rollback only)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in _statements(conn.vendor, install=False):
            cursor.execute(statement)


def guard_installed(conn: BaseDatabaseWrapper | None = None) -> bool:
    """True if every append-only trigger of this database kind exists."""
    conn = conn or connection
    wanted = TRIGGER_NAMES.get(conn.vendor, set())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
        elif conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            return True
        present = {row[0] for row in cursor.fetchall()}
    return wanted <= present


@contextlib.contextmanager
def prune_allowed() -> Iterator[None]:
    """Within the block, this transaction may delete old audit rows (PostgreSQL; no-op elsewhere).

    Preconditions: inside ``transaction.atomic``. The setting is transaction-local and
    switched off again when the block ends, so nothing later in the same (outer)
    transaction inherits it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])


def reinstall_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: SQLite drops a table's triggers when a migration rebuilds it."""
    if getattr(sender, "label", None) != AuditEvent._meta.app_label:
        return
    conn = connections[using]
    if TABLE in conn.introspection.table_names() and not guard_installed(conn):
        guard_install(conn)
