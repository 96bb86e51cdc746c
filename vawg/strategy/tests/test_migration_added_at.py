"""Migration 0004 gives the plans already held an arrival at the start of their first year,
so every round of theirs stays counted as before; a plan loaded afterwards arrives when it
is loaded."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_plans_held_before_count_every_round_of_theirs():
    old = _migrate([("strategy", "0003_delivery_plan_editing")])
    Region = old.get_model("core", "Region")
    Partnership = old.get_model("core", "Partnership")
    Strategy = old.get_model("strategy", "Strategy")
    region = Region.objects.create(slug="migrated", name="Migrated")
    place = Partnership.objects.create(slug="migrated", name="Migrated", region=region)
    Strategy.objects.create(
        partnership=place, slug="held", title="Held", start_year=2021, end_year=2027
    )

    executor = MigrationExecutor(connection)
    new = _migrate(executor.loader.graph.leaf_nodes())
    held = new.get_model("strategy", "Strategy").objects.get(slug="held")
    assert held.added_at == datetime(2021, 1, 1, tzinfo=UTC)
