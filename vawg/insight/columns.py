"""Reading a whole CSV extract at once, a column at a time, when nothing in it is wrong.

Arrow's CSV reader splits the file in C++. Each column is dictionary-encoded, so the
importer's own rules (`Standardiser.cell_*`) run once per distinct cell in Python and
their results are spread back to the rows by index, in C++ again. Python visits the
rows only to check the record ids and to fingerprint them.

A cell any rule rejects, and a file Arrow will not read exactly as Python's csv module
does, give None: `Standardiser.record` then reads the file row by row and words each
problem (row, column, value, reason). So a clean file takes this path, a file with
problems the other, and a property test checks that both give the same records.
"""

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vawg.core.tabular import layout_of
from vawg.insight.importer import (
    READ_AS,
    Record,
    Standardiser,
    clean_cell,
    fingerprint_text,
    person_key,
)
from vawg.insight.standard import CODED

MAX_SOURCE_ID = 64

# The coded fields, in the standard's order (a Record's, with ward_id after crime_type).
CODED_ORDER = tuple(CODED)


def standardise(
    standardiser: Standardiser, data: bytes, filename: str, width: int
) -> pa.Table | None:
    """The file's rows in the standard's codes, one Arrow column per incident column
    (source_id, occurred_on, month, the codes, ward_id, the person, fingerprint);
    None when the row path must read it (a problem somewhere, or an unusual file)."""
    if not filename.lower().endswith(".csv") or not standardiser.whole_file_ready:
        return None
    s = standardiser
    position = s.index
    cells = _read(data, filename, width, set(position.values()))
    if cells is None:
        return None
    rows = len(next(iter(cells.values())))
    if rows == 0:
        return None
    columns: dict[str, pa.Array] = {}

    source_ids = _source_ids(cells[position["source_id"]])
    if source_ids is None:
        return None
    columns["source_id"] = source_ids

    dates = _spread(cells[position["date"]], s.cell_date)
    if dates is None:
        return None
    days, indices = dates
    columns["occurred_on"] = days.cast(pa.date32()).take(indices)
    months = [d.replace(day=1) for d in days.to_pylist()]
    columns["month"] = pa.array(months, pa.date32()).take(indices)

    wards = _spread(cells[position["ward"]], s.cell_ward)
    if wards is None:
        return None
    columns["ward_id"] = wards[0].cast(pa.int64()).take(wards[1])

    coded = dict(s.coded_columns())
    for name in CODED_ORDER:
        if coded[name] is None:
            columns[name] = pa.array([s.constant_code(name)] * rows, pa.string())
            continue
        spread = _spread(cells[coded[name]], lambda text, name=name: s.cell_code(name, text))
        if spread is None:
            return None
        columns[name] = spread[0].take(spread[1])

    _add_people(columns, s, cells[position["person_id"]] if "person_id" in position else None)
    columns["fingerprint"] = _fingerprints(columns)
    return pa.table(columns)


# Ids in these characters alone are as `record` reads them (nothing to strip or clean).
PLAIN_ID = r"^[A-Za-z0-9][A-Za-z0-9_./:-]*$"


def _source_ids(cells: pa.Array) -> pa.Array | None:
    """The record ids, or None if one is missing, too long or repeated."""
    if pc.all(pc.match_substring_regex(cells, PLAIN_ID)).as_py():
        ids = cells
    else:
        ids = pa.array([clean_cell(v).strip() for v in cells.to_pylist()], pa.string())
    lengths = pc.utf8_length(ids)
    if pc.min(lengths).as_py() == 0 or pc.max(lengths).as_py() > MAX_SOURCE_ID:
        return None
    if pc.count_distinct(ids).as_py() != len(ids):
        return None  # the same id twice: the row path names both rows
    return ids


def _read(data: bytes, filename: str, width: int, wanted: set[int]) -> dict[int, pa.Array] | None:
    """The wanted columns' cells as text, by position, or None if Arrow cannot read the
    file as csv does. The other columns are split but never turned into text."""
    names = [f"c{i}" for i in range(width)]
    # Split as the row path splits: on its separator, below its heading row (core.layout).
    separator, heading_row = layout_of(data, filename, READ_AS)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(skip_rows=heading_row, column_names=names),
            # Quoted cells may hold line breaks, as Python's csv module allows.
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[i] for i in sorted(wanted)],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a row of another width, say: the row path says which
    return {
        int(name[1:]): column.combine_chunks()
        for name, column in zip(table.column_names, table.columns, strict=True)
    }


def _spread(cells: pa.Array, rule: Callable[[str], object]) -> tuple[pa.Array, pa.Array] | None:
    """The rule's answer for each distinct cell, and each row's index into them."""
    encoded = pc.dictionary_encode(cells)
    answers = [rule(clean_cell(text)) for text in encoded.dictionary.to_pylist()]
    if any(answer is None for answer in answers):
        return None
    return pa.array(answers), encoded.indices


def _add_people(columns: dict, s: Standardiser, cells: pa.Array | None) -> None:
    """The person's key version, digest and numeric key: an HMAC per distinct identifier."""
    rows = len(columns["source_id"])
    if cells is None:
        people, indices = [(None, "")], pa.array([0] * rows, pa.int32())
    else:
        encoded = pc.dictionary_encode(cells)
        people = s.people(encoded.dictionary.to_pylist())
        indices = encoded.indices
    versions, digests = zip(*people, strict=True)
    columns["person_key_version"] = pa.array(versions, pa.int16()).take(indices)
    columns["person_digest"] = pa.array(digests, pa.string()).take(indices)
    keys = [person_key(d) for d in digests]
    columns["person_key"] = pa.array(keys, pa.int64()).take(indices)
    # As str() writes them in the row path's fingerprint.
    columns["_version_text"] = pa.array([str(v) for v in versions], pa.string()).take(indices)


def _fingerprints(columns: dict) -> pa.Array:
    """`importer.fingerprint` of each row: its values joined in C++, hashed in Python."""
    parts = [
        columns["occurred_on"].cast(pa.string()),
        columns["strand"],
        columns["crime_type"],
        columns["ward_id"].cast(pa.string()),
        *(columns[name] for name in CODED_ORDER[2:]),
        columns.pop("_version_text"),
        columns["person_digest"],
    ]
    joined = pc.binary_join_element_wise(*parts, "\x1f")
    return pa.array([fingerprint_text(text) for text in joined.to_pylist()], pa.string())


def from_records(records: list[Record]) -> pa.Table:
    """The row path's records as the table `standardise` makes of a clean file."""
    fields = Record._fields[1:]
    values = list(zip(*(r[1:] for r in records), strict=True)) if records else [()] * len(fields)
    columns = dict(zip(fields, values, strict=True))
    table = {
        "source_id": pa.array(columns["source_id"], pa.string()),
        "occurred_on": pa.array(columns["occurred_on"], pa.date32()),
        "month": pa.array([d.replace(day=1) for d in columns["occurred_on"]], pa.date32()),
        "ward_id": pa.array(columns["ward_id"], pa.int64()),
    }
    for name in CODED_ORDER:
        table[name] = pa.array(columns[name], pa.string())
    table["person_key_version"] = pa.array(columns["person_key_version"], pa.int16())
    table["person_digest"] = pa.array(columns["person_digest"], pa.string())
    table["person_key"] = pa.array([person_key(d) for d in columns["person_digest"]], pa.int64())
    table["fingerprint"] = pa.array(columns["fingerprint"], pa.string())
    return pa.table(table)
