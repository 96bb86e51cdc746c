"""Imports into different regions write at once; two that touch one region (its own, or
another's through a person held there) write one at a time (locks.py)."""

import threading

import numpy as np
import psycopg
import pytest
from django.db import connection, connections, transaction

from vawg.core.testing import make_organisation, make_partnership, make_region
from vawg.insight import locks, store
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import flags, import_rows, make_wards, row

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's advisory locks; SQLite has one writer, so imports always take turns",
)


def test_each_region_has_a_key_of_its_own():
    keys = {locks.region_key(region_id) for region_id in (1, 2, 3)}
    assert len(keys) == 3
    assert locks.PEOPLE_LOCK not in keys


@pytest.fixture
def two_regions(db, partnership):
    """Wandsworth in London, and a partnership in another region."""
    manchester = make_partnership(
        "manchester", "Manchester", region=make_region("north-west", "North West")
    )
    make_organisation(manchester, "Manchester City Council")
    make_wards(partnership)
    make_wards(manchester)
    assert manchester.region_id != partnership.region_id
    return partnership, manchester


def _other_server() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def _importing(partnership, rows, done: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            done[name] = import_rows(partnership, rows)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_into_another_region_does_not_wait(two_regions):
    london, manchester = two_regions
    done: dict = {}
    with _other_server() as other_server:
        other_server.execute("SELECT pg_advisory_lock(%s, %s)", locks.region_key(london.region_id))
        elsewhere = _importing(manchester, [row("M1", "2025-01-05")], done, "manchester")
        elsewhere.join(timeout=60)
        assert not elsewhere.is_alive(), "an import waited on another region's lock"
        assert done["manchester"].status == DataImport.Status.IMPORTED

        here = _importing(london, [row("L1", "2025-01-05")], done, "london")
        here.join(timeout=2)
        assert here.is_alive(), "an import wrote while its region's lock was held"
        other_server.execute(
            "SELECT pg_advisory_unlock(%s, %s)", locks.region_key(london.region_id)
        )
        here.join(timeout=60)
    assert not here.is_alive()
    assert done["london"].status == DataImport.Status.IMPORTED
    assert sorted(i["source_id"] for i in store.incidents()) == ["L1", "M1"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_region_holding_one_of_its_people(two_regions):
    london, manchester = two_regions
    person = {"Victim ID": "P-1"}
    assert import_rows(london, [row("L1", "2025-01-05", **person)]).status == "imported"
    done: dict = {}
    with _other_server() as other_server:
        other_server.execute("SELECT pg_advisory_lock(%s, %s)", locks.region_key(london.region_id))
        reaching = _importing(manchester, [row("M1", "2025-02-05", **person)], done, "m")
        reaching.join(timeout=3)
        # It reached London for the person's earlier incident, found it held, rolled
        # back, and waits to start again holding both regions.
        assert reaching.is_alive(), "an import read a region another import held"
        assert store.count([manchester.pk]) == 0
        other_server.execute(
            "SELECT pg_advisory_unlock(%s, %s)", locks.region_key(london.region_id)
        )
        reaching.join(timeout=60)
    assert not reaching.is_alive()
    assert done["m"].status == DataImport.Status.IMPORTED
    assert flags() == {"L1": False, "M1": True}


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_starts_again_if_another_region_took_in_its_people_meanwhile(two_regions):
    """As if London's import of the person committed after Manchester's looked: at its
    last look, under the people lock, Manchester finds a region it does not hold."""
    london, manchester = two_regions
    assert import_rows(london, [row("L1", "2025-01-05", **{"Victim ID": "P-1"})]).status == (
        "imported"
    )
    [theirs] = store.people_keys(store.load([london.pk]))
    with transaction.atomic(), locks.importing(manchester.pk) as held:
        held.people.append(np.array([theirs], dtype=store.KEY))
        with pytest.raises(locks.Busy) as busy:
            locks.settle()
    assert busy.value.regions == {london.region_id, manchester.region_id}

    with transaction.atomic(), locks.importing(manchester.pk) as held:
        held.people.append(np.array([theirs + 1], dtype=store.KEY))
        locks.settle()  # nobody else holds this person: it may commit
