from datetime import date

import pytest
from django.db.models import Sum

from vawg.core import crypto
from vawg.insight import services, store
from vawg.insight.importer import PERSON_PURPOSE
from vawg.insight.models import DataImport, IncidentSegment, MonthCube, VictimCube
from vawg.insight.tests.factories import (
    MAPPING,
    TODAY,
    csv_bytes,
    held,
    held_one,
    import_rows,
    make_wards,
    partner_for,
    row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards(partnership):
    return make_wards(partnership)


def test_it_imports_rows_in_the_standards_codes(partnership, wards):
    result = import_rows(partnership, [row("A1"), row("A2", **{"VAWG Strand": "SV"})])
    assert result.status == DataImport.Status.IMPORTED
    assert (result.rows_new, result.rows_updated, result.rows_rejected) == (2, 0, 0)
    first = held_one("A1")
    assert first["strand"] == "domestic_abuse"
    assert first["age_band"] == "25-34"
    assert first["outcome"] == "pending"
    assert first["month"] == date(2025, 3, 1)
    assert held_one("A2")["strand"] == "sexual_violence"


def test_the_cubes_hold_what_the_incidents_hold(partnership, wards):
    import_rows(partnership, [row(f"C{i}", f"2025-0{1 + i % 3}-10") for i in range(9)])
    assert MonthCube.objects.aggregate(n=Sum("incidents"))["n"] == 9
    for characteristic in ("age_band", "sex", "ethnicity", "disability", "orientation"):
        cube = VictimCube.objects.filter(characteristic=characteristic)
        assert cube.filter(strand="").aggregate(n=Sum("incidents"))["n"] == 9
        assert cube.exclude(strand="").aggregate(n=Sum("incidents"))["n"] == 9


def test_an_old_ward_counts_in_its_successor(partnership, wards):
    import_rows(partnership, [row("W1", "2021-06-01", Ward="Roehampton and Putney Heath")])
    assert held_one("W1")["ward_id"] == wards["Roehampton"].pk


def test_the_same_file_twice_changes_nothing(partnership, wards):
    rows = [row("S1"), row("S2")]
    import_rows(partnership, rows)
    before = held()
    segments = list(IncidentSegment.objects.values_list("month", "dims", "people", "record"))
    again = import_rows(partnership, rows)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert held() == before
    after = list(IncidentSegment.objects.values_list("month", "dims", "people", "record"))
    assert [tuple(map(bytes, s[1:])) for s in after] == [tuple(map(bytes, s[1:])) for s in segments]


def test_an_overlapping_extract_updates_and_adds_without_duplicating(partnership, wards):
    import_rows(partnership, [row("O1"), row("O2")])
    later = import_rows(
        partnership, [row("O1", **{"Crime Outcome": "Charged or summonsed"}), row("O2"), row("O3")]
    )
    assert (later.rows_new, later.rows_updated, later.rows_unchanged) == (1, 1, 1)
    assert store.count() == 3
    assert held_one("O1")["outcome"] == "charged"
    # The update keeps the record's place in the order of storing, and says which import
    # wrote it last.
    assert held_one("O1")["stored"] < held_one("O2")["stored"] < held_one("O3")["stored"]
    assert held_one("O1")["data_import_id"] == held_one("O3")["data_import_id"] == later.pk
    assert MonthCube.objects.aggregate(c=Sum("charged"), n=Sum("incidents")) == {"c": 1, "n": 3}


def test_one_bad_row_rejects_the_whole_file(partnership, wards):
    result = import_rows(partnership, [row("B1"), row("B2", **{"Incident Date": "31/02/2025"})])
    assert result.status == DataImport.Status.REJECTED
    assert store.count() == 0
    assert MonthCube.objects.count() == 0
    # Nothing was stored: a rejected file counts nothing new.
    assert (result.rows_new, result.rows_rejected) == (0, 1)
    [problem] = result.problems
    assert (problem["row"], problem["column"], problem["value"]) == (
        3,
        "Incident Date",
        "31/02/2025",
    )
    assert "February has no 31st day" in problem["reason"]


def test_the_person_identifier_and_unknown_columns_are_never_stored(partnership, wards):
    result = import_rows(partnership, [row("P1", **{"Victim ID": "Jane-Doe-1970"})])
    [incident] = held()
    stored = " ".join(str(v) for v in incident.values())
    assert "jane" not in stored.lower()
    assert "PC Example" not in stored
    assert len(incident["person_digest"]) == 64 and incident["person_key_version"] == 1
    # Nor anywhere in the stored blobs, compressed or not.
    segment = IncidentSegment.objects.get()
    import pyarrow as pa

    for part in store.ALL_PARTS:
        raw = pa.ipc.open_stream(pa.py_buffer(bytes(getattr(segment, part)))).read_all()
        assert "jane" not in str(raw.to_pylist()).lower()
    result.refresh_from_db()
    assert result.payload is None
    assert result.columns_dropped == ["Officer Notes"]


def test_a_rejected_person_identifier_is_withheld_from_the_report(partnership, wards):
    bad = row("P2", **{"Victim ID": "Jane-Doe-1970", "Incident Date": "tomorrow"})
    result = import_rows(partnership, [bad])
    assert "Jane" not in str(result.problems)


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"Incident Date": "2027-01-01"}, "Incident Date", "The date is in the future"),
        ({"Incident Date": "not a date"}, "Incident Date", "not a date; write dates as"),
        ({"Incident Date": "1899-01-01"}, "Incident Date", "The date is before 2000"),
        ({"VAWG Strand": "XYZ"}, "VAWG Strand", "“XYZ” is not a code of the standard"),
        ({"Ward": "Atlantis"}, "Ward", "This is not a ward of the partnership"),
        ({"Crime Ref": ""}, "Crime Ref", "The record id is missing"),
        ({"Victim Age": "130"}, "Victim Age", "An age must be 120 or less"),
    ],
)
def test_each_bad_value_gets_its_own_reason(partnership, wards, overrides, column, reason):
    result = import_rows(partnership, [row("X1", **overrides)])
    assert result.status == DataImport.Status.REJECTED
    assert result.problems[0]["column"] == column
    assert reason.casefold() in result.problems[0]["reason"].casefold()
    assert result.problems[0]["row"] == 2


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"Incident Date": "2027-01-01"}, "Incident Date"),
        ({"Incident Date": ""}, "Incident Date"),
        ({"VAWG Strand": "XYZ"}, "VAWG Strand"),
        ({"Ward": "Atlantis"}, "Ward"),
        ({"Crime Ref": ""}, "Crime Ref"),
        ({"Crime Ref": "G1"}, "Crime Ref"),
        ({"Victim Age": "130"}, "Victim Age"),
    ],
)
def test_a_bad_value_after_good_rows_is_still_reported(partnership, wards, overrides, column):
    # The good rows fill the importer's caches, so the bad row meets its fast path.
    result = import_rows(partnership, [row("G1"), row("G2"), row("X1", **overrides)])
    assert result.status == DataImport.Status.REJECTED
    assert [(p["row"], p["column"]) for p in result.problems] == [(4, column)]
    assert store.count() == 0


