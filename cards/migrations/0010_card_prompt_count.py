"""Each card keeps how many prompts it asks, so the prompts per topic are a sum
over the (owner, topic, suspended, prompt_count) index instead of a join of
every prompt with its card.

On SQLite, adding (and removing) the column makes Django rebuild cards_card,
which drops the search triggers of 0009: they are set up again after the
rebuild, both ways."""

import importlib

from django.db import migrations, models

# Counted from the prompts themselves, which sync_prompts kept in step.
FILL = """
UPDATE cards_card SET prompt_count = (
    SELECT COUNT(*) FROM cards_prompt WHERE cards_prompt.card_id = cards_card.id
)
"""


def search_index_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        search = importlib.import_module("cards.migrations.0009_card_search_by_owner")
        for statement in search.FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0009_card_search_by_owner"),
    ]

    operations = [
        # Run backward last, after the column is gone.
        migrations.RunPython(migrations.RunPython.noop, search_index_again),
        migrations.RemoveIndex(model_name="card", name="card_owner_topic"),
        migrations.AddField(
            model_name="card",
            name="prompt_count",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(
                fields=["owner", "topic", "suspended", "prompt_count"], name="card_owner_topic"
            ),
        ),
        migrations.RunPython(search_index_again, migrations.RunPython.noop),
    ]
