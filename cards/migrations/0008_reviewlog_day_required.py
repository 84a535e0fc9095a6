"""Every review has its day (filled in 0007, in a transaction of its own)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cards", "0007_study_session_new_from")]

    operations = [
        migrations.AlterField(
            model_name="reviewlog",
            name="day",
            field=models.DateField(),
        ),
    ]
