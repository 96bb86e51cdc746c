"""The one exporter: every table download is neutralised, marked by one rule, recorded once
with its row count, and served the same way, as CSV or XLSX."""

import ast
import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from vawg.audit.models import AuditEvent
from vawg.core import disclosure
from vawg.core.csvsafe import FORMULA_STARTS, safe_cell
from vawg.core.tabular import CONTENT_TYPES
from vawg.exchange.exporting import (
    OFFICIAL,
    OFFICIAL_SENSITIVE,
    Contents,
    Table,
    export_file,
    export_response,
    marking_for,
    safe_filename,
    template_response,
    workbook_response,
    write_export,
)

FORMULAS = ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "=HYPERLINK(evil)"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def xlsx_rows(content: bytes) -> list[list]:
    return [list(row) for row in xlsx_sheet(content).iter_rows(values_only=True)]


def table(**kwargs) -> Table:
    return Table(
        **{
            "name": "wandsworth-things",
            "headers": ["Ref", "Note"],
            "rows": [["A1", "plain"]],
            "what": "the things",
            "subject": "core.Thing",
            **kwargs,
        }
    )


# --- Neutralised, in one place ------------------------------------------------------


def test_it_neutralises_formulas_in_a_csv_headings_included():
    file = write_export(
        table(headers=["=Ref", "Note"], rows=[[f, "ok"] for f in FORMULAS]), fmt="csv"
    )
    rows = csv_rows(file.content)
    assert rows[0] == ["'=Ref", "Note"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS]


def test_it_neutralises_formulas_in_an_xlsx_headings_included():
    file = write_export(
        table(headers=["=Ref", "Note"], rows=[[f, "ok"] for f in FORMULAS]), fmt="xlsx"
    )
    sheet = xlsx_sheet(file.content)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    rows = xlsx_rows(file.content)
    assert rows[0] == ["'=Ref", "Note"]
    # A carriage return may read back from the workbook's XML as a line feed (the XML
    # parser decides, and lxml keeps it); either way the cell is neutralised.
    read = [r[0].replace("\r", "\n") for r in rows[1:]]
    assert read == ["'" + f.replace("\r", "\n") for f in FORMULAS]


def test_an_xlsx_keeps_numbers_and_dates_as_such_and_says_yes_or_no():
    rows = [[-3, Decimal("2.5"), date(2025, 4, 1), True, False, None]]
    file = write_export(table(headers=list("abcdef"), rows=rows), fmt="xlsx")
    got = xlsx_rows(file.content)[1]
    assert got[:2] == [-3, 2.5]
    assert got[2].date() == date(2025, 4, 1)
    assert got[3:] == ["yes", "no", None]


def test_an_xlsx_drops_characters_a_workbook_cannot_hold_before_neutralising():
    file = write_export(table(rows=[["\x01=1+1", "a\x00b"]]), fmt="xlsx")
    assert xlsx_rows(file.content)[1] == ["'=1+1", "ab"]


cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(FORMULAS).flatmap(lambda f: st.text(max_size=5).map(lambda t: f + t)),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(
    headers=st.lists(st.text(max_size=10), min_size=1, max_size=4),
    rows=st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6),
)
def test_no_cell_that_could_run_as_a_formula_survives_in_either_format(headers, rows):
    written = table(headers=headers, rows=rows)
    for row in csv_rows(write_export(written, fmt="csv").content):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
    # A cell that needed nothing is left exactly as it was.
    for row, read in zip(rows, csv_rows(write_export(written, fmt="csv").content)[1:], strict=True):
        assert read == [safe_cell(v) for v in row]
    sheet = xlsx_sheet(write_export(written, fmt="xlsx").content)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_STARTS), cell.value


# --- Marked by one rule -------------------------------------------------------------


@pytest.mark.parametrize(
    ("contents", "classification"),
    [
        (Contents.RECORDS, OFFICIAL),
        (Contents.CONTROLLED_FIGURES, OFFICIAL),
        (Contents.EXACT_FIGURES, OFFICIAL_SENSITIVE),
        (Contents.CASE_DATA, OFFICIAL_SENSITIVE),
    ],
)
def test_the_marking_follows_from_what_the_rows_hold(contents, classification):
    assert marking_for(contents).classification == classification


def test_figures_are_exact_only_for_an_exact_audience():
    assert Contents.figures(disclosure.EXACT) is Contents.EXACT_FIGURES
    assert Contents.figures(disclosure.CONTROLLED) is Contents.CONTROLLED_FIGURES


def test_an_official_file_is_left_as_written():
    for fmt in ("csv", "xlsx"):
        file = write_export(table(title="Things"), fmt=fmt)
        assert file.filename == f"wandsworth-things.{fmt}"
        assert file.marking.classification == OFFICIAL and not file.marking.sensitive
    assert csv_rows(write_export(table(), fmt="csv").content)[0] == ["Ref", "Note"]
    sheet = xlsx_sheet(write_export(table(title="Things"), fmt="xlsx").content)
    assert sheet.title == "Things"
    assert not sheet.oddHeader.center.text
    assert [c.value for c in sheet[1]] == ["Ref", "Note"]


