"""Migration 0006 moves incidents held one row each into the store's segments, losing
nothing: the same values, flags and order, with the people index and the region's pair
counts that the store's own code would make of them."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vawg.insight import cubes, store
from vawg.insight.models import PeopleIndex, RegionPairs

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insight", "0005_partner_victim_cube")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_incidents_held_before_come_through_the_migration_whole():
    old = _migrate(BEFORE)
    Region = old.get_model("core", "Region")
    Partnership = old.get_model("core", "Partnership")
    Organisation = old.get_model("core", "Organisation")
    Ward = old.get_model("core", "Ward")
    DataImport = old.get_model("insight", "DataImport")
    Incident = old.get_model("insight", "Incident")
    region = Region.objects.create(slug="migrated", name="Migrated")
    place = Partnership.objects.create(slug="migrated", name="Migrated", region=region)
    partner = Organisation.objects.create(partnership=place, name="Police")
    ward = Ward.objects.create(partnership=place, name="Central")
    extract = DataImport.objects.create(partnership=place, partner=partner, filename="old.csv")
    digest = "ab" * 32
    rows = [
        ("M1", date(2025, 1, 5), "domestic_abuse", "25-34", digest, False, "pending"),
        ("M2", date(2025, 1, 20), "domestic_abuse", "25-34", digest, True, "charged"),
        ("M3", date(2025, 3, 2), "stalking", "65+", "", False, "no_suspect"),
    ]
    for source_id, day, strand, age, person, repeat, outcome in rows:
        Incident.objects.create(
            partnership=place,
            partner=partner,
            source_id=source_id,
            occurred_on=day,
            day=day.toordinal(),
            month=day.replace(day=1),
            strand=strand,
            crime_type="other",
            ward=ward,
            age_band=age,
            sex="female",
            gender_identity="unknown",
            ethnicity="white",
            disability="disabled",
            orientation="unknown",
            relationship="partner",
            perpetrator_sex="male",
            perpetrator_age_band="35-44",
            outcome=outcome,
            person_key_version=1 if person else None,
            person_digest=person,
            person_key=int(person[:15], 16) if person else None,
            is_repeat=repeat,
            fingerprint=f"fp-{source_id}",
            data_import=extract,
        )
    ids = dict(Incident.objects.values_list("source_id", "id"))

    _migrate(_latest())
    held = {i["source_id"]: i for i in store.incidents([place.pk])}
    assert set(held) == {"M1", "M2", "M3"}
    m2 = held["M2"]
    assert (m2["occurred_on"], m2["month"], m2["strand"], m2["outcome"]) == (
        date(2025, 1, 20),
        date(2025, 1, 1),
        "domestic_abuse",
        "charged",
    )
    assert (m2["ward_id"], m2["partner_id"], m2["data_import_id"]) == (
        ward.pk,
        partner.pk,
        extract.pk,
    )
    assert (m2["person_digest"], m2["person_key_version"], m2["is_repeat"]) == (digest, 1, True)
    assert held["M3"]["person_digest"] == "" and held["M3"]["person_key"] is None
    # The old ids are the order of storing.
    assert {s: i["stored"] for s, i in held.items()} == ids
    # What the migration made is what the store's own rebuild makes of the same rows.
    made, people = _pairs(), _people()
    assert made and people[place.pk]
    assert cubes.rebuild_all() == 0, "the flags came through as they were"
    assert (_pairs(), _people()) == (made, people)


def _pairs() -> list:
    rows = RegionPairs.objects.values_list("region_id", "month", "counts")
    return sorted((region_id, month, bytes(counts)) for region_id, month, counts in rows)


def _people() -> dict:
    return {p: bytes(k) for p, k in PeopleIndex.objects.values_list("partnership_id", "keys")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TOAST storage")
def test_postgresql_keeps_the_store_blobs_uncompressed():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, a.attname, a.attstorage FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            WHERE (c.relname, a.attname) IN (('insight_incidentsegment', 'dims'),
                ('insight_incidentsegment', 'people'), ('insight_incidentsegment', 'record'),
                ('insight_peopleindex', 'keys'), ('insight_regionpairs', 'counts'))"""
        )
        storage = {(table, column): kind for table, column, kind in cursor.fetchall()}
    assert len(storage) == 5 and set(storage.values()) == {"e"}, storage
    # Room for HOT updates where imports adjust repeats in place (migration 0007).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN "
            "('insight_victimcube', 'insight_partnervictimcube', 'insight_regionvictimcube')"
        )
        options = dict(cursor.fetchall())
    assert options and all(o == ["fillfactor=85"] for o in options.values()), options
