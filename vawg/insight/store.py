# SQL here is built from model table and column names only; values go as parameters.
"""The incident store: each partnership's incidents, a month at a time, as Arrow columns.

A partnership-month that holds incidents is one `IncidentSegment` row of the main
database, with three blobs in Arrow's IPC stream format, their rows in the same order:

- `dims`: what the dashboard counts by (ward, strand, partner, the five victim
  characteristics, the outcome, the repeat flag) and each incident's record key for
  disclosure control, as small integers and uncompressed, so a crossing no cube holds
  decodes a borough's months in a millisecond;
- `people`: the repeat rule's inputs (the date, the person's key version, digest and
  60-bit key, and the order of storing);
- `record`: the rest (record id, fingerprint, the other codes, the import that wrote it).

Only imports read the last two, which are zstd-compressed. The store lives in the
shared database, so every app server sees an import's incidents the moment it commits,
and nothing is kept or rebuilt per server. `PeopleIndex` holds each partnership's people
(their 60-bit keys, sorted), so that an import reads another partnership's months only
when someone it brings is there (docs/performance.md).

In memory the store is a "working table": one row per incident with every column of the
parts read, plus `partnership_id`, `month` and `row` (the position in its segment).
"""

import json
from collections.abc import Iterable
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from vawg.core import disclosure
from vawg.insight.models import IncidentSegment, PeopleIndex
from vawg.insight.standard import CODED

# Each part's format. `dims` 2 holds each incident's record key (migration insight.0008
# gave the incidents held before theirs).
FORMAT = {"dims": b"2", "people": b"1", "record": b"1"}
CODE = pa.int8()
# Each coded field's codes in the standard's order: a stored code is an index into these.
VOCABULARY = {name: tuple(vocabulary.values) for name, vocabulary in CODED.items()}
PARTS = {
    "dims": pa.schema(
        [
            ("ward_id", pa.int32()),
            ("strand", CODE),
            ("partner_id", pa.int32()),
            ("age_band", CODE),
            ("sex", CODE),
            ("ethnicity", CODE),
            ("disability", CODE),
            ("orientation", CODE),
            ("outcome", CODE),
            ("is_repeat", pa.bool_()),
            # The incident's record key (core.disclosure), from its place in the order of
            # storing, which it keeps for life: a cube cell's key is the sum of its rows'.
            ("rkey", pa.uint8()),
        ]
    ),
    "people": pa.schema(
        [
            ("occurred_on", pa.date32()),
            ("person_key_version", pa.int16()),
            ("person_digest", pa.string()),  # "" when the extract named nobody
            ("person_key", pa.int64()),
            # The order of storing, which breaks a person's same-day ties: unique, and kept
            # when a record is updated (`incoming`).
            ("stored", pa.int64()),
        ]
    ),
    "record": pa.schema(
        [
            ("source_id", pa.string()),
            ("crime_type", CODE),
            ("gender_identity", CODE),
            ("relationship", CODE),
            ("perpetrator_sex", CODE),
            ("perpetrator_age_band", CODE),
            ("fingerprint", pa.string()),
            ("data_import_id", pa.int64()),
        ]
    ),
}
ALL_PARTS = tuple(PARTS)
COMPRESSION = {"dims": None, "people": "zstd", "record": "zstd"}
KEYS = pa.schema([("partnership_id", pa.int32()), ("month", pa.date32()), ("row", pa.int32())])
T = IncidentSegment._meta.db_table


def _codes_metadata(schema: pa.Schema) -> bytes:
    return json.dumps({f.name: VOCABULARY[f.name] for f in schema if f.name in VOCABULARY}).encode()


_METADATA = {
    part: {b"vawg.format": FORMAT[part], b"vawg.codes": _codes_metadata(schema)}
    for part, schema in PARTS.items()
}


def working_schema(parts: Iterable[str] = ALL_PARTS) -> pa.Schema:
    fields = list(KEYS)
    for part in parts:
        fields.extend(PARTS[part])
    return pa.schema(fields)


def empty(parts: Iterable[str] = ALL_PARTS) -> pa.Table:
    return working_schema(parts).empty_table()


RECORD_KIND = "insight.Incident"


def with_record_keys(table: pa.Table) -> pa.Table:
    """A working table with each row's record key worked out from `stored`."""
    keys = disclosure.record_keys(RECORD_KIND, table["stored"].combine_chunks().to_numpy())
    return table.set_column(table.schema.get_field_index("rkey"), "rkey", pa.array(keys))