def test_a_csv_of_exact_figures_is_marked_in_its_name_and_last_heading():
    file = write_export(table(contents=Contents.EXACT_FIGURES), fmt="csv")
    assert file.filename == "official-sensitive-wandsworth-things.csv"
    assert csv_rows(file.content)[0] == ["Ref", "Note", "OFFICIAL-SENSITIVE: exact figures"]
    assert csv_rows(file.content)[1] == ["A1", "plain"]


def test_an_xlsx_of_case_data_is_marked_in_its_name_sheet_heading_and_printed_pages():
    file = write_export(table(contents=Contents.CASE_DATA, title="Cases"), fmt="xlsx")
    assert file.filename == "official-sensitive-wandsworth-things.xlsx"
    sheet = xlsx_sheet(file.content)
    assert sheet.title == "OFFICIAL-SENSITIVE"
    assert sheet.oddHeader.center.text == sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE"
    assert [c.value for c in sheet[1]] == ["Ref", "Note", "OFFICIAL-SENSITIVE: case data"]


def test_it_refuses_a_format_it_does_not_write():
    with pytest.raises(ValueError, match="pdf"):
        write_export(table(), fmt="pdf")


def test_a_file_name_cannot_break_out_of_its_header_or_folder():
    assert safe_filename('a"b\r\nc/../d.csv') == "a-b-c-..-d.csv"
    assert safe_filename("../.hidden") == "hidden"
    assert safe_filename("") == "export"


# --- Recorded once, with the rows ---------------------------------------------------


@pytest.fixture
def asked(rf, partnership, personas):
    request = rf.get("/download", REMOTE_ADDR="192.0.2.7")
    request.user = personas["analyst"]
    request.partnership = partnership
    return request


def test_a_download_is_recorded_once_with_what_and_how_many_rows(asked, partnership, personas):
    rows = [["A1", "one"], ["A2", "two"], ["A3", "=three"]]
    response = export_response(
        asked, table(rows=rows, detail={"period": "2025:q"}, title="Things"), fmt="xlsx"
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="wandsworth-things.xlsx"'
    assert response["Cache-Control"] == "no-store"
    assert xlsx_rows(response.content)[3] == ["A3", "'=three"]
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.EXPORT
    assert (event.actor_id, event.partnership_id) == (personas["analyst"].pk, partnership.pk)
    assert (event.object_type, event.object_id) == ("core.Thing", "")
    assert event.summary == "Exported the things as XLSX"
    assert event.detail == {"period": "2025:q", "format": "xlsx", "rows": 3}
    assert event.ip_address == "192.0.2.7"


def test_a_restricted_download_is_marked_official_sensitive_and_recorded(asked, partnership):
    response = export_response(asked, table(contents=Contents.CASE_DATA), fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="official-sensitive-wandsworth-things.csv"'
    )
    assert csv_rows(response.content)[0][-1] == "OFFICIAL-SENSITIVE: case data"
    assert AuditEvent.objects.get().detail == {"format": "csv", "rows": 1}


def test_a_download_from_one_record_names_it(partnership, personas):
    file = export_file(
        table(subject=partnership, rows=[]),
        fmt="csv",
        partnership=partnership,
        actor=personas["analyst"],
    )
    assert file.rows == 0
    event = AuditEvent.objects.get()
    assert (event.object_type, event.object_id) == ("core.Partnership", str(partnership.pk))
    assert event.detail == {"format": "csv", "rows": 0}


def test_a_blank_template_or_a_file_written_in_place_records_nothing(db):
    response = template_response(table(rows=[]), fmt="csv")
    assert csv_rows(response.content) == [["Ref", "Note"]]
    assert response["Content-Disposition"] == 'attachment; filename="wandsworth-things.csv"'
    write_export(table(), fmt="xlsx")
    assert not AuditEvent.objects.exists()


def test_a_workbook_an_app_built_itself_is_served_the_same_way(db):
    response = workbook_response(b"PK", filename="official-sensitive-x.xlsx")
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"] == 'attachment; filename="official-sensitive-x.xlsx"'
    assert response["Cache-Control"] == "no-store"


# --- One way ------------------------------------------------------------------------

VAWG = Path(__file__).resolve().parents[2]
WRITERS = {"write_table", "CONTENT_TYPES"}
# Beside core and exchange, only the plan printed as text for a terminal uses the writer.
MAY_WRITE_TABLES = {"strategy/exports.py"}


def _writes_tables(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "vawg.core.tabular"
        and WRITERS & {alias.name for alias in node.names}
        for node in ast.walk(tree)
    )


def test_no_app_writes_a_table_download_of_its_own():
    callers = {
        str(path.relative_to(VAWG))
        for path in VAWG.rglob("*.py")
        if "tests" not in path.parts
        and path.relative_to(VAWG).parts[0] not in {"core", "exchange"}
        and _writes_tables(path)
    }
    assert callers <= MAY_WRITE_TABLES, callers - MAY_WRITE_TABLES
