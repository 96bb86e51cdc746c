"""The column-at-a-time reading of a CSV: the same records as row by row, or none at all."""

from datetime import date

import pytest

from vawg.insight import columnar
from vawg.insight.importer import Standardiser, read_rows
from vawg.insight.models import DataImport, Incident
from vawg.insight.tests.factories import (
    HEADERS,
    MAPPING,
    TODAY,
    csv_bytes,
    import_rows,
    make_wards,
    row,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    "source_id",
    "occurred_on",
    "strand",
    "crime_type",
    "ward_id",
    "age_band",
    "sex",
    "gender_identity",
    "ethnicity",
    "disability",
    "orientation",
    "relationship",
    "perpetrator_sex",
    "perpetrator_age_band",
    "outcome",
    "person_key_version",
    "person_digest",
    "fingerprint",
]


def both_ways(partnership, data: bytes):
    """(column at a time, row by row) readings of the same file."""
    headers, rows = read_rows(data, "extract.csv")
    standardiser = Standardiser(
        partnership=partnership, headers=headers, mapping=MAPPING, today=TODAY
    )
    columns = columnar.read(data, headers, standardiser)
    records = [standardiser.record(n, values) for n, values in rows]
    return columns, records


ROWS = [
    row("C1"),
    row("C2", "02/03/2025", **{"VAWG Strand": "SV", "Victim Age": "70"}),
    row("C3", " 2024-11-30 ", Ward="roehampton and putney heath", **{"Victim ID": ""}),
    row(" C4 ", "2025-1-5", **{"Crime Outcome": "Charged", "Victim ID": " person-c1 "}),
]


def test_a_clean_file_reads_the_same_either_way(partnership):
    make_wards(partnership)
    columns, records = both_ways(partnership, csv_bytes(ROWS))
    assert columns is not None
    for i, record in enumerate(records):
        got = [columns[name][i] for name in FIELDS]
        assert got == [getattr(record, name) for name in FIELDS]


def test_the_store_holds_the_same_either_way(partnership):
    # An .xlsx upload always goes row by row; the same rows as CSV go column at a time.
    make_wards(partnership)
    import_rows(partnership, ROWS)
    by_csv = sorted(Incident.objects.values_list("source_id", "fingerprint", "is_repeat"))
    assert len(by_csv) == 4
    # Re-importing the same rows row by row (a neutralised cell forces it) changes nothing.
    again = [*ROWS, row("'=C5")]
    assert both_ways(partnership, csv_bytes(again))[0] is None
    result = import_rows(partnership, again)
    assert (result.rows_new, result.rows_unchanged) == (1, 4)
    assert Incident.objects.filter(source_id="=C5").exists()


@pytest.mark.parametrize(
    "rows, why",
    [
        ([row("D1"), row("D1")], "a repeated record id"),
        ([row("D1"), row("")], "a blank record id"),
        ([row("D1"), row("D" * 65)], "a record id too long"),
        ([row("D1"), row("D2", "2031-01-01")], "a date in the future"),
        ([row("D1"), row("D2", Ward="Atlantis")], "a ward the partnership lacks"),
        ([row("D1"), row("D2", **{"Victim Sex": "Robot"})], "an unknown code"),
        ([row("D1"), row("D2", **{"Offence": "'=1+1"})], "a neutralised cell"),
    ],
)
def test_anything_unsure_goes_row_by_row(partnership, rows, why):
    make_wards(partnership)
    columns, _ = both_ways(partnership, csv_bytes(rows))
    assert columns is None, why


def test_a_row_with_a_value_past_the_last_heading_goes_row_by_row(partnership):
    from vawg.insight import services
    from vawg.insight.tests.factories import partner_for

    make_wards(partnership)
    data = csv_bytes([row("E1"), row("E2")]) + b"E3,2025-01-01" + b",x" * len(HEADERS) + b"\n"
    headers, _ = read_rows(data, "extract.csv")
    standardiser = Standardiser(
        partnership=partnership, headers=headers, mapping=MAPPING, today=TODAY
    )
    assert columnar.read(data, headers, standardiser) is None
    result = services.import_file(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="extract.csv",
        data=data,
        actor=None,
        today=TODAY,
        mapping=MAPPING,
    )
    assert result.status == DataImport.Status.REJECTED
    assert result.error == "Row 4 has more values than there are column headings."
    assert not Incident.objects.exists()


def test_a_file_with_problems_is_still_reported_row_by_row(partnership):
    make_wards(partnership)
    result = import_rows(partnership, [row("F1"), row("F2", **{"Victim Sex": "Robot"})])
    assert result.status == DataImport.Status.REJECTED
    assert [(p["row"], p["column"]) for p in result.problems] == [(3, "Victim Sex")]
    assert not Incident.objects.exists()


def test_an_extract_without_an_identifier_column_reads_column_at_a_time(partnership):
    from vawg.insight.importer import Mapping

    make_wards(partnership)
    columns_only = {k: v for k, v in MAPPING.columns.items() if k != "person_id"}
    mapping = Mapping(columns=columns_only, values=MAPPING.values)
    data = csv_bytes([row("G1"), row("G2", "2025-02-01")])
    headers, rows = read_rows(data, "extract.csv")
    standardiser = Standardiser(
        partnership=partnership, headers=headers, mapping=mapping, today=date(2026, 1, 1)
    )
    columns = columnar.read(data, headers, standardiser)
    records = [standardiser.record(n, values) for n, values in rows]
    assert list(columns["person_digest"]) == ["", ""]
    assert list(columns["fingerprint"]) == [r.fingerprint for r in records]
