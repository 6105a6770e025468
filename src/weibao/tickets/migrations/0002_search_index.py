"""Substring search over a request's summary and description, indexed on both databases.

SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers (the
request table is its external content). PostgreSQL: a pg_trgm GIN index on the
summary and description. Both answer ``%term%`` for terms of three or more
characters from the index, Chinese included; shorter terms fall back to a scan.
"""

from django.db import migrations

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE tickets_ticket_search USING fts5("
    "title, description, content='tickets_ticket', content_rowid='id', tokenize='trigram')"
)
# A migration that makes SQLite rebuild tickets_ticket (most column changes do) drops
# these triggers with the old table: it must create them again (see 0003).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER tickets_ticket_search_insert AFTER INSERT ON tickets_ticket BEGIN "
    "INSERT INTO tickets_ticket_search(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER tickets_ticket_search_delete AFTER DELETE ON tickets_ticket BEGIN "
    "INSERT INTO tickets_ticket_search(tickets_ticket_search, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    # Only when the text changed: a status change rewrites every column of the row.
    "CREATE TRIGGER tickets_ticket_search_update AFTER UPDATE OF title, description ON tickets_ticket "
    "WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN "
    "INSERT INTO tickets_ticket_search(tickets_ticket_search, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO tickets_ticket_search(rowid, title, description) VALUES (new.id, new.title, new.description); END",
]
SQLITE_FORWARD = [
    SQLITE_TABLE,
    *SQLITE_TRIGGERS,
    "INSERT INTO tickets_ticket_search(tickets_ticket_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_ticket_search_update",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_delete",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_insert",
    "DROP TABLE IF EXISTS tickets_ticket_search",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX tickets_ticket_search_trgm ON tickets_ticket USING gin ((title || ' ' || description) gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS tickets_ticket_search_trgm"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
