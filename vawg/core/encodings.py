"""The text encodings partners' files arrive in, named, detected and decoded once.

Police, health and council systems export CSV as UTF-8 (with or without Excel's
byte-order mark), as UTF-16 ("Unicode text") or, saved from Excel on Windows, as
Windows-1252. Every import offers the same choices (ENCODINGS), guesses the same way
(`detect`) and, when the chosen encoding cannot read the file, says where
(`Undecodable`): the row as the spreadsheet numbers it (the heading row is row 1, so
the first record is row 2, as in every import's row messages) and the column's heading.
"""

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import IO

from charset_normalizer import from_bytes
from openpyxl.utils import get_column_letter

from vawg.core.layout import separator_of

ENCODINGS: list[tuple[str, str]] = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Windows-1252 (Excel on Windows)"),
    ("latin-1", "Latin-1 (ISO 8859-1)"),
]
_LABELS = dict(ENCODINGS)

# How much of a file the detector looks at: enough text to tell, quick on any file.
SAMPLE_BYTES = 64 * 1024
_CHUNK = 1024 * 1024

# charset-normalizer's names for the encodings offered (others are read as the nearest).
_DETECTED = {
    "utf_8": "utf-8",
    "ascii": "utf-8",
    "cp1252": "cp1252",
    "latin_1": "latin-1",
    "iso8859_15": "cp1252",
}
# Bytes Windows-1252 does not define: a file holding them is Latin-1 if anything.
_NOT_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


class Undecodable(ValueError):
    """The file cannot be read in `encoding`; the message says where and what to do."""

    def __init__(self, *, row: int, column: str, encoding: str, byte: bytes = b"") -> None:
        self.row = row  # as the spreadsheet numbers it: the heading row is row 1
        self.column = column  # the column's heading, or its letter in the heading row
        self.encoding = encoding
        self.byte = byte
        shown = f" (byte {byte.hex(' ').upper()})" if byte else ""
        super().__init__(
            f"Row {row}, column “{column}”: the text cannot be read as "
            f"{label(encoding)}{shown}. Choose the file's encoding and check it again: "
            "a file saved from Excel on Windows is usually Windows-1252."
        )


def label(encoding: str) -> str:
    """The encoding's name for a person ("Windows-1252 (Excel on Windows)")."""
    key = _canonical(encoding)
    return _LABELS.get(key, encoding)


def _canonical(encoding: str) -> str:
    """One of ENCODINGS' codec names for any spelling Python accepts ("UTF8", "utf_8")."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    for codec, _ in ENCODINGS:
        if codecs.lookup(codec).name == name:
            return codec
    return encoding


def is_known(encoding: str) -> bool:
    """Whether Python has a codec of that name (a command line takes any)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def detect(data: bytes) -> str:
    """The codec (from ENCODINGS) `data` (a whole file or its start) is most likely in.

    A byte-order mark decides; then text that reads as UTF-8 is UTF-8 (so plain ASCII
    is too); otherwise charset-normalizer chooses among the single-byte encodings, and
    what it cannot name is read as Windows-1252, Excel's, unless it holds a byte that
    Windows-1252 lacks."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:SAMPLE_BYTES]
    try:
        # Not final: the sample may end part way through a character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(data) <= SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15"]).best()
    guess = _DETECTED.get(best.encoding, "") if best is not None else ""
    if guess == "cp1252" or not guess:
        guess = "latin-1" if _NOT_CP1252.intersection(sample) else "cp1252"
    return guess


def detect_file(file: IO[bytes]) -> str:
    """`detect` for an open binary file, read a piece at a time from its start: a file
    that opens as UTF-8 and is not (a £ a megabyte in) is still found out."""
    file.seek(0)
    head = file.read(SAMPLE_BYTES)
    guess = detect(head)
    if guess != "utf-8":
        return guess
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = file.read(_CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        # Judge the single-byte encodings on the text around the first non-UTF-8 byte.
        at = file.tell() - len(chunk) + error.start
        file.seek(max(at - SAMPLE_BYTES // 2, 0))
        guess = detect(file.read(SAMPLE_BYTES).lstrip(b"\xef\xbb\xbf"))
        guess = guess if guess != "utf-8" else "cp1252"
    finally:
        file.seek(0)
    return guess


def _strip_bom(data: bytes, encoding: str) -> bytes:
    if _canonical(encoding) in ("utf-8", "utf-8-sig") and data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    return data


def decode(data: bytes, encoding: str) -> str:
    """`data` as text, any byte-order mark dropped. Raises Undecodable."""
    body = _strip_bom(data, encoding)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        raise locate(
            [body[: error.start].decode(encoding)], encoding, body[error.start : error.end]
        ) from None


def to_utf8(data: bytes, encoding: str) -> bytes:
    """`data` as UTF-8 bytes without a byte-order mark, for readers that take only UTF-8.
    Raises Undecodable."""
    text = decode(data, encoding)
    if _canonical(encoding) in ("utf-8", "utf-8-sig"):
        return _strip_bom(data, encoding)  # already UTF-8, and checked
    return text.encode("utf-8")


def locate(pieces: Iterable[str], encoding: str, byte: bytes = b"") -> Undecodable:
    """The error for a file whose text reads as far as `pieces` (its text, in order, in
    pieces of any size) and no further: the CSV row and column the unreadable byte is in."""
    row, index, headers = 0, 0, []
    lines = _marked(_lines(pieces))
    first = next(lines, None)
    read = [] if first is None else itertools.chain([first], lines)
    separator = separator_of([first] if first else [])
    for row, values in enumerate(csv.reader(read, delimiter=separator), start=1):
        if row == 1:
            headers = [v.strip() for v in values]
        index = max(len(values) - 1, 0)
    if row > 1 and index < len(headers) and headers[index]:
        column = headers[index]
    else:  # in the heading row itself: the column's letter
        column = get_column_letter(index + 1)
    return Undecodable(row=max(row, 1), column=column, encoding=_canonical(encoding), byte=byte)


def _lines(pieces: Iterable[str]) -> Iterator[str]:
    """The text's lines, ends kept, as csv.reader needs them (it ends a line at the end
    of each string it is given)."""
    carry = ""
    for piece in pieces:
        lines = list(io.StringIO(carry + piece, newline=""))
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    if carry:
        yield carry


def _marked(lines: Iterator[str]) -> Iterator[str]:
    """The lines with a letter standing for the unreadable byte after them, so that the
    reader places it in a field (inside an open quoted field, it stays there)."""
    last = ""
    for line in lines:
        if last:
            yield last
        last = line
    if last.endswith(("\n", "\r")):
        yield from (last, "x")
    else:
        yield last + "x"


def locate_in_file(file: IO[bytes], position: int, encoding: str, byte: bytes = b"") -> Undecodable:
    """`locate` for an open file whose bytes read in `encoding` up to `position` (counted
    from the file's start, a byte-order mark included), read a piece at a time."""

    def pieces() -> Iterator[str]:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        head = file.read(min(len(codecs.BOM_UTF8), position))
        yield decoder.decode(_strip_bom(head, encoding))
        left = position - len(head)
        while left > 0 and (chunk := file.read(min(_CHUNK, left))):
            left -= len(chunk)
            yield decoder.decode(chunk)

    try:
        return locate(pieces(), encoding, byte)
    finally:
        file.seek(0)
