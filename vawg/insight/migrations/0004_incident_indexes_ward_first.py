"""Incident indexes led by what each lookup narrows on first (docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('insight', '0003_region_victim_cube'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='incident',
            name='incident_unique_source',
        ),
        migrations.RemoveIndex(
            model_name='incident',
            name='incident_dimensions',
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['partnership', 'ward', 'strand', 'month', 'partner', 'age_band', 'sex', 'ethnicity', 'disability', 'orientation', 'outcome', 'is_repeat'], name='incident_dimensions'),
        ),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.UniqueConstraint(fields=('partner', 'source_id'), name='incident_unique_source'),
        ),
    ]
