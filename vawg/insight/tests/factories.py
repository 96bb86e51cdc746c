"""Small builders for the insight tests: wards, partner files and imports."""

import csv
import io
from datetime import date

from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.testing import make_organisation
from vawg.insight import cubes, services, store
from vawg.insight.importer import Mapping
from vawg.insight.models import (
    CUBE_MEASURES,
    AreaCube,
    MonthCube,
    PartnerVictimCube,
    PeopleIndex,
    RegionPairs,
    RegionVictimCube,
    VictimCube,
    WardSuccessor,
)

TODAY = date(2026, 6, 15)
HEADERS = [
    "Crime Ref",
    "Incident Date",
    "VAWG Strand",
    "Offence",
    "Ward",
    "Victim Age",
    "Victim Sex",
    "Ethnicity",
    "Disability",
    "Sexual Orientation",
    "Victim ID",
    "Crime Outcome",
    "Officer Notes",
]
MAPPING = Mapping(
    columns={
        "source_id": "Crime Ref",
        "date": "Incident Date",
        "strand": "VAWG Strand",
        "crime_type": "Offence",
        "ward": "Ward",
        "age_band": "Victim Age",
        "sex": "Victim Sex",
        "ethnicity": "Ethnicity",
        "disability": "Disability",
        "orientation": "Sexual Orientation",
        "person_id": "Victim ID",
        "outcome": "Crime Outcome",
    },
    values={"strand": {"DA": "domestic_abuse", "SV": "sexual_violence"}},
)


def make_wards(partnership: Partnership) -> dict[str, Ward]:
    """Two current wards and one old ward whose incidents count in the first."""
    wards = {
        "Roehampton": Ward.objects.create(
            partnership=partnership, name="Roehampton", valid_from=date(2022, 5, 5)
        ),
        "Tooting Bec": Ward.objects.create(
            partnership=partnership, name="Tooting Bec", valid_from=date(2022, 5, 5)
        ),
        "Roehampton and Putney Heath": Ward.objects.create(
            partnership=partnership, name="Roehampton and Putney Heath", valid_to=date(2022, 5, 4)
        ),
    }
    WardSuccessor.objects.create(
        ward=wards["Roehampton and Putney Heath"], successor=wards["Roehampton"], source="test"
    )
    return wards


def row(source_id: str, when: str = "2025-03-01", **overrides) -> dict:
    values = {
        "Crime Ref": source_id,
        "Incident Date": when,
        "VAWG Strand": "DA",
        "Offence": "Violence with injury",
        "Ward": "Roehampton",
        "Victim Age": "34",
        "Victim Sex": "Female",
        "Ethnicity": "White",
        "Disability": "Not disabled",
        "Sexual Orientation": "Heterosexual",
        "Victim ID": f"PERSON-{source_id}",
        "Crime Outcome": "",
        "Officer Notes": "PC Example said the neighbour called",
    }
    values.update(overrides)
    return values


def csv_bytes(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def partner_for(partnership: Partnership, name: str = "Metropolitan Police") -> Organisation:
    return Organisation.objects.filter(partnership=partnership, name=name).first() or (
        make_organisation(partnership, name, kind=Organisation.Kind.POLICE)
    )


def import_rows(partnership, rows, *, actor=None, partner=None, today=TODAY, mapping=MAPPING):
    return services.import_file(
        partnership=partnership,
        partner=partner or partner_for(partnership),
        filename="extract.csv",
        data=csv_bytes(rows),
        actor=actor,
        today=today,
        mapping=mapping,
    )


# The cubes, each with its cell's columns: what a rebuild must reproduce.
CELLS = {
    AreaCube: ["strand", "ward_id", "partner_id"],
    MonthCube: ["strand", "partner_id"],
    VictimCube: ["strand", "characteristic", "value"],
    PartnerVictimCube: ["partner_id", "strand", "characteristic", "value"],
}


def cube_rows() -> dict[str, list]:
    rows = {
        cube.__name__: sorted(
            cube.objects.values_list("partnership", "month", *cell, *CUBE_MEASURES)
        )
        for cube, cell in CELLS.items()
    }
    region = ["region", "month", "strand", "characteristic", "value", *CUBE_MEASURES]
    rows["RegionVictimCube"] = sorted(RegionVictimCube.objects.values_list(*region))
    rows["RegionPairs"] = sorted(
        (region, month, bytes(counts))
        for region, month, counts in RegionPairs.objects.values_list("region", "month", "counts")
    )
    return rows


def assert_cubes_match_a_rebuild() -> None:
    """The cubes, repeat flags and people indexes kept at import are what a rebuild from
    the incidents makes."""
    kept = cube_rows()
    people = dict(PeopleIndex.objects.values_list("partnership_id", "keys"))
    assert cubes.rebuild_all() == 0, "a recompute of every repeat flag changed some"
    assert cube_rows() == kept
    assert {p: bytes(k) for p, k in PeopleIndex.objects.values_list("partnership_id", "keys")} == {
        p: bytes(k) for p, k in people.items()
    }


def held() -> list[dict]:
    """Every incident the store holds, in the standard's values."""
    return store.incidents()


def held_one(source_id: str) -> dict:
    [incident] = [i for i in held() if i["source_id"] == source_id]
    return incident


def flags() -> dict[str, bool]:
    return {i["source_id"]: i["is_repeat"] for i in held()}