# --- Codes -------------------------------------------------------------------------


def encode_codes(name: str, texts: pa.Array) -> pa.Array:
    """A coded column's texts (the standard's codes) as stored codes."""
    index = pc.index_in(texts, value_set=pa.array(VOCABULARY[name], pa.string()))
    if index.null_count:
        raise ValueError(f"A value of {name} is not a code of the standard.")
    return index.cast(CODE)


def code_of(name: str, text: str) -> int | None:
    """The stored code of one of the standard's codes, or None if it is not one."""
    values = VOCABULARY[name]
    return values.index(text) if text in values else None


def text_sql(name: str, column: str) -> str:
    """DuckDB SQL for a coded column's text: a list literal of the codes, indexed from 1."""
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in VOCABULARY[name])
    return f"([{listed}])[{column} + 1]"


def _recode(table: pa.Table, stored: dict[str, list[str]]) -> pa.Table:
    """A blob written under other vocabularies: its codes renumbered as the standard's now.

    Vocabularies only grow (docs/data-standard.md), so every stored code is still one."""
    for name, codes in stored.items():
        if list(codes) == list(VOCABULARY[name]):
            continue
        now = np.array([VOCABULARY[name].index(code) for code in codes], dtype=np.int8)
        position = table.schema.get_field_index(name)
        column = pa.array(now).take(table[name].combine_chunks().cast(pa.int32()))
        table = table.set_column(position, name, column)
    return table


# --- Blobs -------------------------------------------------------------------------


# Ids held in 16 bits where a month's all fit (any installation short of 32,768 wards
# or organisations): `dims` is then 11 bytes a row rather than 15, and a crossing reads
# that much less from the database. Read back, they are 32-bit again.
NARROW_IDS = ("ward_id", "partner_id")
NARROW = pa.int16()


def _narrowed(name: str, column) -> pa.Array:
    if name in NARROW_IDS and len(column) and pc.max(column).as_py() <= 32767:
        return column.cast(NARROW)
    return column


def encode(table: pa.Table, part: str) -> bytes:
    """One part of a segment: these rows' columns of `part` as an Arrow IPC stream."""
    arrays = [_narrowed(name, table[name]) for name in PARTS[part].names]
    batch = pa.Table.from_arrays(arrays, names=PARTS[part].names)
    batch = batch.replace_schema_metadata(_METADATA[part])
    schema = batch.schema
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION[part])
    with pa.ipc.new_stream(sink, schema, options=options) as writer:
        writer.write_table(batch)
    return sink.getvalue().to_pybytes()


def decode(blob, part: str, *, widen: bool = True) -> pa.Table:
    """A part as written; with `widen`, its columns in the part's own types (ids written
    in 16 bits back in 32), as a working table needs them."""
    table = pa.ipc.open_stream(pa.py_buffer(blob)).read_all()
    metadata = table.schema.metadata or {}
    if metadata.get(b"vawg.format") != FORMAT[part]:
        raise ValueError(f"A stored segment is in a format this version cannot read ({part}).")
    if metadata.get(b"vawg.codes") != _METADATA[part][b"vawg.codes"]:
        table = _recode(table, json.loads(metadata[b"vawg.codes"]))
    if widen and not table.schema.equals(PARTS[part]):
        table = table.cast(PARTS[part].with_metadata(table.schema.metadata))
    return table


# --- Reading -----------------------------------------------------------------------


