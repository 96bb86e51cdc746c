"""`insight_check` compares what imports kept with a rebuild worked out in memory, says
what differs, and writes nothing."""

import io

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.db import connection

from vawg.insight import store
from vawg.insight.check import check
from vawg.insight.models import (
    AreaCube,
    IncidentSegment,
    MonthCube,
    PartnerVictimCube,
    PeopleIndex,
    RegionPairs,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db

KEPT = (
    AreaCube,
    MonthCube,
    VictimCube,
    PartnerVictimCube,
    RegionVictimCube,
    RegionPairs,
    PeopleIndex,
    IncidentSegment,
)


def _imported(partnership) -> None:
    make_wards(partnership)
    rows = [
        row("A1", "2025-01-05", **{"Victim ID": "P-1"}),
        row("A2", "2025-02-09", **{"Victim ID": "P-1"}),  # a repeat of A1
        row("A3", "2025-02-10", **{"Victim Sex": "Male"}),
    ]
    assert import_rows(partnership, rows).status == "imported"


def _run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("insight_check", *args, stdout=out)
    except SystemExit as stop:
        return stop.code, out.getvalue()
    return 0, out.getvalue()


def _snapshot() -> dict:
    """Every kept table's rows, as they are: a check must leave them all alone."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in KEPT}


def test_everything_agrees_after_an_import(partnership):
    _imported(partnership)
    assert check() == []
    code, out = _run()
    assert code == 0
    assert "agree" in out
    assert _run("wandsworth")[0] == 0


def test_a_changed_cube_value_is_reported_and_nothing_is_written(partnership):
    _imported(partnership)
    cell = AreaCube.objects.filter(month="2025-02-01").order_by("pk").first()
    AreaCube.objects.filter(pk=cell.pk).update(incidents=cell.incidents + 5)
    before = _snapshot()

    [difference] = check([partnership.pk])

    assert (difference.owner, difference.kind, difference.count) == (
        f"partnership {partnership.pk}",
        "AreaCube",
        1,
    )
    assert f"incidents {cell.incidents + 5}" in difference.examples[0]
    assert f"incidents {cell.incidents}," in difference.examples[0]
    code, out = _run("wandsworth")
    assert code == 1
    assert "AreaCube: 1 row(s) differ" in out
    assert out.count("differ (") == 1
    assert _snapshot() == before


def test_a_flipped_repeat_flag_is_reported_and_nothing_is_written(partnership):
    _imported(partnership)
    table = store.load([partnership.pk])
    # store.incidents() lists them in the order store.load reads them.
    position = [i["source_id"] for i in store.incidents()].index("A2")
    flags = table["is_repeat"].to_pylist()
    assert flags[position] is True
    flags[position] = False
    wrong = table.set_column(
        table.schema.get_field_index("is_repeat"), "is_repeat", pa.array(flags)
    )
    store.rewrite_dims(wrong, {(partnership.pk, table["month"][position].as_py())})
    before = _snapshot()

    [difference] = check()

    assert (difference.kind, difference.count) == ("repeat flags", 1)
    assert "2025-02" in difference.examples[0]
    assert "held False, rebuilt True" in difference.examples[0]
    code, out = _run()
    assert code == 1
    assert "repeat flags: 1 flag(s) differ" in out
    assert _snapshot() == before


def test_a_changed_pair_count_is_reported(partnership):
    _imported(partnership)
    held = RegionPairs.objects.order_by("month").first()
    counts = bytearray(bytes(held.counts))
    counts[0] ^= 1
    RegionPairs.objects.filter(pk=held.pk).update(counts=bytes(counts))

    [difference] = check()

    assert (difference.kind, difference.count) == ("pair counts", 1)
    assert difference.owner == f"region {partnership.region_id}"


def test_an_unknown_partnership_is_refused(partnership):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("insight_check", "nowhere", stdout=io.StringIO())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's isolation levels; SQLite can't empty its append-only audit between tests",
)
@pytest.mark.django_db(transaction=True)
def test_a_check_in_a_transaction_of_its_own_reads_one_read_only_snapshot(partnership):
    """Outside a test's transaction the check chooses its isolation (on PostgreSQL, a
    read-only snapshot, which would refuse any write it tried)."""
    _imported(partnership)
    assert check() == []
    assert _run()[0] == 0
