"""On PostgreSQL, imports from several app servers write one at a time (services.IMPORT_LOCK):
the repeat rule links people across partnerships, so two at once could miss each other."""

import threading

import psycopg
import pytest
from django.db import connection, connections

from vawg.insight import services, store
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's advisory lock; SQLite's IMMEDIATE transactions allow one writer",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_an_import_waits_while_another_holds_the_import_lock(partnership):
    make_wards(partnership)
    settings = connection.settings_dict
    other_server = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    done: dict = {}

    def import_now() -> None:
        try:
            done["import"] = import_rows(partnership, [row("A1", "2025-01-05")])
        finally:
            connections.close_all()

    with other_server:
        other_server.execute("SELECT pg_advisory_lock(%s)", [services.IMPORT_LOCK])
        waiting = threading.Thread(target=import_now)
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive(), "the import wrote while another held the lock"
        count = other_server.execute("SELECT COUNT(*) FROM insight_incidentsegment").fetchone()[0]
        assert count == 0
        other_server.execute("SELECT pg_advisory_unlock(%s)", [services.IMPORT_LOCK])
        waiting.join(timeout=60)
    assert not waiting.is_alive()
    assert done["import"].status == DataImport.Status.IMPORTED
    assert [i["source_id"] for i in store.incidents()] == ["A1"]
