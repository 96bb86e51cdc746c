import codecs
import contextlib
import csv
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
        (b"Ref,,Note\n", "a.csv", "Column B has no heading"),
        (b"Ref,ref\n", "a.csv", "appears twice (columns A and B)"),
        (b"Ref\nA,B\n", "a.csv", "Row 2 has more values"),
        (b"not a zip", "a.xlsx", "not a readable Excel"),
        (b"\n", "a.csv", "The first row must hold the column headings"),
        (xlsx([]), "a.xlsx", "The spreadsheet is empty."),
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


# --- Reading where the file lies, within limits ------------------------------------


def test_a_table_reads_the_same_from_bytes_a_path_and_an_open_file(tmp_path):
    data = "\ufeffRef,Status\nAB.01,on track\n".encode()
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    expected = (["Ref", "Status"], [(2, {"Ref": "AB.01", "Status": "on track"})])
    assert rows_of(data, "a.csv") == expected
    assert rows_of(path, "a.csv") == expected
    with open(path, "rb") as file:
        assert rows_of(file, "a.csv") == expected
        assert not file.closed  # an open file is left to its owner
    book = tmp_path / "a.xlsx"
    book.write_bytes(xlsx([["Ref", "Status"], ["AB.01", "on track"]]))
    with open(book, "rb") as file:
        assert rows_of(file, "a.xlsx") == expected


def test_a_byte_the_encoding_cannot_read_is_found_by_row_and_column_wherever_it_is(
    monkeypatch,
):
    import vawg.core.tabular as tabular

    monkeypatch.setattr(tabular, "CHUNK_BYTES", 4)  # the byte far beyond the first piece
    data = codecs.BOM_UTF8 + b"Ref,Note\nA,plain\nB,abcdefghij\xff\n"
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv", "utf-8")
    assert str(caught.value).startswith(
        "Row 3, column “Note”: the text cannot be read as UTF-8 (byte FF). "
        "Choose the file's encoding"
    )
    with pytest.raises(TableError, match="holds binary data"):
        rows_of(b"Ref\n" + b"a" * 20 + b"\x00\n", "a.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (",".join(f"c{n}" for n in range(18_279)).encode(), "The file has 18,279 columns"),
        (",".join(f"c{n}" for n in range(501)).encode(), "at most 500 can be read"),
        (b"Ref," + b"H" * 201 + b"\n", "heading of column B is longer than 200 characters"),
        (b"Ref\n" + b"x" * 1_000_001 + b"\n", "Row 2 is longer than 1,000,000 characters"),
        (b"Ref\n" + b"x" * 200_000 + b"\n", "Row 2 has a cell longer than 131,072 characters"),
        (b"H" * 1_000_001, "The heading row is longer than 1,000,000 characters"),
    ],
)
def test_columns_headings_and_rows_beyond_the_limits_are_refused_plainly(data, message):
    with pytest.raises(TableError, match=re.escape(message)):
        rows_of(data, "wide.csv")


def test_a_workbook_of_too_many_columns_is_refused_plainly():
    with pytest.raises(TableError, match="The file has 600 columns"):
        rows_of(xlsx([[f"c{n}" for n in range(600)]]), "wide.xlsx")


def test_a_workbook_is_read_whatever_size_it_claims_for_its_sheet():
    import zipfile

    data = xlsx([["Ref", "Status"], ["A", "on track"], [None, None], ["B", "late"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', content)
            new.writestr(item, content)
    assert rows_of(out.getvalue(), "a.xlsx")[1] == [
        (2, {"Ref": "A", "Status": "on track"}),
        (4, {"Ref": "B", "Status": "late"}),
    ]


def test_merged_cells_below_the_headings_are_allowed():
    headers, rows = rows_of(xlsx([["A", "B"], ["x", None], ["y", "z"]], merge="A2:B2"), "a.xlsx")
    assert headers == ["A", "B"] and len(rows) == 2


def excel_style(data: bytes) -> bytes:
    """The workbook as Excel writes it: openpyxl writes text in each cell, Excel once, in
    the workbook's shared strings, each cell holding a string's number."""
    import zipfile

    strings: dict[bytes, int] = {}

    def shared(match) -> bytes:
        return b't="s"><v>%d</v>' % strings.setdefault(match.group(1), len(strings))

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename.startswith("xl/worksheets/"):
                inline = rb't="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is>'
                content = re.sub(inline, shared, content, flags=re.S)
            elif item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    b"</Relationships>",
                )
            new.writestr(item, content)
        table = b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in strings)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + table
            + b"</sst>",
        )
    assert strings  # the workbook had text to share
    return out.getvalue()


def test_a_workbook_of_shared_strings_reads_as_its_text_does():
    rows = [["Ref", "Status", "Note"]] + [
        [f"A{n}", "on track" if n % 2 else "at risk", f" café {n} & <x>"] for n in range(70_000)
    ]
    inline = xlsx(rows)
    assert rows_of(excel_style(inline), "shared.xlsx") == rows_of(inline, "inline.xlsx")


NOTES = "Ref,Ward,Notes\r\nA1,North,seen\r\nA2,South,Café owes £5\r\n"


@pytest.mark.parametrize(
    ("codec", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
    ],
)
def test_a_csv_is_read_in_its_detected_encoding_and_says_which(codec, detected):
    table = read_table(NOTES.encode(codec), "a.csv")
    assert table.encoding == detected
    assert list(table.rows)[1] == (3, {"Ref": "A2", "Ward": "South", "Notes": "Café owes £5"})


