"""SQLite's full-text index learns each card's owner, and indexes one- and
two-letter prefixes.

The index of 0003 held every person's words together: a search for words
that someone else has on 100,000 cards looked at each of those cards before
finding one's own. The new table keeps an ``owner`` column ("o" and the
owner's id, "o0" for the starter library) that a search names in its query,
so the index answers with the reader's cards alone. It is contentless (the
words live in cards_card only), kept in step by triggers as before, and has
prefix indexes for the first letters a person types into the search box.

PostgreSQL keeps 0003's GIN index: cards.search phrases its query so the
index is scanned first.

On SQLite, a later migration that rebuilds cards_card (Django copies the table
to alter it) drops the triggers: such a migration must run FORWARD again.
tests/cards/test_search.py fails if search stops seeing new cards."""

import importlib

from django.db import migrations

TABLE = """CREATE VIRTUAL TABLE cards_card_fts USING fts5(
    owner, front, back, content='', prefix='1 2',
    tokenize='unicode61 remove_diacritics 2')"""
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS cards_card_fts_update",
    "DROP TRIGGER IF EXISTS cards_card_fts_delete",
    "DROP TRIGGER IF EXISTS cards_card_fts_insert",
]


def owner_of(row: str) -> str:
    """The owner column's word for a card row: "o" and its owner's id, "o0" for
    the starter library."""
    return f"'o' || COALESCE({row}owner_id, 0)"


ADD_NEW = f"""INSERT INTO cards_card_fts(rowid, owner, front, back)
        VALUES (new.id, {owner_of("new.")}, new.front, new.back);"""
REMOVE_OLD = f"""INSERT INTO cards_card_fts(cards_card_fts, rowid, owner, front, back)
        VALUES ('delete', old.id, {owner_of("old.")}, old.front, old.back);"""

FORWARD = [
    *DROP_TRIGGERS,
    "DROP TABLE IF EXISTS cards_card_fts",
    TABLE,
    f"""INSERT INTO cards_card_fts(rowid, owner, front, back)
        SELECT id, {owner_of("")}, front, back FROM cards_card""",
    f"CREATE TRIGGER cards_card_fts_insert AFTER INSERT ON cards_card BEGIN {ADD_NEW} END",
    f"CREATE TRIGGER cards_card_fts_delete AFTER DELETE ON cards_card BEGIN {REMOVE_OLD} END",
    f"""CREATE TRIGGER cards_card_fts_update AFTER UPDATE OF owner_id, front, back
        ON cards_card BEGIN {REMOVE_OLD} {ADD_NEW} END""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        first = importlib.import_module("cards.migrations.0003_card_search")
        for statement in [*first.SQLITE_BACKWARD, *first.SQLITE_FORWARD]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cards", "0008_reviewlog_day_required")]

    operations = [migrations.RunPython(forward, backward)]
