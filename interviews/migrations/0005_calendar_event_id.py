"""The calendar file's event keeps a random id of its own, and counts its changes."""

import uuid

from django.db import migrations, models

BATCH = 1000


def give_ids(apps, schema_editor):
    """A random id for each interview already kept (a default would give all one)."""
    Interview = apps.get_model("interviews", "Interview")
    rows = Interview.objects.filter(ical_uid__isnull=True).only("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.ical_uid = uuid.uuid4()
        batch.append(row)
        if len(batch) == BATCH:
            Interview.objects.bulk_update(batch, ["ical_uid"])
            batch = []
    Interview.objects.bulk_update(batch, ["ical_uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0004_answer_audio"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="ical_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="interview",
            name="ical_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="ical_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="ical_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="interview",
            constraint=models.UniqueConstraint(
                fields=("user", "ical_uid"), name="interview_user_ical_uid"
            ),
        ),
    ]