def fetch(sql: str, params: list) -> list[tuple]:
    """Rows holding blobs. On PostgreSQL through a server-binding cursor with binary
    results: Django's cursor has `bytea` sent as hex text, twice the bytes and a decode
    each (3.5 times slower for a borough's 36 months of `dims`)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def load(
    partnership_ids: Iterable[int],
    *,
    first: date | None = None,
    last: date | None = None,
    parts: Iterable[str] = ALL_PARTS,
) -> pa.Table:
    """The working table of these partnerships' incidents, in months `first`..`last`
    (first-of-month dates; None for no bound), with the columns of `parts`."""
    parts = tuple(parts)
    ids = sorted(set(partnership_ids))
    if not ids:
        return empty(parts)
    where = [f"partnership_id IN ({', '.join(['%s'] * len(ids))})"]
    params: list = list(ids)
    if first is not None:
        where.append("month >= %s")
        params.append(first.isoformat())
    if last is not None:
        where.append("month <= %s")
        params.append(last.isoformat())
    fetched = fetch(
        f"SELECT partnership_id, month, incidents, {', '.join(parts)} FROM {T} "  # noqa: S608 - names are our own, values parameters
        f"WHERE {' AND '.join(where)} ORDER BY partnership_id, month",
        params,
    )
    return assemble(fetched, parts)


def assemble(fetched: list[tuple], parts: tuple[str, ...]) -> pa.Table:
    """A working table from (partnership id, month, incidents, blob of each part) rows."""
    if not fetched:
        return empty(parts)
    pieces = {part: [] for part in parts}
    counts = []
    for _, _, incidents, *blobs in fetched:
        counts.append(incidents)
        for part, blob in zip(parts, blobs, strict=True):
            pieces[part].append(decode(blob, part))
    counts = np.asarray(counts, dtype=np.int64)
    partnerships = np.repeat(np.array([f[0] for f in fetched], dtype=np.int32), counts)
    epoch = date(1970, 1, 1).toordinal()
    months = [as_date(f[1]).toordinal() - epoch for f in fetched]
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    arrays = [
        pa.array(partnerships),
        pa.array(np.repeat(np.array(months, dtype=np.int32), counts)).cast(pa.date32()),
        pa.array((np.arange(counts.sum()) - starts).astype(np.int32)),
    ]
    for part in parts:
        joined = pa.concat_tables(pieces[part])
        arrays.extend(joined.column(name).combine_chunks() for name in PARTS[part].names)
    return pa.Table.from_arrays(arrays, schema=working_schema(parts))


def dims_arrays(
    partnership_ids: Iterable[int], *, first: date, last: date, columns: Iterable[str]
) -> dict:
    """These `dims` columns of these partnerships' months `first`..`last` as one numpy
    array each (`partnership_id` and `month`, in days since 1970, may be asked for too):
    what the dashboard's crossings count, with no table built around it."""
    ids = sorted(set(partnership_ids))
    columns = list(dict.fromkeys(columns))
    fetched = fetch(
        f"SELECT partnership_id, month, incidents, dims FROM {T} "  # noqa: S608 - names are our own, values parameters
        f"WHERE partnership_id IN ({', '.join(['%s'] * len(ids))}) "
        "AND month >= %s AND month <= %s",
        [*ids, first.isoformat(), last.isoformat()],
    )
    stored = [c for c in columns if c in PARTS["dims"].names]
    pieces: dict[str, list] = {name: [] for name in stored}
    for *_, blob in fetched:
        table = decode(blob, "dims", widen=False)  # numpy compares ids of any width
        for name in stored:
            pieces[name].append(table[name].to_numpy(zero_copy_only=False))
    arrays = {
        name: np.concatenate(parts) if parts else np.zeros(0, np.int64)
        for name, parts in pieces.items()
    }
    counts = np.array([f[2] for f in fetched], dtype=np.int64)
    if "partnership_id" in columns:
        arrays["partnership_id"] = np.repeat(np.array([f[0] for f in fetched]), counts)
    if "month" in columns:
        epoch = date(1970, 1, 1).toordinal()
        months = [as_date(f[1]).toordinal() - epoch for f in fetched]
        arrays["month"] = np.repeat(np.array(months, dtype=np.int64), counts)
    arrays["rows"] = int(counts.sum())
    return arrays


def as_text(table: pa.Table) -> pa.Table:
    """A working table with its codes as the standard's text again (for people to read)."""
    for name in VOCABULARY:
        if name in table.column_names:
            texts = pa.array(VOCABULARY[name], pa.string()).take(table[name].cast(pa.int32()))
            table = table.set_column(table.schema.get_field_index(name), name, texts)
    return table


def incidents(partnership_ids: Iterable[int] | None = None) -> list[dict]:
    """Every incident held (in these partnerships), as dicts of the standard's values."""
    ids = partnerships_held() if partnership_ids is None else partnership_ids
    return as_text(load(ids)).to_pylist()


def count(partnership_ids: Iterable[int] | None = None) -> int:
    """How many incidents the store holds (for these partnerships)."""
    qs = IncidentSegment.objects.all()
    if partnership_ids is not None:
        qs = qs.filter(partnership_id__in=list(partnership_ids))
    return sum(qs.values_list("incidents", flat=True))


def partnerships_held() -> list[int]:
    return sorted(set(IncidentSegment.objects.values_list("partnership_id", flat=True)))


