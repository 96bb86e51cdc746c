"""Reading and writing the spreadsheets partners send and take away.

Every import in the platform (action plans, quarterly updates, indicator
values, training attendance, partner extracts) starts here, so that a file's
own problems get the same plain answer everywhere: an empty file, text that is
not UTF-8, a spreadsheet that is not one, merged or missing or repeated
column headings. Row-level checks belong to each import, reported as
`Problem`s with the spreadsheet's own row number (the heading row is row 1)
so the person can find the cell.

`write_table` turns rows into a CSV or XLSX download, with formula-looking
cells neutralised (see csvsafe).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from zipfile import BadZipFile, ZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from vawg.core.csvsafe import safe_cell, unsafe_cell

FORMATS = {".csv": "CSV", ".xlsx": "Excel (.xlsx)"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# An .xlsx is a zip archive: refuse one that would unpack to far more than a spreadsheet
# holds (an archive bomb) before anything opens it.
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_ZIP_RATIO = 100
NOT_XLSX = (
    "The file is not a readable Excel (.xlsx) file. Open it in a spreadsheet "
    "program and save it as .xlsx or CSV UTF-8."
)


class TableError(Exception):
    """The file as a whole cannot be read; the message says why, for a person."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, when `column` is empty)."""

    row: int | None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.reason}"


@dataclass
class Table:
    headers: list[str]
    # (row number in the spreadsheet, {heading: text}) for each non-blank row.
    rows: Iterator[tuple[int, dict[str, str]]] = field(repr=False)


def read_table(data: bytes, filename: str) -> Table:
    """The table in an uploaded CSV or XLSX file. Raises TableError."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"The file must be a CSV or an Excel (.xlsx) file, not “{filename}”.")
    if not data:
        raise TableError("The file is empty.")
    if suffix == ".csv":
        return _read_csv(data)
    return _read_xlsx(data)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            "The file is not UTF-8 text (the first unreadable byte is at position "
            f"{error.start}). Save it as “CSV UTF-8” and upload it again."
        ) from None
    if "\x00" in text:
        raise TableError("The file is not a CSV file: it holds binary data.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError("The file is empty.") from None
    except csv.Error as error:
        raise TableError(f"The file could not be read as CSV: {error}.") from None
    headers = _check_headers(headers)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        try:
            for number, values in enumerate(reader, start=2):
                if any(v.strip() for v in values):
                    yield number, _row_dict(headers, values, number)
        except csv.Error as error:
            raise TableError(f"Row {number + 1} could not be read as CSV: {error}.") from None

    return Table(headers, rows())


def check_archive(data: bytes, filename: str) -> None:
    """For an .xlsx, refuse what is not a zip or would unpack far beyond its size.
    Cheap: reads only the archive's directory. Raises TableError."""
    if PurePath(filename or "").suffix.lower() != ".xlsx":
        return
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except BadZipFile:
        raise TableError(NOT_XLSX) from None
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * max(len(data), 1):
        raise TableError("The spreadsheet unpacks to far more than its size, so it was refused.")


def _read_xlsx(data: bytes) -> Table:
    check_archive(data, "upload.xlsx")
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise TableError(NOT_XLSX) from None
    sheet = book.worksheets[0]
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == 1:
            raise TableError(
                f"The heading row has merged cells ({merged.coord}). Give each column "
                "its own heading in row 1, with no merged cells."
            )
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        raise TableError("The spreadsheet is empty.") from None
    headers = _check_headers([_cell_text(v) for v in first])

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, row in enumerate(values, start=2):
            texts = [_cell_text(v) for v in row]
            if any(texts):
                yield number, _row_dict(headers, texts, number)

    return Table(headers, rows())


def _check_headers(headers: list[str]) -> list[str]:
    headers = [h.strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise TableError("The first row must hold the column headings, and it is empty.")
    seen: dict[str, int] = {}
    for index, heading in enumerate(headers):
        letter = get_column_letter(index + 1)
        if not heading:
            raise TableError(f"Column {letter} has no heading in row 1.")
        key = heading.casefold()
        if key in seen:
            first = get_column_letter(seen[key] + 1)
            raise TableError(
                f"The heading “{heading}” appears twice (columns {first} and {letter})."
            )
        seen[key] = index
    return headers


def _row_dict(headers: list[str], values: Sequence[str], number: int) -> dict[str, str]:
    extra = [v for v in values[len(headers) :] if str(v).strip()]
    if extra:
        raise TableError(f"Row {number} has more values than there are column headings.")
    padded = list(values) + [""] * (len(headers) - len(values))
    return {h: unsafe_cell(str(v).strip()) for h, v in zip(headers, padded, strict=False)}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def write_table(
    fmt: str, headers: Sequence[str], rows: Iterable[Sequence], title: str = "Data"
) -> bytes:
    """`rows` as CSV (UTF-8 with a byte-order mark, for Excel) or XLSX bytes."""
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow([safe_cell(h) for h in headers])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode()
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title[:31] or "Data")
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"Unknown table format: {fmt}")


def _xlsx_value(value):
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return safe_cell(value)


def problems_table(problems: Iterable[Problem]) -> tuple[list[str], list[list]]:
    """Headers and rows for a downloadable validation report."""
    return ["Row", "Column", "Value", "What is wrong"], [
        [p.row or "", p.column, p.value, p.reason] for p in problems
    ]