def test_a_csv_is_read_in_the_encoding_chosen():
    table = read_table(NOTES.encode("cp1252"), "a.csv", "latin-1")
    assert table.encoding == "latin-1"
    assert list(table.rows)[1][1]["Notes"] == "Café owes £5"


def test_utf_16_chosen_for_a_file_without_its_byte_order_mark_is_refused():
    with pytest.raises(TableError, match="does not start as UTF-16 text does"):
        read_table(NOTES.encode("cp1252"), "a.csv", "utf-16")


def test_an_unknown_encoding_is_refused():
    with pytest.raises(TableError, match="“klingon” is not an encoding"):
        read_table(NOTES.encode(), "a.csv", "klingon")


def test_a_workbook_has_no_encoding():
    assert read_table(xlsx([["Ref"], ["A"]]), "a.xlsx").encoding == ""


def test_rows_are_counted_in_a_workbook_and_a_csv():
    from vawg.core.tabular import count_rows

    book = xlsx([["Ref", "Note"], ["A", 1], [None, None], ["B", None], [None, "x"]])
    assert count_rows(book, "a.xlsx") == 3
    assert count_rows(NOTES.encode("utf-16"), "a.csv") == 2
    assert count_rows(b'Ref,Note\n1,"two\nlines"\n\n2,x\n', "a.csv") == 2


@pytest.mark.parametrize(
    ("separator", "said"),
    [(",", "commas"), (";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")],
)
def test_a_csv_is_read_on_the_separator_its_heading_row_uses_and_says_which(separator, said):
    from vawg.core.layout import separator_label

    text = NOTES.replace(",", separator).replace("Café owes £5", '"Café; owes, £5"')
    table = read_table(text.encode("cp1252"), "a.csv")
    assert (table.separator, separator_label(table.separator)) == (separator, said)
    assert table.headers == ["Ref", "Ward", "Notes"]
    assert list(table.rows)[1] == (3, {"Ref": "A2", "Ward": "South", "Notes": "Café; owes, £5"})


def test_a_comma_file_with_other_separators_in_its_headings_is_read_on_commas():
    table = read_table(b"Ref;No,Ward|Name,Note\tText\nA;1,North|N,x\ty\n", "a.csv")
    assert table.separator == ","
    assert table.headers == ["Ref;No", "Ward|Name", "Note\tText"]
    # A single column is a single column, whatever it holds.
    assert read_table(b"Ref\nA;B\n", "a.csv").separator == ","


def test_a_byte_the_encoding_cannot_read_is_found_by_column_in_a_semicolon_file():
    data = b"Ref;Ward;Note\nA;North;plain\nB;South;caf\xe9\n"
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv", "utf-8")
    assert str(caught.value).startswith("Row 3, column “Note”: the text cannot be read as UTF-8")


TITLED = "Crime data extract: Wandsworth\r\nRun on 01/12/2026,by the analytics team\r\n\r\n" + NOTES


def test_a_title_above_the_headings_is_passed_over_and_rows_keep_their_numbers():
    table = read_table(TITLED.encode("cp1252"), "a.csv")
    assert (table.heading_row, table.headers) == (4, ["Ref", "Ward", "Notes"])
    assert list(table.rows) == [
        (5, {"Ref": "A1", "Ward": "North", "Notes": "seen"}),
        (6, {"Ref": "A2", "Ward": "South", "Notes": "Café owes £5"}),
    ]
    semicolons = TITLED.replace(",", ";").replace("Run on 01/12/2026;by", "Run on 01/12/2026, by")
    table = read_table(semicolons.encode("utf-8"), "a.csv")
    assert (table.separator, table.heading_row, len(list(table.rows))) == (";", 4, 2)


def test_a_title_above_a_workbook_s_headings_may_be_merged():
    rows = [["Crime data extract: Wandsworth"], [None], ["Ref", "Ward", "Notes"], ["A1", "N", "x"]]
    table = read_table(xlsx(rows, merge="A1:C1"), "a.xlsx")
    assert (table.heading_row, table.headers) == (3, ["Ref", "Ward", "Notes"])
    assert list(table.rows) == [(4, {"Ref": "A1", "Ward": "N", "Notes": "x"})]


def test_a_row_wider_than_the_headings_is_still_an_error_not_a_heading_row():
    # Data rows are not titles: the headings stay row 1 and the wide row is named.
    data = b"Ref,Ward,Note\nA,North,x,extra\n"
    table = read_table(data, "a.csv")
    assert table.heading_row == 1
    with pytest.raises(TableError, match="Row 2 has more values than there are column headings"):
        list(table.rows)
    # Nor is a short table's wide row, at its foot or with narrow rows after it.
    assert read_table(b"Ref,Note\nA,x\nB,y,z,w\n", "a.csv").heading_row == 1
    assert read_table(b"Ref,Note\nA,x\nB,y,z,w\nC,v\n", "a.csv").heading_row == 1


_headings = st.lists(
    st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=8).filter(str.strip),
    min_size=1,
    max_size=6,
    unique_by=lambda h: h.strip().casefold(),
)


@given(data=st.data(), headings=_headings)
def test_headings_in_the_first_row_are_always_read_from_it(data, headings):
    """Whatever the rows below hold (no wider than the headings), a file laid out as the
    standard asks is read from row 1."""
    cells = st.text(alphabet="abc 12", max_size=4)
    rows = data.draw(st.lists(st.lists(cells, max_size=len(headings)), max_size=12), label="rows")
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    table = read_table(out.getvalue().encode(), "a.csv")
    assert table.heading_row == 1
    assert table.headers == [h.strip() for h in headings]
