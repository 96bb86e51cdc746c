import django.utils.timezone
from django.db import migrations, models


def from_the_plan_start(apps, schema_editor):
    """Plans already held keep every round of theirs counted, as before: their arrival is
    not known, so it is taken as the first day of the plan's first year."""
    from datetime import UTC, datetime

    Strategy = apps.get_model("strategy", "Strategy")
    for plan in Strategy.objects.only("pk", "start_year"):
        Strategy.objects.filter(pk=plan.pk).update(
            added_at=datetime(plan.start_year, 1, 1, tzinfo=UTC)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0003_delivery_plan_editing"),
    ]

    operations = [
        migrations.AddField(
            model_name="strategy",
            name="added_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(from_the_plan_start, migrations.RunPython.noop),
    ]
