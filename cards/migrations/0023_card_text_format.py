"""Each card says how its text is read: Markdown (every card so far) or HTML
(cards from Anki).

On SQLite, adding the column and its check makes Django rebuild cards_card,
which drops the search triggers of 0009: they are set up again after the
rebuild, both ways (as in 0010)."""

import importlib

from django.db import migrations, models


# The same step as 0010's: the triggers of 0009, set up again on SQLite.
search_index_again = importlib.import_module(
    "cards.migrations.0010_card_prompt_count"
).search_index_again


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0022_import_job_reading"),
    ]

    operations = [
        # Run backward last, after the column is gone.
        migrations.RunPython(migrations.RunPython.noop, search_index_again),
        migrations.AddField(
            model_name="card",
            name="text_format",
            field=models.CharField(
                choices=[("markdown", "Markdown"), ("html", "HTML (as Anki writes it)")],
                default="markdown",
                help_text="How the front and back are read: Markdown, or HTML (cards from Anki).",
                max_length=8,
                verbose_name="text format",
            ),
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.CheckConstraint(
                condition=models.Q(("text_format__in", ["markdown", "html"])),
                name="card_text_format_valid",
            ),
        ),
        migrations.RunPython(search_index_again, migrations.RunPython.noop),
    ]
