"""The incident repeat victimisation rate, worked by hand."""

import pytest
from django.db.models import Sum

from vawg.core.models import Ward
from vawg.insight.models import MonthCube
from vawg.insight.tests.factories import (
    assert_cubes_match_a_rebuild,
    flags,
    import_rows,
    make_wards,
    row,
)

pytestmark = pytest.mark.django_db


def test_an_incident_is_a_repeat_when_the_victim_had_another_in_the_365_days_before(
    partnership,
):
    make_wards(partnership)
    same = {"Victim ID": "person-a"}
    import_rows(
        partnership,
        [
            row("R1", "2024-01-01", **same),
            row("R2", "2024-06-01", **same),  # 152 days after R1: a repeat
            row("R3", "2025-07-01", **same),  # 395 days after R2: not a repeat
            row("R4", "2025-07-01", **{"Victim ID": "person-b"}),
            row("R5", "2025-07-02", **{"Victim ID": ""}),  # no identifier: never linked
        ],
    )
    assert flags() == {"R1": False, "R2": True, "R3": False, "R4": False, "R5": False}
    assert MonthCube.objects.aggregate(r=Sum("repeats"), n=Sum("incidents")) == {"r": 1, "n": 5}


def test_an_earlier_incident_imported_later_makes_the_later_one_a_repeat(partnership):
    make_wards(partnership)
    import_rows(partnership, [row("L2", "2025-03-01", **{"Victim ID": "p"})])
    assert flags() == {"L2": False}
    import_rows(partnership, [row("L1", "2025-01-01", **{"Victim ID": " P "})])
    assert flags() == {"L1": False, "L2": True}
    march = MonthCube.objects.get(month="2025-03-01")
    assert (march.incidents, march.repeats) == (1, 1)


def test_repeats_link_across_partnerships(partnership, other_partnership):
    make_wards(partnership)
    Ward.objects.create(partnership=other_partnership, name="Oval")
    import_rows(partnership, [row("X1", "2025-01-10", **{"Victim ID": "shared"})])
    import_rows(
        other_partnership, [row("Y1", "2025-02-10", Ward="Oval", **{"Victim ID": "shared"})]
    )
    assert flags() == {"X1": False, "Y1": True}
    lambeth = MonthCube.objects.get(partnership=other_partnership)
    assert lambeth.repeats == 1


def test_a_corrected_date_can_end_a_repeat(partnership):
    make_wards(partnership)
    same = {"Victim ID": "q"}
    import_rows(partnership, [row("C1", "2025-01-01", **same), row("C2", "2025-02-01", **same)])
    assert flags()["C2"] is True
    import_rows(partnership, [row("C1", "2023-01-01", **same), row("C2", "2025-02-01", **same)])
    assert flags() == {"C1": False, "C2": False}
    assert MonthCube.objects.aggregate(r=Sum("repeats"))["r"] == 0
    assert not MonthCube.objects.filter(month="2025-01-01").exists()


def test_repeats_adjusted_in_other_months_match_a_full_rebuild(partnership, other_partnership):
    # Later imports flip flags in months they do not rebuild (another partnership's, an
    # earlier month's): those cube rows are adjusted in place and must equal a rebuild.
    make_wards(partnership)
    Ward.objects.create(partnership=other_partnership, name="Oval")
    import_rows(
        other_partnership,
        [
            row("Y1", "2025-03-10", Ward="Oval", **{"Victim ID": "a"}),
            row("Y2", "2025-05-10", Ward="Oval", **{"Victim ID": "b", "VAWG Strand": "SV"}),
        ],
    )
    import_rows(
        partnership,
        [
            row("X1", "2025-02-01", **{"Victim ID": "a"}),
            row("X2", "2025-04-01", **{"Victim ID": "b"}),
        ],
    )
    import_rows(partnership, [row("X2", "2024-01-01", **{"Victim ID": "b"})])
    assert flags() == {"X1": False, "X2": False, "Y1": True, "Y2": False}
    assert_cubes_match_a_rebuild()
    assert MonthCube.objects.get(partnership=other_partnership, month="2025-03-01").repeats == 1


def test_an_import_reads_only_the_year_either_side_and_still_flags_rightly(
    partnership, other_partnership
):
    # A year either side of the file's dates is all that can decide a flag (repeats.window):
    # the incident 370 days before is outside it, and the one after flips across boroughs.
    make_wards(partnership)
    Ward.objects.create(partnership=other_partnership, name="Oval")
    same = {"Victim ID": "edge"}
    import_rows(
        other_partnership,
        [
            row("B1", "2022-01-10", Ward="Oval", **same),
            row("B2", "2023-06-01", Ward="Oval", **same),  # 507 days after B1
            row("B3", "2019-05-01", Ward="Oval", **same),
        ],
    )
    assert flags() == {"B1": False, "B2": False, "B3": False}
    import_rows(partnership, [row("A1", "2023-01-15", **same)])  # 370 days after B1
    assert flags() == {"B1": False, "B2": True, "B3": False, "A1": False}
    assert_cubes_match_a_rebuild()
