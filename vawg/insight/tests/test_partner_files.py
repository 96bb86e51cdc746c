"""Partners' files as they really arrive: in other encodings, with bad rows, without some
columns, sent again with new record ids. Each is made here, as the partner's system
would write it, and taken from upload to the store as the analyst takes it."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from vawg.audit.models import AuditEvent
from vawg.core.tabular import write_table
from vawg.insight import services, store
from vawg.insight.importer import Mapping
from vawg.insight.models import DataImport, MonthCube
from vawg.insight.tests.factories import (
    HEADERS,
    MAPPING,
    TODAY,
    csv_bytes,
    held,
    make_wards,
    partner_for,
    row,
)

pytestmark = pytest.mark.django_db
S = DataImport.Status


@pytest.fixture
def wards(partnership):
    return make_wards(partnership)


def _text(rows: list[dict], headers: list[str] = HEADERS) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _police_rows() -> list[dict]:
    """Five good rows, one with notes in Windows-1252's own characters."""
    rows = [row(f"P{i}") for i in range(1, 6)]
    rows[2]["Officer Notes"] = "Suspect owed £40; victim's name Zoë, café owner"
    return rows


def incidents() -> int:
    """The dashboard's total: what the cubes it reads hold."""
    return MonthCube.objects.aggregate(n=Sum("incidents"))["n"] or 0


def _upload(partnership, data: bytes, *, filename="police.csv", source="", encoding=""):
    return services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename=filename,
        data=data,
        actor=None,
        source=source,
        encoding=encoding,
    )


def _checked(partnership, data: bytes, mapping: Mapping = MAPPING, **kwargs) -> DataImport:
    upload = _upload(partnership, data, **kwargs)
    services.mapping_save(
        data_import=upload,
        columns=mapping.columns,
        values=mapping.values,
        actor=None,
        date_format=mapping.date_format,
        fixed=mapping.fixed,
        derived=mapping.derived,
        record_id_from=mapping.record_id_from,
    )
    return services.import_check_start(data_import=upload, today=TODAY)


def _run(data_import: DataImport, **choices) -> DataImport:
    return services.import_run_start(data_import=data_import, actor=None, today=TODAY, **choices)


# --- Encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("cp1252", "cp1252"),
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
    ],
)
def test_a_file_in_each_encoding_is_detected_and_imported(partnership, wards, codec, expected):
    checked = _checked(partnership, _text(_police_rows()).encode(codec))
    assert checked.encoding == checked.encoding_detected == expected
    assert (checked.status, checked.rows_new, checked.rows_rejected) == (S.CHECKED, 5, 0)
    before = incidents()
    done = _run(checked)
    assert (done.status, done.rows_new) == (S.IMPORTED, 5)
    assert incidents() - before == 5


@pytest.mark.parametrize(("separator", "said"), [(";", "Semicolons"), ("\t", "Tabs")])
def test_a_file_separated_by_semicolons_or_tabs_is_read_as_sent_and_the_page_says_so(
    client_for, personas, partnership, wards, separator, said
):
    """Excel's "CSV" where a comma is the decimal mark, and a case system's tab-separated
    export under a .csv name: imported as a comma file is, and the check page says how."""
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    rows = _police_rows()
    rows[0]["Officer Notes"] = "Seen at 10:30; door, then hall"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADERS, delimiter=separator, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    checked = _checked(partnership, out.getvalue().encode("cp1252"))
    assert (checked.status, checked.separator, checked.rows_new) == (S.CHECKED, separator, 5)
    page = client_for(personas[Role.ANALYST]).get(url("import-detail", partnership, pk=checked.pk))
    assert f"{said} (detected from the heading row)" in page.content.decode()
    before = incidents()
    done = _run(checked)
    assert (done.status, done.rows_new, incidents() - before) == (S.IMPORTED, 5, 5)
    assert sorted(i["source_id"] for i in held()) == sorted(r["Crime Ref"] for r in rows)


