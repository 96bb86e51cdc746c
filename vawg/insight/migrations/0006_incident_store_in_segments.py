"""The incidents move from one row each to a segment per partnership-month (store.py).

Every incident held is written into its partnership-month's segment in format 1 of
the store, with the partnership's people index and the region's pair counts summed from
the same rows; then the incident table goes. The layout is written out here as it is
at this migration, so that later changes to the store never change what this one does;
the codes' vocabularies travel in each blob, as the store expects.
"""

import hashlib
import json
from collections import defaultdict

import django.db.models.deletion
import numpy as np
import pyarrow as pa
from django.db import migrations, models

from vawg.insight.standard import CODED

CODE = pa.int8()
PARTS = {
    "dims": [
        ("ward_id", pa.int32()),
        ("strand", CODE),
        ("partner_id", pa.int32()),
        ("age_band", CODE),
        ("sex", CODE),
        ("ethnicity", CODE),
        ("disability", CODE),
        ("orientation", CODE),
        ("outcome", CODE),
        ("is_repeat", pa.bool_()),
    ],
    "people": [
        ("occurred_on", pa.date32()),
        ("person_key_version", pa.int16()),
        ("person_digest", pa.string()),
        ("person_key", pa.int64()),
        ("stored", pa.int64()),
    ],
    "record": [
        ("source_id", pa.string()),
        ("crime_type", CODE),
        ("gender_identity", CODE),
        ("relationship", CODE),
        ("perpetrator_sex", CODE),
        ("perpetrator_age_band", CODE),
        ("fingerprint", pa.string()),
        ("data_import_id", pa.int64()),
    ],
}
CHARACTERISTICS = ["age_band", "sex", "ethnicity", "disability", "orientation"]
# The regional pair counts' array (pairs.py): strand slot (0 for all strands) by value by
# value, every characteristic's values side by side.
_OFFSET = dict(
    zip(
        CHARACTERISTICS,
        np.cumsum([0, *(len(CODED[c].values) for c in CHARACTERISTICS[:-1])]).tolist(),
        strict=True,
    )
)
_VALUES = sum(len(CODED[c].values) for c in CHARACTERISTICS)
_SHAPE = (1 + len(CODED["strand"].values), _VALUES, _VALUES)
_LAYOUT = hashlib.sha256(
    json.dumps({n: list(CODED[n].values) for n in ("strand", *CHARACTERISTICS)}).encode()
).hexdigest()[:16]
# What each stored field is read from on the old incident row.
SOURCE = {"stored": "id", "data_import_id": "data_import_id"}


def _blob(columns: dict, part: str) -> bytes:
    fields = PARTS[part]
    vocabularies = {name: list(CODED[name].values) for name, _ in fields if name in CODED}
    schema = pa.schema(fields).with_metadata(
        {b"vawg.format": b"1", b"vawg.codes": json.dumps(vocabularies).encode()}
    )
    arrays = []
    for name, kind in fields:
        values = columns[name]
        if name in CODED:
            index = {code: i for i, code in enumerate(vocabularies[name])}
            values = [index[v] for v in values]
        arrays.append(pa.array(values, kind))
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=None if part == "dims" else "zstd")
    with pa.ipc.new_stream(sink, schema, options=options) as writer:
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return sink.getvalue().to_pybytes()


def convert(apps, schema_editor):
    Incident = apps.get_model("insight", "Incident")
    IncidentSegment = apps.get_model("insight", "IncidentSegment")
    PeopleIndex = apps.get_model("insight", "PeopleIndex")
    RegionPairs = apps.get_model("insight", "RegionPairs")
    Partnership = apps.get_model("core", "Partnership")
    names = [name for fields in PARTS.values() for name, _ in fields]
    read = [SOURCE.get(name, name) for name in names]
    pairs: dict = {}  # (region, month) -> array
    partnerships = Incident.objects.values_list("partnership_id", flat=True).distinct()
    for partnership_id in sorted(set(partnerships)):
        region_id = Partnership.objects.get(pk=partnership_id).region_id
        by_month = defaultdict(list)
        rows = Incident.objects.filter(partnership_id=partnership_id).order_by("month", "id")
        for month, *values in rows.values_list("month", *read).iterator(chunk_size=20_000):
            by_month[month].append(values)
        segments, keys = [], set()
        for month, values in by_month.items():
            columns = dict(zip(names, zip(*values, strict=True), strict=True))
            keys.update(k for k in columns["person_key"] if k is not None)
            segments.append(
                IncidentSegment(
                    partnership_id=partnership_id,
                    month=month,
                    incidents=len(values),
                    **{part: _blob(columns, part) for part in PARTS},
                )
            )
            array = pairs.setdefault((region_id, month), np.zeros(_SHAPE, dtype="<i4"))
            strands = list(CODED["strand"].values)
            for row in zip(*(columns[c] for c in ["strand", *CHARACTERISTICS]), strict=True):
                strand, *chosen = row
                slots = [_OFFSET[c] + CODED[c].values.index(v) for c, v in zip(CHARACTERISTICS, chosen, strict=True)]
                for s in (0, 1 + strands.index(strand)):
                    for a in slots:
                        for b in slots:
                            array[s, a, b] += 1
        IncidentSegment.objects.bulk_create(segments, batch_size=200)
        PeopleIndex.objects.create(
            partnership_id=partnership_id,
            keys=np.array(sorted(keys), dtype="<i8").tobytes(),
        )
    RegionPairs.objects.bulk_create(
        (
            RegionPairs(region_id=region, month=month, layout=_LAYOUT, counts=array.tobytes())
            for (region, month), array in pairs.items()
        ),
        batch_size=500,
    )


# Blobs PostgreSQL should keep out of line but never compress: `dims` and the pair counts
# are read on every crossing, where pglz would cost a decompression each; the others are
# zstd already, and random keys do not compress.
UNCOMPRESSED = [
    ("insight_incidentsegment", "dims"),
    ("insight_incidentsegment", "people"),
    ("insight_incidentsegment", "record"),
    ("insight_peopleindex", "keys"),
    ("insight_regionpairs", "counts"),
]


def store_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in UNCOMPRESSED:
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE EXTERNAL")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('insight', '0005_partner_victim_cube'),
    ]

    operations = [
        migrations.CreateModel(
            name='IncidentSegment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('incidents', models.PositiveIntegerField()),
                ('dims', models.BinaryField()),
                ('people', models.BinaryField()),
                ('record', models.BinaryField()),
                ('partnership', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='core.partnership')),
            ],
        ),
        migrations.CreateModel(
            name='PeopleIndex',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('keys', models.BinaryField()),
                ('partnership', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, to='core.partnership')),
            ],
        ),
        migrations.CreateModel(
            name='RegionPairs',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('layout', models.CharField(max_length=16)),
                ('counts', models.BinaryField()),
                ('region', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, to='core.region')),
            ],
        ),
        migrations.AddConstraint(
            model_name='incidentsegment',
            constraint=models.UniqueConstraint(fields=('partnership', 'month'), name='incidentsegment_month'),
        ),
        migrations.AddConstraint(
            model_name='regionpairs',
            constraint=models.UniqueConstraint(fields=('region', 'month'), name='regionpairs_month'),
        ),
        migrations.RunPython(store_uncompressed, migrations.RunPython.noop),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='Incident',
        ),
    ]
