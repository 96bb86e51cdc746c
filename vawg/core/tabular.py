"""Reading and writing the spreadsheets partners send and take away.

Every import in the platform (action plans, quarterly updates, indicator
values, training attendance, partner extracts) starts here, so that a file's
own problems get the same plain answer everywhere: an empty file, text that will
not read in its encoding (named by row and column), a spreadsheet that is not one,
merged or missing or repeated column headings, more columns or longer rows than any
import needs. Row-level checks belong to each import, reported as `Problem`s with the
spreadsheet's own row number (the heading row is row 1) so the person can find the cell.

A CSV is read in the encoding the person chose, or else the one core.encodings
detects (UTF-8, UTF-8 with a byte-order mark, UTF-16, Windows-1252, Latin-1); the
table says which it used, for the check page to show and offer to change. A workbook
has no encoding to choose.

A file is read where it lies (its bytes, a path, or an uploaded file on disk), a
piece or a row at a time, never whole: a CSV is decoded as it is read, and a
workbook opened read-only and read a row at a time (docs/performance.md,
"Uploads within memory").

`write_table` turns rows into a CSV or XLSX download, with formula-looking
cells neutralised (see csvsafe).
"""

import codecs
import csv
import io
import itertools
import re
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath
from typing import IO
from zipfile import BadZipFile, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from vawg.core import encodings
from vawg.core.csvsafe import safe_cell, unsafe_cell
from vawg.core.layout import TITLE_ROWS_MAX, heading_index, separator_of
from vawg.core.uploads import (
    CHUNK_BYTES,
    RefusedUpload,
    Source,
    Unclosing,
    open_binary,
    size_of,
    too_large_message,
)

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
# What a file may hold, well beyond any import's needs: more is refused with the limit named.
MAX_COLUMNS = 500
MAX_HEADING_CHARS = 200
MAX_LINE_CHARS = 1_000_000  # one line of a CSV; a cell, csv.field_size_limit() (131,072)
# What a broken workbook raises while it is opened or read.
BROKEN_XLSX = (
    BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    EOFError,
    SyntaxError,  # the XML parser's errors
    zlib.error,
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


def _nothing() -> None:
    pass


@dataclass
class Table:
    headers: list[str]
    # (row number in the spreadsheet, {heading: text}) for each non-blank row.
    rows: Iterator[tuple[int, dict[str, str]]] = field(repr=False)
    # Closes what reading opened (done when the rows are read to the end).
    close: Callable[[], None] = field(default=_nothing, repr=False)
    # The codec a CSV was read in (one of encodings.ENCODINGS, or the one asked for);
    # "" for a workbook.
    encoding: str = ""
    # What a CSV's cells are separated by (core.layout); "" for a workbook.
    separator: str = ""
    # The row the headings were read from (core.layout): 1, unless a title stood above.
    heading_row: int = 1


def read_table(source: Source, filename: str, encoding: str | None = None) -> Table:
    """The table in an uploaded CSV or XLSX file. Raises TableError.

    `source` is the file's bytes, a path, or an open binary file (an uploaded file),
    read from its start; an open file is left open, and must not be read elsewhere while
    the rows are read. A CSV is read in `encoding` (a Python codec name; detected when
    None or ""), and the table's `encoding` says which was used."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"The file must be a CSV or an Excel (.xlsx) file, not “{filename}”.")
    if isinstance(source, RefusedUpload):  # refused as it arrived: nothing of it was kept
        raise TableError(too_large_message(source.max_bytes))
    if not size_of(source):
        raise TableError("The file is empty.")
    file, close = open_binary(source)
    try:
        if suffix == ".csv":
            return _read_csv(file, close, encoding or encodings.detect_file(file))
        return _read_xlsx(file, close)
    except BaseException:
        close()
        raise


def _read_csv(file: IO[bytes], close: Callable[[], None], encoding: str) -> Table:
    if not encodings.is_known(encoding):
        raise TableError(f"“{encoding}” is not an encoding this platform can read.")
    _check_text(file, encoding)
    separator = _separator(file, encoding)
    records = _records(file, encoding, separator)
    top = list(itertools.islice(records, TITLE_ROWS_MAX))
    if not top:
        raise TableError("The file is empty.")
    index = heading_index([values for _, values in top])
    heading_row, headers = top[index]
    headers = _check_headers(headers, heading_row)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, values in itertools.chain(top[index + 1 :], records):
                if any(v.strip() for v in values):
                    yield number, _row_dict(headers, values, number)
        finally:
            close()

    return Table(
        headers, rows(), close, encoding=encoding, separator=separator, heading_row=heading_row
    )


def _check_text(file: IO[bytes], encoding: str) -> None:
    """Refuse a file that will not read in `encoding`, naming the row and column of the
    first byte that will not, or that holds binary data; read a piece at a time."""
    codec, fed = encoding, 0  # fed: bytes given to the decoder so far
    if codecs.lookup(encoding).name == "utf-8":
        # Past a byte-order mark by hand, so that a byte's position is the file's own.
        codec, fed = "utf-8", len(codecs.BOM_UTF8) if file.read(3) == codecs.BOM_UTF8 else 0
    file.seek(fed)
    decoder = codecs.getincrementaldecoder(codec)()
    binary = False
    chunk = file.read(CHUNK_BYTES)
    while True:
        base = fed - len(_pending(decoder))  # where the bytes being decoded begin
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            at = base + error.start
            bad = error.object[error.start : error.end]
            raise TableError(str(encodings.locate_in_file(file, at, encoding, bad))) from None
        except UnicodeError:  # UTF-16 without a byte-order mark, read a piece at a time
            raise TableError(
                f"The file does not start as {encodings.label(encoding)} text does. Choose "
                "the file's encoding and check it again."
            ) from None
        binary = binary or "\x00" in text
        if not chunk:
            break
        fed += len(chunk)
        chunk = file.read(CHUNK_BYTES)
    if binary:
        raise TableError("The file is not a CSV file: it holds binary data.")


def _codec(encoding: str) -> str:
    """The codec to read `encoding` with: UTF-8 drops a byte-order mark either way."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _pending(decoder: codecs.IncrementalDecoder) -> bytes:
    state = decoder.getstate()
    return state[0] if isinstance(state[0], bytes) else b""


class _LineTooLong(Exception):
    pass


def _lines(text: io.TextIOBase) -> Iterator[str]:
    """The text's lines, refusing one longer than MAX_LINE_CHARS before it is all read."""
    readline = text.readline
    while line := readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS and line[-1] not in "\r\n":
            raise _LineTooLong
        yield line


def _text(file: IO[bytes], encoding: str, errors: str = "strict") -> io.TextIOWrapper:
    file.seek(0)
    return io.TextIOWrapper(
        io.BufferedReader(Unclosing(file), CHUNK_BYTES),
        encoding=_codec(encoding),
        errors=errors,
        newline="",
    )


def _separator(file: IO[bytes], encoding: str) -> str:
    """What the CSV's cells are separated by, from its first lines (core.layout)."""
    text = _text(file, encoding, errors="replace")
    try:
        lines = [text.readline(MAX_LINE_CHARS) for _ in range(TITLE_ROWS_MAX)]
        return separator_of([line for line in lines if line])
    finally:
        file.seek(0)


def _records(
    file: IO[bytes], encoding: str, separator: str | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) for each record of a CSV (the heading row is row 1),
    decoded and split as it is read, on `separator` (found from the file when None).
    Raises TableError."""
    separator = separator or _separator(file, encoding)
    text = _text(file, encoding)
    number = 0
    try:
        for number, values in enumerate(csv.reader(_lines(text), delimiter=separator), start=1):
            yield number, values
    except csv.Error as error:
        limit = csv.field_size_limit()
        if str(error).startswith("field larger than field limit"):
            where = "The heading row" if number == 0 else f"Row {number + 1}"
            raise TableError(f"{where} has a cell longer than {limit:,} characters.") from None
        if number == 0:
            raise TableError(f"The file could not be read as CSV: {error}.") from None
        raise TableError(f"Row {number + 1} could not be read as CSV: {error}.") from None
    except _LineTooLong:
        where = "The heading row" if number == 0 else f"Row {number + 1}"
        raise TableError(
            f"{where} is longer than {MAX_LINE_CHARS:,} characters, the most a row may hold."
        ) from None


def csv_records(source: Source, encoding: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) for each record of a CSV that read_table has accepted (give
    the table's `encoding`; detected again when None), the heading row (row 1) included,
    read a row at a time. Raises TableError."""
    file, close = open_binary(source)
    try:
        yield from _records(file, encoding or encodings.detect_file(file))
    finally:
        close()


def layout_of(source: Source, filename: str, encoding: str | None = None) -> tuple[str, int]:
    """A file's separator ("" for a workbook) and the row its headings are in
    (core.layout), as read_table finds them, from the file's first rows alone; a CSV is
    read in `encoding` (detected when None). Raises TableError."""
    if PurePath(filename or "").suffix.lower() != ".csv":
        table = read_table(source, filename)
        table.close()
        return "", table.heading_row
    file, close = open_binary(source)
    try:
        encoding = encoding or encodings.detect_file(file)
        separator = _separator(file, encoding)
        records = _records(file, encoding, separator)
        top = [values for _, values in itertools.islice(records, TITLE_ROWS_MAX)]
        return separator, heading_index(top) + 1
    finally:
        close()


def count_rows(source: Source, filename: str, encoding: str | None = None) -> int:
    """How many rows with a value a CSV or workbook holds below its heading row, as
    read_table would give them: what decides whether an import is too large to run in a
    request. A workbook's sheet XML is counted a row at a time without making its cells.
    Raises TableError."""
    if PurePath(filename or "").suffix.lower() != ".xlsx":
        table = read_table(source, filename, encoding)
        try:
            return sum(1 for _ in table.rows)
        finally:
            table.close()
    check_archive(source, filename)
    file, close = open_binary(source)
    try:
        with ZipFile(file) as archive:
            return max(_sheet_rows(archive) - 1, 0)
    except BROKEN_XLSX:
        raise TableError(NOT_XLSX) from None
    finally:
        close()


def _sheet_rows(archive: ZipFile) -> int:
    """The rows of the workbook's first sheet that hold a value (the heading row too)."""
    book = ExcelReader(archive.fp, read_only=True)  # type: ignore[arg-type]
    book.archive = archive
    book.read_manifest()
    book.read_workbook()
    _, rel = next(book.parser.find_sheets())
    path = rel.target.lstrip("/")
    row_tag, value_tags = (
        f"{{{SHEET_MAIN_NS}}}row",
        {
            f"{{{SHEET_MAIN_NS}}}v",
            f"{{{SHEET_MAIN_NS}}}t",
        },
    )
    count, filled = 0, False
    with archive.open(path) as xml:
        for _, node in iterparse(xml, events=("end",)):
            if node.tag in value_tags and (node.text or "").strip():
                filled = True
            elif node.tag == row_tag:
                count += filled
                filled = False
                node.clear()
    return count


def check_archive(source: Source, filename: str) -> None:
    """For an .xlsx, refuse what is not a zip or would unpack far beyond its size.
    Cheap: reads only the archive's directory. Raises TableError."""
    if PurePath(filename or "").suffix.lower() != ".xlsx":
        return
    if isinstance(source, RefusedUpload):
        raise TableError(too_large_message(source.max_bytes))
    file, close = open_binary(source)
    try:
        _check_archive(file, size_of(source))
    finally:
        close()


def _check_archive(file: IO[bytes], size: int) -> None:
    try:
        with ZipFile(file) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (BadZipFile, OSError, ValueError, EOFError):
        raise TableError(NOT_XLSX) from None
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * max(size, 1):
        raise TableError("The spreadsheet unpacks to far more than its size, so it was refused.")


def _read_xlsx(file: IO[bytes], close: Callable[[], None]) -> Table:
    _check_archive(file, size_of(file))
    file.seek(0)
    strings = SharedStrings()
    try:
        # Read-only: the sheet is parsed a row at a time as the rows are read.
        reader = _WorkbookReader(file, strings, read_only=True, data_only=True)
        reader.read()
    except BROKEN_XLSX:
        strings.close()
        raise TableError(NOT_XLSX) from None
    book = reader.wb

    def done() -> None:
        book.close()
        strings.close()
        close()

    try:
        sheet = book.worksheets[0]
        # Each row as long as its own cells, whatever size the file claims for the sheet.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        top = [[_cell_text(v) for v in row] for row in itertools.islice(values, TITLE_ROWS_MAX)]
        if not top:
            raise TableError("The spreadsheet is empty.")
        index = heading_index(top)
        heading_row = index + 1
        merged = _merged_heading(book, sheet, heading_row)
        if merged:
            raise TableError(
                f"The heading row has merged cells ({merged}). Give each column "
                f"its own heading in row {heading_row}, with no merged cells."
            )
        headers = _check_headers(top[index], heading_row)
    except BROKEN_XLSX:
        done()
        raise TableError(NOT_XLSX) from None
    except BaseException:
        done()
        raise

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        below = ([_cell_text(v) for v in row] for row in values)
        try:
            for number, texts in enumerate(
                itertools.chain(top[index + 1 :], below), start=heading_row + 1
            ):
                if any(texts):
                    yield number, _row_dict(headers, texts, number)
        except BROKEN_XLSX:
            raise TableError(NOT_XLSX) from None
        finally:
            done()

    return Table(headers, rows(), done, heading_row=heading_row)


class SharedStrings:
    """A workbook's shared strings (a text cell holds the number of one), kept in temporary
    files rather than as Python strings, which take several times the workbook's size: one
    file of their text, one of where each starts. A cell's text is read back when asked
    for, and the most recent few thousand kept."""

    def __init__(self) -> None:
        self._text = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the workbook
        self._starts = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the workbook
        self.count = 0
        self._cached = lru_cache(maxsize=8192)(self._read)

    def load(self, xml: IO[bytes]) -> None:
        """Read sharedStrings.xml a string at a time, as openpyxl would read each."""
        tag = f"{{{SHEET_MAIN_NS}}}si"
        starts, position, root = array("Q"), 0, None
        for event, node in iterparse(xml, events=("start", "end")):
            if root is None:
                root = node
            elif event == "end" and node.tag == tag:
                text = Text.from_tree(node).content.replace("x005F_", "").encode()
                starts.append(position)
                self._text.write(text)
                position += len(text)
                self.count += 1
                root.clear()  # let go of what is read
                if len(starts) == 65_536:
                    starts.tofile(self._starts)
                    starts = array("Q")
        starts.append(position)
        starts.tofile(self._starts)
        self._text.flush()
        self._starts.flush()

    def __getitem__(self, index: int) -> str:
        return self._cached(index)

    def _read(self, index: int) -> str:
        if not 0 <= index < self.count:
            raise IndexError(index)
        self._starts.seek(index * 8)
        start, end = array("Q", self._starts.read(16))
        self._text.seek(start)
        return self._text.read(end - start).decode()

    def close(self) -> None:
        self._text.close()
        self._starts.close()


class _WorkbookReader(ExcelReader):
    """openpyxl's reader, keeping the shared strings in temporary files (SharedStrings)."""

    def __init__(self, file: IO[bytes], strings: SharedStrings, **kwargs) -> None:
        super().__init__(file, **kwargs)
        self.shared_strings = strings

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is not None:
            with self.archive.open(found.PartName[1:]) as xml:
                self.shared_strings.load(xml)


# <mergeCell ref="A1:B1"/>, with any namespace prefix.
MERGE_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"'
)
ROW_OF = re.compile(rb"\d+")


