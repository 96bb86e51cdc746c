# The table of the shared cache (settings.CACHES, vawg/core/cache.py), so that `migrate`
# makes it on a fresh machine. createcachetable makes any database cache's table that
# is missing and leaves an existing one alone; with Redis configured it does nothing.

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
