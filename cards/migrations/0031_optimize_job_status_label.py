# The optimizer's running status reads "Working", as for every queued job
# (prep_site.jobs.QueuedJob): a label only, no change to the table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cards', '0030_saved_searches'),
    ]

    operations = [
        migrations.AlterField(
            model_name='optimizejob',
            name='status',
            field=models.CharField(choices=[('queued', 'Waiting for a worker'), ('running', 'Working'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10),
        ),
    ]
