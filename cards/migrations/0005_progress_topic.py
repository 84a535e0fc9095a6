"""Progress rows carry their card's topic and suspension (copied here; made
required and indexed in 0006, in a transaction of its own, as PostgreSQL will
not alter a table with the copy's foreign-key checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery



def copy_card_fields(apps, schema_editor):
    Card = apps.get_model("cards", "Card")
    Progress = apps.get_model("cards", "Progress")
    card = Card.objects.filter(pk=OuterRef("card_id"))
    Progress.objects.update(
        topic_id=Subquery(card.values("topic_id")[:1]),
        suspended=Subquery(card.values("suspended")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0004_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="progress",
            name="topic",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cards.topic",
            ),
        ),
        migrations.AddField(
            model_name="progress",
            name="suspended",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(copy_card_fields, migrations.RunPython.noop, elidable=True),
    ]
