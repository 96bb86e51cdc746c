"""The encodings partners' files arrive in: detected, decoded, and refused with the place."""

import codecs
import io

import pytest

from vawg.core import encodings
from vawg.core.encodings import ENCODINGS, Undecodable, decode, detect, label, to_utf8

TEXT = "Reference,Ward,Notes\r\nA1,North,seen\r\nA2,South,“Café” owes £5\r\n"
# What Latin-1 can hold too (no curly quotes).
PLAIN = "Reference,Ward,Notes\r\nA1,North,seen\r\nA2,South,Café owes £5\r\n"


@pytest.mark.parametrize(
    ("codec", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-be", "utf-16"),  # big-endian, with its byte-order mark
        ("cp1252", "cp1252"),
    ],
)
def test_it_detects_and_decodes_each_encoding(codec, detected):
    data = TEXT.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert detect(data) == detected
    assert decode(data, detected) == TEXT


def test_it_takes_plain_ascii_as_utf_8():
    assert detect(b"Reference,Ward\r\nA1,North\r\n") == "utf-8"


def test_it_reads_latin_1_text_as_windows_1252_which_agrees_on_it():
    data = "Ward,Notes\r\nNorth,Café £5\r\n".encode("latin-1")
    assert detect(data) == "cp1252"
    assert decode(data, "cp1252") == decode(data, "latin-1")


def test_it_takes_a_byte_windows_1252_lacks_as_latin_1():
    assert detect(b"Ward,Notes\r\nNorth,caf\xe9 \x81\r\n") == "latin-1"


def test_every_detected_codec_is_offered():
    offered = {codec for codec, _ in ENCODINGS}
    samples = [PLAIN.encode(c) for c in ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")]
    assert {detect(s) for s in samples} <= offered


def test_it_names_the_encoding_for_a_person():
    assert label("cp1252") == "Windows-1252 (Excel on Windows)"
    assert label("UTF8") == "UTF-8"
    assert label("mac-roman") == "mac-roman"


def test_it_drops_a_byte_order_mark_whichever_utf_8_is_chosen():
    data = TEXT.encode("utf-8-sig")
    assert decode(data, "utf-8") == TEXT
    assert to_utf8(data, "utf-8") == TEXT.encode()


def test_it_gives_utf_8_bytes_for_any_encoding():
    for codec, _ in ENCODINGS:
        assert to_utf8(PLAIN.encode(codec), codec) == PLAIN.encode()


def test_an_undecodable_file_names_the_row_column_and_encoding():
    data = TEXT.encode("cp1252")
    with pytest.raises(Undecodable) as caught:
        decode(data, "utf-8")
    error = caught.value
    # The heading row is row 1: the second record is row 3.
    assert (error.row, error.column, error.encoding) == (3, "Notes", "utf-8")
    assert str(error).startswith("Row 3, column “Notes”: the text cannot be read as UTF-8")
    assert "Choose the file's encoding" in str(error)
    assert "Windows-1252" in str(error)


def test_it_finds_the_row_past_a_quoted_line_break():
    data = 'Ref,Notes,Ward\r\n1,"two\nlines",N\r\n2,"caf\xe9",S\r\n'.encode("latin-1")
    with pytest.raises(Undecodable) as caught:
        decode(data, "utf-8")
    assert (caught.value.row, caught.value.column) == (3, "Notes")


def test_it_finds_the_column_inside_an_unfinished_quoted_field():
    data = 'Ref,Notes\r\n1,"first line\nsecond \xa3 line"\r\n'.encode("latin-1")
    with pytest.raises(Undecodable) as caught:
        decode(data, "utf-8")
    assert (caught.value.row, caught.value.column) == (2, "Notes")


def test_a_bad_byte_in_the_heading_row_names_the_column_letter():
    with pytest.raises(Undecodable) as caught:
        decode("Ref,Né\r\n1,2\r\n".encode("cp1252"), "utf-8")
    assert (caught.value.row, caught.value.column) == (1, "B")


def test_truncated_utf_16_is_undecodable():
    data = TEXT.encode("utf-16")[:-1]
    with pytest.raises(Undecodable):
        decode(data, "utf-16")


def test_it_finds_a_late_non_utf_8_byte_in_a_long_file():
    head = "Ref,Notes\r\n" + "1,plain\r\n" * 20_000
    data = (head + "2,£5\r\n").encode("cp1252")
    file = io.BytesIO(data)
    assert detect(data[: encodings.SAMPLE_BYTES]) == "utf-8"
    assert encodings.detect_file(file) == "cp1252"
    assert file.tell() == 0
    error = encodings.locate_in_file(file, len(head) + 2, "utf-8", b"\xa3")
    assert (error.row, error.column) == (20_002, "Notes")