def _merged_heading(book, sheet, row: int = 1) -> str:
    """The first merged range that touches the heading row, `row` ("" if none). A
    read-only sheet does not read its merged cells, so they are found in its XML (after
    the rows), which is unpacked and searched a piece at a time."""
    path = getattr(sheet, "_worksheet_path", None)
    if path is None:
        return ""
    tail = b""
    with book._archive.open(path) as xml:
        while chunk := xml.read(CHUNK_BYTES):
            text = tail + chunk
            if b"mergeCell" in text:
                for match in MERGE_CELL.finditer(text):
                    ref = match.group(1)
                    rows = [int(n) for n in ROW_OF.findall(ref)]
                    if min(rows) <= row <= max(rows):
                        return ref.decode().upper()
            tail = text[-512:]
    return ""


def _check_headers(headers: list[str], row: int = 1) -> list[str]:
    headers = [h.strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise TableError("The first row must hold the column headings, and it is empty.")
    if len(headers) > MAX_COLUMNS:
        raise TableError(
            f"The file has {len(headers):,} columns, and at most {MAX_COLUMNS} can be read. "
            "Remove the columns the import does not need and upload it again."
        )
    seen: dict[str, int] = {}
    for index, heading in enumerate(headers):
        letter = get_column_letter(index + 1)
        if not heading:
            raise TableError(f"Column {letter} has no heading in row {row}.")
        if len(heading) > MAX_HEADING_CHARS:
            raise TableError(
                f"The heading of column {letter} is longer than {MAX_HEADING_CHARS} "
                "characters. Give it a shorter heading."
            )
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
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    title: str = "Data",
    *,
    marking: str = "",
) -> bytes:
    """`rows` as CSV (UTF-8 with a byte-order mark, for Excel) or XLSX bytes.

    Every cell, headings included, is neutralised here if a spreadsheet would run it as a
    formula (csvsafe), so no caller has to remember to. `marking` (a protective marking)
    is printed at the top and bottom of each page of the XLSX sheet; a CSV has no pages,
    and vawg.exchange.exporting decides where a marking goes in one."""
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
        if marking:
            sheet.oddHeader.center.text = marking
            sheet.oddFooter.center.text = marking
        sheet.append([_xlsx_value(h) for h in headers])
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"Unknown table format: {fmt}")


def _xlsx_value(value):
    if isinstance(value, bool):  # before int, which bool is
        return "yes" if value else "no"
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    # Control characters cannot be written to a workbook's XML; dropped before neutralising,
    # so that what is left cannot start a formula.
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def problems_table(problems: Iterable[Problem]) -> tuple[list[str], list[list]]:
    """Headers and rows for a downloadable validation report."""
    return ["Row", "Column", "Value", "What is wrong"], [
        [p.row or "", p.column, p.value, p.reason] for p in problems
    ]
