"""Chain the audit trail: every row gets the hash of the row before it and its own.

The rows already held are chained here, in id order, as record() would have
chained them. That takes an UPDATE of every row, which the append-only triggers
refuse, so this migration drops the triggers first and makes them again last
(with migration 0002's own statements). The other way, adding the columns with
their hashes already computed, would mean copying the table by hand on
PostgreSQL; and on SQLite adding a NOT NULL column already makes Django copy the
table into a new one, which silently leaves the triggers behind: making them
again at the end is needed in any case.

The whole migration is one transaction on both databases (their DDL is
transactional): if it fails the triggers are back as they were, and while it
runs no one else can write to the table (PostgreSQL's ALTER TABLE locks it until
commit; SQLite has one writer). The unique constraint on previous_hash comes
after the hashes, since until then every row's is empty.
"""

import importlib

import django.utils.timezone
from django.db import migrations, models

from vawg.audit.models import HASHED_FIELDS, chain_hash

GENESIS = "0" * 64
CHUNK = 1000

append_only = importlib.import_module("vawg.audit.migrations.0002_append_only_triggers")


def lift_triggers(apps, schema_editor):
    append_only.backwards(apps, schema_editor)


def restore_triggers(apps, schema_editor):
    append_only.forwards(apps, schema_editor)


def chain_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    table = schema_editor.connection.ops.quote_name(AuditEvent._meta.db_table)
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("id")
    previous, last_id = GENESIS, 0
    while True:
        chunk = list(rows.filter(id__gt=last_id).values_list("id", *HASHED_FIELDS)[:CHUNK])
        if not chunk:
            return
        updates = []
        for pk, *values in chunk:
            row_hash = chain_hash(previous, **dict(zip(HASHED_FIELDS, values, strict=True)))
            updates.append((previous, row_hash, pk))
            previous, last_id = row_hash, pk
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET previous_hash = %s, hash = %s WHERE id = %s", updates  # noqa: S608 - the table name is the model's own; values are parameters
            )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_figures_viewed")]

    operations = [
        migrations.RunPython(lift_triggers, restore_triggers),
        # Django writes no database default for either: nothing to change in the tables.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(
                        choices=[
                            ("sign_in", "Signed in"),
                            ("sign_in_failed", "Sign-in failed"),
                            ("sign_out", "Signed out"),
                            ("locked_out", "Locked out"),
                            ("two_factor", "Two-factor verified"),
                            ("create", "Created"),
                            ("update", "Updated"),
                            ("delete", "Deleted"),
                            ("export", "Exported"),
                            ("read_restricted", "Read a restricted record"),
                            ("figures", "Viewed figures"),
                            ("load", "Loaded data"),
                            ("retention", "Applied retention to the audit trail"),
                        ],
                        db_index=True,
                        max_length=20,
                    ),
                ),
            ]
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("previous_hash",), name="audit_event_one_successor"
            ),
        ),
        migrations.RunPython(restore_triggers, lift_triggers),
    ]
