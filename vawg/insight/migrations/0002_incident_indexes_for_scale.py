"""Indexes for 10 million rows: smaller and covering on the incidents, sort-free on the victim cube.

The person index moves from the 64-character digest to `person_key` (its first 60 bits
as a number), and the (partnership, month) index becomes one covering every dimension
the dashboard filters on. See docs/performance.md.
"""

from django.db import migrations, models


def fill_person_keys(apps, schema_editor):
    Incident = apps.get_model("insight", "Incident")
    held = Incident.objects.exclude(person_digest="").values_list("id", "person_digest")
    batch = []
    for pk, digest in held.iterator(chunk_size=5000):
        batch.append(Incident(id=pk, person_key=int(digest[:15], 16)))
        if len(batch) == 5000:
            Incident.objects.bulk_update(batch, ["person_key"])
            batch = []
    Incident.objects.bulk_update(batch, ["person_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("insight", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="victimcube", name="victimcube_covering"),
        migrations.AddIndex(
            model_name="victimcube",
            index=models.Index(
                fields=["partnership", "strand", "characteristic", "value", "month", "incidents"],
                name="victimcube_breakdown",
            ),
        ),
        migrations.RemoveIndex(model_name="incident", name="incident_person_day"),
        migrations.RemoveIndex(model_name="incident", name="incident_partnership_month"),
        migrations.AddField(
            model_name="incident", name="person_key", field=models.BigIntegerField(null=True)
        ),
        migrations.RunPython(fill_person_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["person_key", "day"], name="incident_person_key_day"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=[
                    "partnership",
                    "month",
                    "strand",
                    "ward",
                    "partner",
                    "age_band",
                    "sex",
                    "ethnicity",
                    "disability",
                    "orientation",
                    "outcome",
                    "is_repeat",
                ],
                name="incident_dimensions",
            ),
        ),
    ]
