"""The regional roll-up of the victim cube, filled from the victim cube already held."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    VictimCube = apps.get_model("insight", "VictimCube")
    RegionVictimCube = apps.get_model("insight", "RegionVictimCube")
    sums = (
        VictimCube.objects.values(
            "partnership__region", "month", "strand", "characteristic", "value"
        )
        .annotate(
            i=models.Sum("incidents"),
            r=models.Sum("repeats"),
            o=models.Sum("resolved"),
            c=models.Sum("charged"),
        )
        .order_by()
    )
    RegionVictimCube.objects.bulk_create(
        (
            RegionVictimCube(
                region_id=s["partnership__region"],
                month=s["month"],
                strand=s["strand"],
                characteristic=s["characteristic"],
                value=s["value"],
                incidents=s["i"],
                repeats=s["r"],
                resolved=s["o"],
                charged=s["c"],
            )
            for s in sums.iterator()
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("insight", "0002_incident_indexes_for_scale"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionVictimCube",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("incidents", models.IntegerField()),
                ("repeats", models.IntegerField()),
                ("resolved", models.IntegerField()),
                ("charged", models.IntegerField()),
                ("month", models.DateField()),
                ("strand", models.CharField(blank=True, max_length=32)),
                ("characteristic", models.CharField(max_length=16)),
                ("value", models.CharField(max_length=16)),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="core.region",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "strand", "characteristic", "value", "month"),
                        name="regionvictimcube_cell",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
