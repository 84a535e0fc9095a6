"""Full-text search over card faces: an FTS5 table kept in step by triggers on
SQLite, a GIN index over the same words on PostgreSQL. cards.search queries
whichever the database has.

0009_card_search_by_owner replaces the SQLite table and its triggers."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE cards_card_fts USING fts5(
        front, back, content='cards_card', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER cards_card_fts_insert AFTER INSERT ON cards_card BEGIN
        INSERT INTO cards_card_fts(rowid, front, back) VALUES (new.id, new.front, new.back);
    END""",
    """CREATE TRIGGER cards_card_fts_delete AFTER DELETE ON cards_card BEGIN
        INSERT INTO cards_card_fts(cards_card_fts, rowid, front, back)
        VALUES ('delete', old.id, old.front, old.back);
    END""",
    """CREATE TRIGGER cards_card_fts_update AFTER UPDATE OF front, back ON cards_card BEGIN
        INSERT INTO cards_card_fts(cards_card_fts, rowid, front, back)
        VALUES ('delete', old.id, old.front, old.back);
        INSERT INTO cards_card_fts(rowid, front, back) VALUES (new.id, new.front, new.back);
    END""",
    "INSERT INTO cards_card_fts(cards_card_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cards_card_fts_update",
    "DROP TRIGGER IF EXISTS cards_card_fts_delete",
    "DROP TRIGGER IF EXISTS cards_card_fts_insert",
    "DROP TABLE IF EXISTS cards_card_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX card_search_words ON cards_card USING GIN (
        to_tsvector('simple'::regconfig, COALESCE(front, '') || ' ' || COALESCE(back, '')))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS card_search_words"]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("cards", "0002_quiz")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