def test_each_person_is_pseudonymised_as_the_platform_does(partnership, wards):
    rows = [
        row("H1", **{"Victim ID": "Jane-Doe-1970"}),
        row("H2", **{"Victim ID": " jane-doe-1970 "}),
        row("H3", **{"Victim ID": ""}),
    ]
    import_rows(partnership, rows)
    expected = crypto.pseudonymise("Jane-Doe-1970", purpose=PERSON_PURPOSE)
    stored = {i["source_id"]: i["person_digest"] for i in held()}
    assert stored == {"H1": expected.digest, "H2": expected.digest, "H3": ""}


def test_a_duplicate_record_id_names_the_first_row(partnership, wards):
    result = import_rows(partnership, [row("D1"), row("D1")])
    assert result.problems[0]["reason"] == (
        "The record id appears twice in the file (first on row 2)."
    )
    assert store.count() == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"a,b\n1,2\n", "x.pdf", "The file must be a CSV or an Excel (.xlsx) file"),
    ],
)
def test_unreadable_files_are_refused_at_upload(partnership, data, filename, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.import_upload(
            partnership=partnership,
            partner=partner_for(partnership),
            filename=filename,
            data=data,
            actor=None,
        )
    assert message in str(error.value)
    assert DataImport.objects.count() == 0


def test_missing_columns_are_named(partnership, wards):
    data = csv_bytes([row("M1")], headers=["Crime Ref", "Ward"])
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="x.csv",
        data=data,
        actor=None,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.mapping_save(
            data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=None
        )
    assert "The file has no column “Incident Date” for “Date”" in str(error.value)


def test_merged_heading_cells_are_refused(partnership):
    import io

    from django.core.exceptions import ValidationError
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Crime Ref", "", "Ward"])
    sheet.merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as error:
        services.import_upload(
            partnership=partnership,
            partner=partner_for(partnership),
            filename="merged.xlsx",
            data=out.getvalue(),
            actor=None,
        )
    assert "merged cells (A1:B1)" in str(error.value)


def test_an_xlsx_file_imports_like_a_csv(partnership, wards):
    import io

    from openpyxl import Workbook

    from vawg.insight.tests.factories import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    values = row("X9")
    sheet.append([values[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    result = services.import_file(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="extract.xlsx",
        data=out.getvalue(),
        actor=None,
        today=TODAY,
        mapping=MAPPING,
    )
    assert result.status == DataImport.Status.IMPORTED
    assert [i["source_id"] for i in held()] == ["X9"]


def test_a_fault_of_the_platforms_own_fails_the_import_plainly(
    partnership, wards, monkeypatch, caplog
):
    from vawg.insight import incoming

    def broken(*args, **kwargs):
        raise RuntimeError("PERSON-Q1 could not be written")

    monkeypatch.setattr(incoming, "apply", broken)
    result = import_rows(partnership, [row("Q1")])
    assert result.status == DataImport.Status.FAILED
    assert "nothing from it was stored" in result.error
    assert store.count() == 0 and MonthCube.objects.count() == 0
    assert "RuntimeError" in caplog.text and "PERSON-Q1" not in caplog.text
    services.import_discard(data_import=result, actor=None)
    assert result.status == DataImport.Status.DISCARDED and result.payload is None


def test_a_fault_while_checking_fails_the_check_rather_than_checking_for_ever(
    partnership, wards, monkeypatch
):
    from vawg.insight import incoming

    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="extract.csv",
        data=csv_bytes([row("Q2")]),
        actor=None,
    )
    services.mapping_save(
        data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=None
    )
    monkeypatch.setattr(incoming, "sort", lambda *a: 1 / 0)
    services.import_check_start(data_import=upload, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == DataImport.Status.FAILED and upload.finished
