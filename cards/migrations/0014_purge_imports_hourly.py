from django.db import migrations

NAME = "purge stale imports"


def hourly(apps, schema_editor):
    """A preview is deleted within the hour after its 24 hours, as its page says."""
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(schedule_type="H")


def daily(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(schedule_type="D")


class Migration(migrations.Migration):
    dependencies = [("cards", "0013_schedule_import_purge")]

    operations = [migrations.RunPython(hourly, daily)]
