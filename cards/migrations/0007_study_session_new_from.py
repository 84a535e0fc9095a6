"""Each review keeps the local day it was graded on, and the per-day counts
are built from it; study sessions remember where new cards start."""

import zoneinfo

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate

from cards import review_days


def person_zones(apps) -> dict[int, zoneinfo.ZoneInfo]:
    Profile = apps.get_model("accounts", "Profile")
    zones = {}
    for user_id, name in Profile.objects.values_list("user_id", "timezone"):
        try:
            zones[user_id] = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zones


def fill_days(apps, schema_editor):
    ReviewLog = apps.get_model("cards", "ReviewLog")
    ReviewDay = apps.get_model("cards", "ReviewDay")
    zones = person_zones(apps)
    default = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for user_id in ReviewLog.objects.values_list("user_id", flat=True).distinct().order_by():
        zone = zones.get(user_id, default)
        ReviewLog.objects.filter(user_id=user_id).update(
            day=TruncDate("reviewed_at", tzinfo=zone)
        )
        review_days.recount(ReviewDay, ReviewLog, user_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_question_bank_seeded"),
        ("cards", "0006_review_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="studysession",
            name="new_from",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reviewlog",
            name="day",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop, elidable=True),
    ]
