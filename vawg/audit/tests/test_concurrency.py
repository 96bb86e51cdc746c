"""On PostgreSQL, writers on several connections (app servers) chain one at a time."""

import threading

import psycopg
import pytest
from django.db import connection, connections

from vawg.audit.models import AuditEvent
from vawg.audit.selectors import chain_verify
from vawg.audit.services import CHAIN_LOCK, record

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's advisory lock; SQLite's IMMEDIATE transactions let one writer in, "
        "and the in-memory test database is one connection",
    ),
    pytest.mark.django_db(transaction=True),
]


def other_server() -> psycopg.Connection:
    database = connection.settings_dict
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        password=database["PASSWORD"] or None,
        autocommit=True,
    )


def in_thread(target, errors: list) -> threading.Thread:
    def run():
        try:
            target()
        except Exception as error:  # noqa: BLE001 (reported by the test, not lost in the thread)
            errors.append(error)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_a_writer_waits_while_another_holds_the_chain_lock():
    first = record(action="create")
    errors: list = []
    with other_server() as server:
        server.execute("SELECT pg_advisory_lock(%s)", [CHAIN_LOCK])
        writer = in_thread(lambda: record(action="update", summary="waited"), errors)
        writer.start()
        writer.join(timeout=2)
        assert writer.is_alive(), "an event was written while another writer held the lock"
        assert AuditEvent.objects.count() == 1
        server.execute("SELECT pg_advisory_unlock(%s)", [CHAIN_LOCK])
        writer.join(timeout=30)
    assert not writer.is_alive() and not errors
    assert AuditEvent.objects.get(summary="waited").previous_hash == first.hash


def test_two_servers_writing_at_once_keep_one_chain():
    per_writer = 40
    start = threading.Barrier(2)
    errors: list = []

    def write(name: str):
        start.wait(timeout=10)
        for n in range(per_writer):
            record(action="update", object_type=name, object_id=n)

    writers = [in_thread(lambda name=name: write(name), errors) for name in ("a", "b")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert not errors, errors
    report = chain_verify()
    assert report.holds, report.problem
    assert report.rows == 2 * per_writer
    # Both really wrote at once: their events interleave in the chain.
    names = list(AuditEvent.objects.order_by("id").values_list("object_type", flat=True))
    switches = sum(1 for a, b in zip(names, names[1:], strict=False) if a != b)
    assert switches > 1
