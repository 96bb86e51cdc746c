"""The shared cache: a database table by default, made by migrate, counting atomically."""

import importlib
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from vawg.core.cache import DatabaseCache

TABLE = "vawg_cache"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty():
    cache.clear()
    yield
    cache.clear()


def _keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {TABLE}")  # noqa: S608 - a constant table name
        return [row[0] for row in cursor.fetchall()]


def test_the_default_cache_is_a_table_every_app_server_shares():
    assert settings.CACHES["default"]["BACKEND"] == "vawg.core.cache.DatabaseCache"
    assert settings.CACHES["default"]["LOCATION"] == TABLE
    assert isinstance(caches["default"], DatabaseCache)


def test_migrate_makes_the_table():
    migration = importlib.import_module("vawg.core.migrations.0002_cache_table")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")  # the test's transaction puts it back
    assert TABLE not in connection.introspection.table_names()
    editor = SimpleNamespace(connection=connection)  # all the migration asks of its editor
    migration.create_cache_table(None, editor)
    migration.create_cache_table(None, editor)  # and again: it leaves it alone
    assert TABLE in connection.introspection.table_names()
    assert cache.add("k", 1)


def test_add_stores_only_over_a_missing_or_expired_entry():
    assert cache.add("k", 1, timeout=60)
    assert not cache.add("k", 2, timeout=60)
    assert cache.get("k") == 1
    cache.set("gone", 1, timeout=-1)  # already expired
    assert cache.add("gone", 2, timeout=60)
    assert cache.get("gone") == 2


def test_incr_counts_and_keeps_the_expiry():
    cache.add("k", 1, timeout=2)
    assert cache.incr("k") == 2
    assert cache.incr("k", 3) == 5
    assert cache.decr("k") == 4
    time.sleep(2.1)
    # Django's own database cache would have reset the expiry to the default (300 s).
    assert cache.get("k") is None
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.incr("never-set")


def test_expired_counts_are_deleted_from_the_table():
    cache.set("old", 1, timeout=-1)
    assert len(_keys()) == 1
    cache.add("new", 1, timeout=60)
    assert len(_keys()) == 1  # "old" is gone, though nobody asked for it again
