"""The cubes are kept in step at import (rebuilt months, adjusted repeats elsewhere):
they must always equal a rebuild from the incidents."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.core.models import Ward
from vawg.insight.models import (
    DataImport,
    IncidentSegment,
    PeopleIndex,
    RegionPairs,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.tests.factories import (
    CELLS,
    assert_cubes_match_a_rebuild,
    flags,
    held,
    import_rows,
    make_wards,
    partner_for,
    row,
)

pytestmark = pytest.mark.django_db


def test_corrections_move_incidents_between_cells_as_a_rebuild_would(
    partnership, other_partnership
):
    make_wards(partnership)
    Ward.objects.create(partnership=other_partnership, name="Oval")
    import_rows(
        partnership,
        [
            row("A1", "2025-01-05", **{"Victim ID": "p1"}),
            row("A2", "2025-02-05", **{"Victim ID": "p1", "Crime Outcome": "Charged"}),
            row("A3", "2025-02-20", **{"Victim ID": "p2", "VAWG Strand": "SV"}),
        ],
    )
    import_rows(other_partnership, [row("B1", "2025-03-01", Ward="Oval", **{"Victim ID": "p2"})])
    assert_cubes_match_a_rebuild()
    # A new outcome, a different ward, strand and age, and an earlier date: every cell moves.
    import_rows(
        partnership,
        [
            row("A1", "2024-01-05", **{"Victim ID": "p1"}),
            row(
                "A2",
                "2025-02-05",
                Ward="Tooting Bec",
                **{
                    "Victim ID": "p1",
                    "Crime Outcome": "Evidential difficulties",
                    "Victim Age": "70",
                },
            ),
            row("A3", "2025-02-20", **{"Victim ID": "p2", "VAWG Strand": "DA"}),
        ],
    )
    assert flags() == {
        "A1": False,
        "A2": False,
        "A3": False,
        "B1": True,
    }
    assert_cubes_match_a_rebuild()
    # The emptied cells are gone, not left at zero, in the region's roll-up too.
    assert not VictimCube.objects.filter(incidents=0).exists()
    assert not VictimCube.objects.filter(strand="sexual_violence").exists()
    assert not RegionVictimCube.objects.filter(incidents=0).exists()
    assert RegionVictimCube.objects.filter(strand="sexual_violence").count() == 0


people = st.sampled_from(["", "p1", "p2", "p3"])
dates = st.sampled_from(["2024-02-10", "2024-12-01", "2025-01-15", "2025-01-20", "2025-11-30"])
one_row = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["R1", "R2", "R3", "R4", "R5"]),
        "when": dates,
        "Victim ID": people,
        "VAWG Strand": st.sampled_from(["DA", "SV"]),
        "Ward": st.sampled_from(["Roehampton", "Tooting Bec"]),
        "Victim Age": st.sampled_from(["19", "34", "70"]),
        "Crime Outcome": st.sampled_from(["", "Charged", "Evidential difficulties"]),
        "elsewhere": st.booleans(),
    }
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(one_row, min_size=1, max_size=5), min_size=1, max_size=4))
def test_any_sequence_of_imports_leaves_the_cubes_as_a_rebuild_would(
    partnership, other_partnership, batches
):
    if not partnership.wards.exists():
        make_wards(partnership)
        make_wards(other_partnership)
    IncidentSegment.objects.all().delete()
    PeopleIndex.objects.all().delete()
    for cube in [*CELLS, RegionVictimCube, RegionPairs]:
        cube.objects.all().delete()
    for batch in batches:
        by_place: dict = {partnership: {}, other_partnership: {}}
        for r in batch:
            place = other_partnership if r["elsewhere"] else partnership
            fields = {k: v for k, v in r.items() if k not in {"id", "when", "elsewhere"}}
            by_place[place][r["id"]] = row(r["id"], r["when"], **fields)
        for place, rows in by_place.items():
            if rows:
                result = import_rows(place, list(rows.values()), partner=partner_for(place))
                assert result.status == DataImport.Status.IMPORTED
        assert_cubes_match_a_rebuild()


def test_every_route_gives_the_answer_counted_from_the_incidents(partnership):
    from collections import Counter
    from datetime import date
    from itertools import product
    from operator import itemgetter

    from vawg.insight import queries

    wards = make_wards(partnership)
    rows = []
    for n, (when, strand, ward, age, outcome) in enumerate(
        product(
            ["2025-01-10", "2025-02-10"],
            ["DA", "SV"],
            ["Roehampton", "Tooting Bec"],
            ["19", "70"],
            ["", "Charged"],
        )
    ):
        fields = {"VAWG Strand": strand, "Victim Age": age, "Crime Outcome": outcome}
        rows.append(row(f"Q{n}", when, Ward=ward, **{"Victim ID": f"v{n % 3}"}, **fields))
    # Two partners' files: the partner routes are checked too.
    health = partner_for(partnership, "Health")
    import_rows(partnership, rows[::2])
    import_rows(partnership, rows[1::2], partner=health)
    incidents = held()

    def chosen(f):
        return [
            i
            for i in incidents
            if (not f.strand or i["strand"] == f.strand)
            and (not f.ward or i["ward_id"] == f.ward)
            and (not f.partner or i["partner_id"] == f.partner)
            and (not f.characteristic or i[f.characteristic] == f.value)
        ]

    def truth(f, key):
        return Counter(key(i) for i in chosen(f))

    def keys(f, key):
        """Each group's cell key: the sum of its incidents' record keys."""
        sums = Counter()
        for i in chosen(f):
            sums[key(i)] += i["rkey"]
        return {k: v % 256 for k, v in sums.items()}

    ward = wards["Tooting Bec"].pk
    for strand, ward_id, partner, characteristic in product(
        ["", "sexual_violence"],
        [None, ward],
        [None, health.pk],
        [("", ""), ("age_band", "65+")],
    ):
        f = queries.Filters(
            (partnership.pk,),
            date(2025, 1, 1),
            date(2025, 2, 1),
            strand=strand,
            ward=ward_id,
            partner=partner,
            characteristic=characteristic[0],
            value=characteristic[1],
        )
        for group in ("partner_id", "ward_id"):
            answer = {
                k: v.tally("incidents") for k, v in queries.by(f, group).items() if v.incidents
            }
            assert {k: t.n for k, t in answer.items()} == truth(f, itemgetter(group)), f
            assert {k: t.key for k, t in answer.items()} == keys(f, itemgetter(group)), f
        monthly = {m: t.tally("incidents") for m, t in queries.monthly(f).items() if t.incidents}
        assert {m: t.n for m, t in monthly.items()} == truth(f, lambda i: i["month"]), f
        assert {m: t.key for m, t in monthly.items()} == keys(f, lambda i: i["month"]), f
        totals = queries.totals(f)
        assert totals.repeats == truth(f, lambda i: i["is_repeat"])[True], f
        assert totals.tally("repeats").key == keys(f, lambda i: i["is_repeat"]).get(True, 0), f
        assert totals.charged == truth(f, lambda i: i["outcome"] == "charged")[True], f
        charged_key = keys(f, lambda i: i["outcome"] == "charged").get(True, 0)
        assert totals.tally("charged").key == charged_key, f
        if not f.characteristic:
            ages = queries.by_characteristics(f)["age_band"]
            assert {k: t.n for k, t in ages.items() if t.n} == truth(f, lambda i: i["age_band"])
            assert {k: t.key for k, t in ages.items() if t.n} == keys(f, lambda i: i["age_band"])
        else:
            # A crossing no cube holds, counted from the store, keyed the same way.
            ages = queries.by_characteristics(replace(f, ward=ward))["age_band"]
            expected = keys(replace(f, ward=ward), lambda i: i["age_band"])
            assert {k: t.key for k, t in ages.items() if t.n} == expected, f


def test_the_region_roll_up_answers_as_its_partnerships_do(partnership, other_partnership):
    from datetime import date

    from vawg.core.testing import make_partnership, make_region
    from vawg.insight import queries

    make_wards(partnership)
    Ward.objects.create(partnership=other_partnership, name="Oval")
    elsewhere = make_partnership("elsewhere", region=make_region("elsewhere", "Elsewhere"))
    Ward.objects.create(partnership=elsewhere, name="Oval")
    import_rows(
        partnership,
        [
            row("A1", "2025-01-05", **{"Victim ID": "p1", "Victim Age": "70"}),
            row("A2", "2025-02-05", **{"Victim ID": "p1", "VAWG Strand": "SV"}),
        ],
    )
    import_rows(other_partnership, [row("B1", "2025-02-01", Ward="Oval", **{"Victim ID": "p1"})])
    # Another region's incidents never count in this one's.
    import_rows(elsewhere, [row("C1", "2025-02-01", Ward="Oval", **{"Victim ID": "p9"})])
    region = partnership.region_id
    both = (partnership.pk, other_partnership.pk)
    for strand in ["", "domestic_abuse", "sexual_violence"]:
        f = queries.Filters(both, date(2025, 1, 1), date(2025, 2, 1), strand=strand)
        expected = queries.by_characteristics(f)
        assert queries.by_characteristics(replace(f, region=region)) == expected, strand
    everything = queries.Filters(both, date(2025, 1, 1), date(2025, 2, 1), region=region)
    ages = queries.by_characteristics(everything)["age_band"]
    assert {k: t.n for k, t in ages.items()} == {"65+": 1, "25-34": 2}


def test_a_partners_victims_are_read_from_the_partner_cube(partnership):
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vawg.insight import queries
    from vawg.insight.models import PartnerVictimCube

    f = queries.Filters(
        (partnership.pk,), date(2025, 1, 1), date(2025, 12, 1), partner=7, characteristic=""
    )
    with CaptureQueriesContext(connection) as read:
        queries.by_characteristics(f)
    assert [q["sql"] for q in read.captured_queries if PartnerVictimCube._meta.db_table in q["sql"]]
    one = replace(f, characteristic="age_band", value="65+")
    assert queries.table_for(one) is PartnerVictimCube
    assert queries.table_for(replace(one, partner=None), "partner_id") is PartnerVictimCube
    assert queries.table_for(replace(one, ward=3)) is queries.Incidents


def test_stale_pair_counts_give_way_to_the_store(partnership, other_partnership, monkeypatch):
    from datetime import date

    from vawg.insight import pairs, queries

    make_wards(partnership)
    import_rows(partnership, [row("S1", **{"Victim Age": "70"}), row("S2")])
    region = partnership.region_id
    f = queries.Filters(
        (partnership.pk, other_partnership.pk),
        date(2025, 1, 1),
        date(2025, 12, 1),
        characteristic="sex",
        value="female",
    )
    expected = queries.by_characteristics(f)
    assert queries.by_characteristics(replace(f, region=region)) == expected
    # A code added to the standard since the arrays were made: their layout no longer fits.
    monkeypatch.setattr(pairs, "LAYOUT", "another-layout")
    assert queries.by_characteristics(replace(f, region=region)) == expected
    assert {k: t.n for k, t in expected["age_band"].items()} == {"65+": 1, "25-34": 1}
