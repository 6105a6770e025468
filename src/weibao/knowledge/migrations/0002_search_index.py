"""The full-text side of the search index over ``knowledge_searchentry``'s segmented text.

SQLite: an FTS5 table (unicode61 tokenizer over the space-separated terms) whose
external content is the entry table, kept in step by triggers. PostgreSQL: a
``vector`` tsvector column (title terms weighted A, text terms B, ``simple``
configuration) kept by a trigger, with a GIN index, and a pg_trgm index on the
original title for near matches of misspelt words. A later migration that makes
SQLite rebuild the entry table drops the triggers with it and must create them again.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(title_terms, terms, "
    "content='knowledge_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER knowledge_search_fts_insert AFTER INSERT ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(rowid, title_terms, terms) VALUES (new.id, new.title_terms, new.terms); END",
    "CREATE TRIGGER knowledge_search_fts_delete AFTER DELETE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title_terms, terms) "
    "VALUES ('delete', old.id, old.title_terms, old.terms); END",
    "CREATE TRIGGER knowledge_search_fts_update AFTER UPDATE ON knowledge_searchentry "
    "WHEN old.title_terms IS NOT new.title_terms OR old.terms IS NOT new.terms BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title_terms, terms) "
    "VALUES ('delete', old.id, old.title_terms, old.terms); "
    "INSERT INTO knowledge_search_fts(rowid, title_terms, terms) VALUES (new.id, new.title_terms, new.terms); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowledge_search_fts_update",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_delete",
    "DROP TRIGGER IF EXISTS knowledge_search_fts_insert",
    "DROP TABLE IF EXISTS knowledge_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE knowledge_searchentry ADD COLUMN vector tsvector",
    "CREATE FUNCTION knowledge_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.vector := setweight(to_tsvector('simple', NEW.title_terms), 'A') "
    "|| setweight(to_tsvector('simple', NEW.terms), 'B'); RETURN NEW; END $$",
    "CREATE TRIGGER knowledge_search_vector BEFORE INSERT OR UPDATE OF title_terms, terms "
    "ON knowledge_searchentry FOR EACH ROW EXECUTE FUNCTION knowledge_search_vector()",
    "CREATE INDEX knowledge_search_vector_gin ON knowledge_searchentry USING gin (vector)",
    "CREATE INDEX knowledge_search_title_trgm ON knowledge_searchentry USING gin (lower(title) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_search_title_trgm",
    "DROP INDEX IF EXISTS knowledge_search_vector_gin",
    "DROP TRIGGER IF EXISTS knowledge_search_vector ON knowledge_searchentry",
    "DROP FUNCTION IF EXISTS knowledge_search_vector()",
    "ALTER TABLE knowledge_searchentry DROP COLUMN IF EXISTS vector",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