# --- Writing -----------------------------------------------------------------------


def _by_month(table: pa.Table) -> dict[date, pa.Table]:
    """The table's rows by month, each month's in the order of storing."""
    if table.num_rows == 0:
        return {}
    ordered = table.sort_by([("month", "ascending"), ("stored", "ascending")])
    months = ordered["month"].combine_chunks().cast(pa.int32()).to_numpy()
    edges = np.flatnonzero(np.diff(months)) + 1
    starts = [0, *edges.tolist()]
    ends = [*edges.tolist(), len(months)]
    epoch = date(1970, 1, 1).toordinal()
    return {
        date.fromordinal(int(months[s]) + epoch): ordered.slice(s, e - s)
        for s, e in zip(starts, ends, strict=True)
    }


def replace(partnership_id: int, months: Iterable[date], table: pa.Table) -> None:
    """Write these months of one partnership from `table`, its incidents in them (every
    part); a month with no rows in `table` no longer has a segment."""
    months = sorted(set(months))
    if not months:
        return
    chosen = set(months)
    by_month = _by_month(table)
    with connection.cursor() as cursor:
        for start in range(0, len(months), 500):
            part = months[start : start + 500]
            cursor.execute(
                f"DELETE FROM {T} WHERE partnership_id = %s AND month IN "  # noqa: S608 - names are our own, values parameters
                f"({', '.join(['%s'] * len(part))})",
                [partnership_id, *(m.isoformat() for m in part)],
            )
        rows = [
            (
                partnership_id,
                month.isoformat(),
                rows.num_rows,
                *(encode(rows, part) for part in ALL_PARTS),
            )
            for month, rows in by_month.items()
            if month in chosen
        ]
        cursor.executemany(
            f"INSERT INTO {T} (partnership_id, month, incidents, {', '.join(ALL_PARTS)}) "  # noqa: S608 - names are our own, values parameters
            f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(ALL_PARTS))})",
            rows,
        )


def rewrite_dims(table: pa.Table, segments: Iterable[tuple[int, date]]) -> None:
    """Write these segments' `dims` again from `table`, which holds each of them whole
    (as `load` read them, in segment order) with its new repeat flags."""
    wanted = set(segments)
    if not wanted:
        return
    keys = pa.table({"p": table["partnership_id"], "m": table["month"].cast(pa.int32())})
    p, m = keys["p"].to_numpy(), keys["m"].to_numpy()
    boundaries = np.flatnonzero((np.diff(p) != 0) | (np.diff(m) != 0)) + 1
    starts = [0, *boundaries.tolist()]
    ends = [*boundaries.tolist(), len(p)]
    epoch = date(1970, 1, 1).toordinal()
    updates = []
    for s, e in zip(starts, ends, strict=True):
        key = (int(p[s]), date.fromordinal(int(m[s]) + epoch))
        if key in wanted:
            updates.append((encode(table.slice(s, e - s), "dims"), key[0], key[1].isoformat()))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {T} SET dims = %s WHERE partnership_id = %s AND month = %s",  # noqa: S608 - names are our own, values parameters
            updates,
        )


# --- Who is where --------------------------------------------------------------------

KEY = np.dtype("<i8")


def people_keys(table: pa.Table) -> np.ndarray:
    """The sorted, distinct 60-bit keys of the people in a working table."""
    keys = table["person_key"].combine_chunks().drop_null().to_numpy()
    return np.unique(keys).astype(KEY)


def save_people(partnership_id: int, keys: np.ndarray) -> None:
    PeopleIndex.objects.update_or_create(
        partnership_id=partnership_id, defaults={"keys": keys.astype(KEY).tobytes()}
    )


def partnerships_with(keys: np.ndarray, *, besides: int) -> list[int]:
    """The partnerships other than `besides` holding an incident of any of these people."""
    if len(keys) == 0:
        return []
    keys = np.unique(keys)
    found = []
    indexes = fetch(
        f"SELECT partnership_id, keys FROM {PeopleIndex._meta.db_table} WHERE partnership_id <> %s",  # noqa: S608 - names are our own, values parameters
        [besides],
    )
    for partnership_id, blob in indexes:
        held = np.frombuffer(bytes(blob), dtype=KEY)
        if len(held) == 0:
            continue
        at = np.minimum(np.searchsorted(held, keys), len(held) - 1)
        if np.any(held[at] == keys):
            found.append(partnership_id)
    return found
