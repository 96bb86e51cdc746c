import contextlib
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from vawg.core.tabular import Problem, TableError, problems_table, read_table, write_table


def xlsx(rows, merge=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_of(data: bytes, name: str):
    table = read_table(data, name)
    return table.headers, list(table.rows)


def test_csv_rows_carry_their_spreadsheet_row_numbers_and_skip_blank_lines():
    headers, rows = rows_of(
        "\ufeffRef,Status\nAB.01, on track \n,\nAB.02,'=1+1\n".encode(), "a.csv"
    )
    assert headers == ["Ref", "Status"]
    assert rows == [
        (2, {"Ref": "AB.01", "Status": "on track"}),
        (4, {"Ref": "AB.02", "Status": "=1+1"}),
    ]


def test_xlsx_rows_read_dates_and_whole_numbers_as_text():
    from datetime import date

    headers, rows = rows_of(
        xlsx([["Ref", "Date", "Count"], ["A", date(2026, 4, 1), 3.0]]), "a.xlsx"
    )
    assert rows == [(2, {"Ref": "A", "Date": "2026-04-01", "Count": "3"})]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "The file is empty."),
        (b"Ref\n", "a.pdf", "must be a CSV or an Excel"),
        ("Ref,Note\nA,caf\u00e9\n".encode("latin-1"), "a.csv", "not UTF-8"),
        (b"Ref,,Note\n", "a.csv", "Column B has no heading"),
        (b"Ref,ref\n", "a.csv", "appears twice (columns A and B)"),
        (b"Ref\nA,B\n", "a.csv", "Row 2 has more values"),
        (b"not a zip", "a.xlsx", "not a readable Excel"),
        (b"\n", "a.csv", "The first row must hold the column headings"),
    ],
)
def test_unreadable_files_get_a_plain_reason(data, name, message):
    with pytest.raises(TableError, match=re.escape(message)):
        rows_of(data, name)


def test_merged_heading_cells_are_refused():
    with pytest.raises(TableError, match=r"merged cells \(A1:B1\)"):
        rows_of(xlsx([["Both", None], ["a", "b"]], merge="A1:B1"), "a.xlsx")


def test_csv_written_neutralises_formulas_and_reads_back_unchanged():
    data = write_table("csv", ["Ref", "Note"], [["A", "=HYPERLINK(1)"], ["B", None]])
    assert b"'=HYPERLINK" in data
    _, rows = rows_of(data, "round.csv")
    assert rows[0][1]["Note"] == "=HYPERLINK(1)"


def test_xlsx_written_keeps_numbers_as_numbers():
    data = write_table("xlsx", ["Ref", "Value"], [["A", 12.5]], title="Values")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Values"
    assert [c.value for c in sheet[2]] == ["A", 12.5]


def test_a_validation_report_names_row_column_value_and_reason():
    problem = Problem(7, "Status", "purple", "Status must be one of: on track, at risk.")
    assert str(problem) == "Row 7, column “Status”: Status must be one of: on track, at risk."
    headers, rows = problems_table([problem])
    assert rows == [[7, "Status", "purple", "Status must be one of: on track, at risk."]]


@given(st.binary(max_size=200))
def test_any_bytes_either_read_or_give_a_table_error(data):
    for name in ("x.csv", "x.xlsx"):
        with contextlib.suppress(TableError):
            rows_of(data, name)


def test_an_xlsx_that_would_unpack_far_beyond_its_size_is_refused_unopened():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    with pytest.raises(TableError, match="unpacks to far more than its size"):
        rows_of(out.getvalue(), "bomb.xlsx")
