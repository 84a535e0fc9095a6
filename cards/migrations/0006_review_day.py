"""Progress is indexed by person, topic and due date (suspended cards left out),
and reviews are counted per local day (filled in 0007): the study queue, the
due counts and the dashboard then read one table through an index instead of
joining every card or grouping the whole review log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0005_progress_topic"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="progress",
            name="topic",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cards.topic",
            ),
        ),
        migrations.RemoveIndex(model_name="progress", name="progress_user_due"),
        migrations.RemoveIndex(model_name="card", name="card_owner_topic"),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["owner", "topic", "suspended"], name="card_owner_topic"),
        ),
        migrations.AddIndex(
            model_name="progress",
            index=models.Index(
                condition=models.Q(suspended=False),
                fields=["user", "due", "state"],
                name="progress_live_due",
            ),
        ),
        migrations.AddIndex(
            model_name="progress",
            index=models.Index(
                condition=models.Q(suspended=False),
                fields=["user", "topic", "due", "stability"],
                name="progress_live_topic_due",
            ),
        ),
        migrations.CreateModel(
            name="ReviewDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("reviews", models.PositiveIntegerField(default=0)),
                (
                    "in_review",
                    models.PositiveIntegerField(default=0, help_text="Grades of cards in review."),
                ),
                (
                    "passed",
                    models.PositiveIntegerField(
                        default=0, help_text="Of those, the ones not Again."
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cards.topic",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_days",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "day", "topic"), name="review_day_unique"
                    )
                ],
            },
        ),
    ]