def test_a_title_above_the_headings_is_passed_over_and_the_page_says_so(
    client_for, personas, partnership, wards
):
    """A police report's export: its name and the date it was run above the headings."""
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    title = "Crime Report: VAWG flagged offences\r\nRun date,01/12/2026\r\n\r\n"
    checked = _checked(partnership, (title + _text(_police_rows())).encode("cp1252"))
    assert (checked.status, checked.heading_row, checked.rows_new) == (S.CHECKED, 4, 5)
    page = client_for(personas[Role.ANALYST]).get(url("import-detail", partnership, pk=checked.pk))
    assert "Row 4, with rows 1 to 3 above it, a title, not read" in page.content.decode()
    done = _run(checked)
    assert (done.status, done.rows_new) == (S.IMPORTED, 5)
    assert sorted(i["source_id"] for i in held()) == [f"P{i}" for i in range(1, 6)]


def test_a_workbook_s_title_is_passed_over_too(partnership, wards):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["NHS Trust: domestic abuse disclosures"])
    sheet.merge_cells("A1:F1")
    sheet.append(["Run date", "01/12/2026"])
    sheet.append(HEADERS)
    for record in _police_rows():
        sheet.append([record[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    checked = _checked(partnership, out.getvalue(), filename="health.xlsx")
    assert (checked.status, checked.heading_row, checked.rows_new) == (S.CHECKED, 3, 5)
    assert checked.separator == ""


def test_the_check_page_says_how_the_file_was_read(client_for, personas, partnership, wards):
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    checked = _checked(partnership, _text(_police_rows()).encode("cp1252"))
    page = client_for(personas[Role.ANALYST]).get(url("import-detail", partnership, pk=checked.pk))
    body = page.content.decode()
    assert "Windows-1252 (Excel on Windows) (detected)" in body
    assert "Read it this way and check again" in body


def test_a_file_the_chosen_encoding_cannot_read_names_the_row_and_column(partnership, wards):
    data = _text(_police_rows()).encode("cp1252")
    where = "Row 4, column “Officer Notes”: the text cannot be read as UTF-8"
    # Told at upload that it is UTF-8: it is not, and the message says where.
    with pytest.raises(ValidationError, match=where):
        _upload(partnership, data, encoding="utf-8")
    # Changed to UTF-8 on the check page: refused the same way, and the file is as it was.
    checked = _checked(partnership, data)
    with pytest.raises(ValidationError, match=where):
        services.import_encoding_set(data_import=checked, encoding="utf-8", actor=None, today=TODAY)
    checked.refresh_from_db()
    assert (checked.status, checked.encoding, checked.rows_new) == (S.CHECKED, "cp1252", 5)
    # Read as Latin-1 instead, it is checked again (the £ and é read the same in both).
    again = services.import_encoding_set(
        data_import=checked, encoding="latin-1", actor=None, today=TODAY
    )
    assert (again.status, again.encoding, again.encoding_detected) == (
        S.CHECKED,
        "latin-1",
        "cp1252",
    )


def test_an_encoding_the_platform_does_not_offer_is_refused(partnership, wards):
    checked = _checked(partnership, _text(_police_rows()).encode("cp1252"))
    with pytest.raises(ValidationError, match="Choose one of the encodings offered"):
        services.import_encoding_set(data_import=checked, encoding="rot13", actor=None, today=TODAY)


# --- Setting aside --------------------------------------------------------------------


def _bad_police_rows() -> list[dict]:
    """A police extract with a ward from the neighbouring borough and a repeated crime
    reference among good rows."""
    rows = _police_rows()
    rows.append(row("P6", Ward="Clapham Common"))  # Lambeth's, not Wandsworth's
    rows.append(row("P2", **{"Officer Notes": "entered twice"}))
    return rows


def test_by_default_a_file_with_bad_rows_stores_nothing(partnership, wards):
    checked = _checked(partnership, _text(_bad_police_rows()).encode("cp1252"))
    assert (checked.status, checked.rows_rejected, checked.rows_new) == (S.CHECKED, 2, 5)
    assert checked.set_aside is False  # the default: nothing unless every row passes
    done = _run(checked)
    assert done.status == S.REJECTED
    assert (done.rows_new, done.rows_updated, done.rows_unchanged) == (0, 0, 0)
    assert store.count() == 0 and incidents() == 0
    assert done.payload is None


def test_the_good_rows_go_in_and_the_rest_are_set_aside(partnership, wards):
    checked = _checked(partnership, _text(_bad_police_rows()).encode("cp1252"))
    done = _run(checked, set_aside=True)
    assert done.status == S.IMPORTED
    assert (done.rows_new, done.rows_set_aside) == (5, 2)
    assert incidents() == 5 == store.count()
    assert done.set_aside_held  # kept, encrypted, only inside the held upload
    reasons = dict(done.set_aside_rows)
    assert reasons[7].startswith("Ward “Clapham Common”: This is not a ward of the partnership")
    assert reasons[8] == "Crime Ref “P2”: The record id appears twice in the file (first on row 3)."

    table = services.set_aside_export(done)
    assert table.headers == [*HEADERS, "Row in the file sent", "Why it was set aside"]
    assert [r[0] for r in table.rows] == ["P6", "P2"]
    assert [r[-2] for r in table.rows] == [7, 8]
    assert table.rows[1][HEADERS.index("Officer Notes")] == "entered twice"


def test_the_set_aside_rows_download_marked_and_audited(client_for, personas, partnership, wards):
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    done = _run(_checked(partnership, _text(_bad_police_rows()).encode("cp1252")), set_aside=True)
    client = client_for(personas[Role.ANALYST])
    response = client.get(url("import-set-aside", partnership, pk=done.pk))
    assert response.status_code == 200
    assert "official-sensitive-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode("utf-8-sig")
    heading = text.splitlines()[0]
    marked = "Row in the file sent,Why it was set aside,OFFICIAL-SENSITIVE: partner records"
    assert heading.endswith(marked)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk")
    assert "set aside" in event.summary and event.detail["rows"] == 2
    # Erased with the file: nothing of the rows is left to download.
    client.post(url("import-erase", partnership, pk=done.pk))
    done.refresh_from_db()
    assert done.payload is None and done.set_aside_rows == []
    assert client.get(url("import-set-aside", partnership, pk=done.pk)).status_code == 404


def test_the_set_aside_rows_fixed_and_uploaded_again_go_in(partnership, wards):
    done = _run(_checked(partnership, _text(_bad_police_rows()).encode("cp1252")), set_aside=True)
    table = services.set_aside_export(done)
    headers = list(table.headers)
    rows = [list(r) for r in table.rows]
    rows[0][headers.index("Ward")] = "Tooting Bec"
    rows[1][headers.index("Crime Ref")] = "P7"  # another incident, mistyped as P2
    rows[1][headers.index("Victim ID")] = "PERSON-P7"
    corrected = write_table("csv", headers, rows)  # as a spreadsheet saves it again
    again = _upload(partnership, corrected)
    # The saved mapping fits the corrected file: its extra columns are dropped.
    assert services.mapping_ready(again)
    checked = services.import_check_start(data_import=again, today=TODAY)
    assert (checked.rows_new, checked.rows_rejected) == (2, 0)
    assert "Why it was set aside" in checked.columns_dropped
    _run(checked)
    assert incidents() == 7 == store.count()


def test_a_fault_while_importing_stores_nothing_even_when_setting_aside(
    partnership, wards, monkeypatch
):
    from vawg.insight import incoming

    checked = _checked(partnership, _text(_bad_police_rows()).encode("cp1252"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(incoming, "apply", broken)
    done = _run(checked, set_aside=True)
    assert done.status == S.FAILED
    assert store.count() == 0 and incidents() == 0 and done.rows_set_aside == 0


# --- Values the file does not hold ---------------------------------------------------

HEALTH = ["Attendance Date", "Site Ward", "Patient Age", "Patient Sex", "Patient Ref", "Notes"]


def _health(date: str, ward: str, age: str, person: str, notes: str = "") -> dict:
    return {
        "Attendance Date": date,
        "Site Ward": ward,
        "Patient Age": age,
        "Patient Sex": "F",
        "Patient Ref": person,
        "Notes": notes,
    }


HEALTH_MAPPING = Mapping(
    columns={
        "date": "Attendance Date",
        "ward": "Site Ward",
        "age_band": "Patient Age",
        "sex": "Patient Sex",
        "person_id": "Patient Ref",
    },
    values={"sex": {"F": "female"}},
    fixed={"strand": "domestic_abuse", "crime_type": "non_crime_incident"},
    record_id_from=["Attendance Date", "Patient Ref"],
)


def test_a_health_extract_without_ids_or_crime_types_is_filled_in(partnership, wards):
    rows = [
        _health("2025-03-01", "Roehampton", "16-24", "NHS-1"),
        _health("02/03/2025", "Tooting Bec", "35-44", "NHS-2"),
        _health("2025-03-03", "Roehampton", "65+", "NHS-3"),
    ]
    checked = _checked(partnership, _text(rows, HEALTH).encode(), mapping=HEALTH_MAPPING)
    assert (checked.status, checked.rows_new, checked.rows_rejected) == (S.CHECKED, 3, 0)
    assert checked.read_by_rule == {"age_band": {"16-24": "18-24"}}
    done = _run(checked)
    stored = sorted(held(), key=lambda i: i["occurred_on"])
    assert [i["strand"] for i in stored] == ["domestic_abuse"] * 3
    assert [i["crime_type"] for i in stored] == ["non_crime_incident"] * 3
    assert [i["age_band"] for i in stored] == ["18-24", "35-44", "65+"]
    assert all(i["source_id"].startswith("G-") and len(i["source_id"]) == 34 for i in stored)
    # Next quarter's file holds the same rows, dates written another way: the same ids,
    # so nothing is added twice.
    rows[0]["Attendance Date"] = "01/03/2025"
    again = _run(_checked(partnership, _text(rows, HEALTH).encode(), mapping=HEALTH_MAPPING))
    assert (again.rows_new, again.rows_unchanged) == (0, 3)
    assert incidents() == 3 and done.rows_new == 3


def test_rows_with_the_same_generated_id_are_all_set_aside(partnership, wards):
    rows = [
        _health("2025-03-01", "Roehampton", "30", "NHS-1", "first visit"),
        _health("2025-03-01", "Roehampton", "30", "NHS-1", "second visit"),
        _health("2025-03-02", "Roehampton", "30", "NHS-2"),
    ]
    checked = _checked(partnership, _text(rows, HEALTH).encode(), mapping=HEALTH_MAPPING)
    assert (checked.rows_new, checked.rows_rejected) == (1, 2)
    reasons = [p["reason"] for p in checked.problems]
    assert reasons[0].startswith("Rows 2 and 3 give the same generated record id")
    assert reasons[1].startswith("Rows 3 and 2 give the same generated record id")
    done = _run(checked, set_aside=True)
    assert (done.rows_new, done.rows_set_aside) == (1, 2)
    assert [r[-2] for r in services.set_aside_export(done).rows] == [2, 3]


POLICE_DA = ["URN", "Date", "DA Flag", "Offence", "Ward", "Victim ID"]


def test_the_strand_is_worked_out_from_a_da_flag_and_the_offence(partnership, wards):
    rows = [
        {
            "URN": "U1",
            "Date": "2025-03-01",
            "DA Flag": "Y",
            "Offence": "Assault",
            "Ward": "Roehampton",
        },
        {
            "URN": "U2",
            "Date": "2025-03-01",
            "DA Flag": "N",
            "Offence": "Rape",
            "Ward": "Roehampton",
        },
        {
            "URN": "U3",
            "Date": "2025-03-01",
            "DA Flag": "",
            "Offence": "Stalking",
            "Ward": "Roehampton",
        },
    ]
    mapping = Mapping(
        columns={"source_id": "URN", "date": "Date", "ward": "Ward", "crime_type": "Offence"},
        values={
            "strand": {"Rape": "sexual_violence"},
            "crime_type": {
                "Assault": "violence_with_injury",
                "Rape": "rape",
                "Stalking": "stalking_harassment",
            },
        },
        derived={"strand": {"rule": "da_flag", "flag": "DA Flag", "otherwise": "Offence"}},
    )
    done = _run(_checked(partnership, _text(rows, POLICE_DA).encode(), mapping=mapping))
    assert done.rows_new == 3
    strands = {i["source_id"]: i["strand"] for i in held()}
    assert strands == {"U1": "domestic_abuse", "U2": "sexual_violence", "U3": "stalking"}
    assert "DA Flag" not in done.columns_dropped  # read, to work the strand out


# --- Likely duplicates ----------------------------------------------------------------


def test_records_sent_again_with_new_ids_are_listed_and_set_aside(partnership, wards):
    first = [row(f"A{i}", **{"Victim ID": f"V{i}"}) for i in range(4)]
    _run(_checked(partnership, csv_bytes(first)))
    assert incidents() == 4
    renumbered = [{**r, "Crime Ref": "NEW-" + r["Crime Ref"]} for r in first[:3]]
    renumbered.append(row("B9", **{"Victim ID": "someone else"}))
    checked = _checked(partnership, csv_bytes(renumbered))
    # Listed before anything is stored, each with the record it looks like.
    assert [(d["row"], d["source_id"], d["matches"]) for d in checked.duplicates] == [
        (2, "NEW-A0", "A0"),
        (3, "NEW-A1", "A1"),
        (4, "NEW-A2", "A2"),
    ]
    assert incidents() == 4
    done = _run(checked)  # the default: set them aside
    assert (done.rows_new, done.rows_set_aside) == (1, 3)
    assert incidents() == 5
    assert dict(done.set_aside_rows)[2].startswith("Likely the same incident as stored record A0")


def test_the_analyst_may_import_likely_duplicates(partnership, wards):
    first = [row("A1", **{"Victim ID": "V1"})]
    _run(_checked(partnership, csv_bytes(first)))
    checked = _checked(partnership, csv_bytes([{**first[0], "Crime Ref": "A1-B"}]))
    done = _run(checked, duplicates_set_aside=False)
    assert (done.rows_new, done.rows_set_aside) == (1, 0)
    assert incidents() == 2


# --- Sizes ----------------------------------------------------------------------------


def test_a_workbooks_rows_are_counted_and_a_large_one_goes_to_the_worker(partnership, wards):
    rows = [[f"X{i}", "2025-03-01"] for i in range(30)]
    workbook = write_table("xlsx", ["Crime Ref", "Incident Date"], rows)
    upload = _upload(partnership, workbook, filename="police.xlsx")
    assert upload.rows_total == 30
    assert not services.in_background(upload)
    upload.rows_total = services.BACKGROUND_ROWS + 1
    assert services.in_background(upload)
    upload.rows_total, upload.size_bytes = 10, services.BACKGROUND_BYTES + 1
    assert services.in_background(upload)


def test_the_values_page_does_not_decrypt_the_file_on_every_refresh(
    client_for, personas, partnership, wards, monkeypatch
):
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    upload = _upload(partnership, csv_bytes([row("V1", **{"VAWG Strand": "Domestic"})]))
    client = client_for(personas[Role.ANALYST])
    columns = dict(MAPPING.columns)
    client.post(url("import-mapping", partnership, pk=upload.pk), columns)
    reads = []
    real = services.payload_of
    monkeypatch.setattr(services, "payload_of", lambda d: reads.append(d.pk) or real(d))
    for _ in range(3):
        page = client.get(url("import-values", partnership, pk=upload.pk))
        assert "“Domestic”" in page.content.decode()
    assert reads == []


# --- Saved mappings -------------------------------------------------------------------


def test_next_quarters_file_maps_in_one_click_and_changes_are_named(
    client_for, personas, partnership, wards
):
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    _run(_checked(partnership, csv_bytes([row("Q1")]), source="Crime extract"))
    client = client_for(personas[Role.ANALYST])
    nxt = _upload(partnership, csv_bytes([row("Q2")]), source="Crime extract")
    page = client.get(url("import-mapping", partnership, pk=nxt.pk))
    assert "the saved choices are filled in below" in page.content.decode()
    chosen = {f.name: f.initial for f in page.context["form"] if f.initial}
    response = client.post(url("import-mapping", partnership, pk=nxt.pk), chosen)
    assert response["Location"] == url("import-detail", partnership, pk=nxt.pk)
    nxt.refresh_from_db()
    assert (nxt.status, nxt.rows_new) == (S.CHECKED, 1)

    # A file whose columns changed says how.
    headers = [h for h in HEADERS if h != "Ethnicity"] + ["Force"]
    changed = _upload(partnership, csv_bytes([row("Q3")], headers), source="Crime extract")
    body = client.get(url("import-mapping", partnership, pk=changed.pk)).content.decode()
    assert (
        "The file&#x27;s columns have changed" in body or "The file's columns have changed" in body
    )
    assert "New columns: Force" in body
    assert "Columns no longer in the file: Ethnicity" in body
    assert "Choose again for: Victim ethnic group" in body


def test_each_source_of_a_partner_keeps_its_own_mapping(partnership, wards):
    _checked(partnership, csv_bytes([row("S1")]), source="Crime extract")
    other = Mapping(columns={**MAPPING.columns, "outcome": ""}, values=MAPPING.values)
    other.columns.pop("outcome")
    _checked(partnership, csv_bytes([row("S2")]), mapping=other, source="Non-crime")
    partner = partner_for(partnership)
    assert "outcome" in services.mapping_for(partner, "Crime extract").columns
    assert "outcome" not in services.mapping_for(partner, "Non-crime").columns
    assert services.mapping_for(partner).columns == {}


def test_the_dropped_columns_follow_the_choices(client_for, personas, partnership, wards):
    from vawg.core.permissions import Role
    from vawg.insight.tests.test_views import url

    upload = _upload(partnership, csv_bytes([row("D1")]))
    client = client_for(personas[Role.ANALYST])
    # Sent with an error (no ward) and Officer Notes chosen as the outcome: the list
    # shown again follows what was sent, not the first suggestion.
    chosen = {**MAPPING.columns, "outcome": "Officer Notes", "ward": ""}
    page = client.post(url("import-mapping", partnership, pk=upload.pk), chosen)
    assert page.status_code == 200
    assert page.context["dropped"] == ["Ward", "Crime Outcome"]


def test_the_weeks_erasure_erases_the_rows_set_aside_with_the_file(partnership, wards):
    from datetime import timedelta

    done = _run(_checked(partnership, _text(_bad_police_rows()).encode("cp1252")), set_aside=True)
    assert done.set_aside_held
    later = done.uploaded_at.date() + timedelta(days=services.STALE_AFTER_DAYS + 1)
    assert services.stale_uploads_forget(today=later) == 1
    done.refresh_from_db()
    assert (done.status, done.payload, done.set_aside_rows) == (S.IMPORTED, None, [])
    assert not done.held_parts.exists()
    with pytest.raises(ValidationError):
        services.set_aside_export(done)
    assert incidents() == 5  # the imported rows stay
