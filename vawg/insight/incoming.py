"""What a partner's extract does to the incident store, and writing it.

A file's standardised rows (columns.py) are matched with the partner's incidents held,
by record id: a row not held is new; one whose fingerprint differs updates the held
record, keeping its place in the order of storing; one that matches changes nothing.
Writing them (`apply`), inside the import's transaction:

1. works out the repeat flags of everyone the file brings or changes, with their
   incidents from any partnership in the year either side that can decide them;
2. writes the partnership's changed months again (segments and cubes), and the flags and
   cube cells it flipped in other partnerships' months;
3. updates the partnership's people index.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vawg.insight import cubes, duck, locks, repeats, store
from vawg.insight.models import DataImport


@dataclass
class Sorted:
    """A file's valid rows against the partnership's incidents held."""

    held: pa.Table  # the partnership's incidents now (a working table)
    incoming: pa.Table  # the rows to write, new then updated (a working table, every part)
    replaced: pa.Array  # the positions in `held` of the records the updated rows replace
    new: int
    updated: int
    unchanged: int


def rows_from_file(table: pa.Table, data_import: DataImport) -> pa.Table:
    """A standardised file (columns.py) as working-table rows, flagged as no repeat yet.

    Each row's place in the order of storing is its import's id, then its row."""
    n = table.num_rows
    schema = store.working_schema()
    values = {
        "partnership_id": pa.repeat(pa.scalar(data_import.partnership_id, pa.int32()), n),
        "partner_id": pa.repeat(pa.scalar(data_import.partner_id, pa.int32()), n),
        "row": pa.nulls(n, pa.int32()),
        "is_repeat": pa.repeat(pa.scalar(False), n),
        "rkey": pa.nulls(n, pa.uint8()),
        "stored": pa.array((data_import.pk << 32) + np.arange(n, dtype=np.int64)),
        "data_import_id": pa.repeat(pa.scalar(data_import.pk, pa.int64()), n),
    }
    columns = []
    for field in schema:
        if field.name in values:
            columns.append(values[field.name])
        elif field.name in store.VOCABULARY:
            columns.append(store.encode_codes(field.name, table[field.name]))
        else:
            columns.append(table[field.name].cast(field.type))
    return store.with_record_keys(pa.Table.from_arrays(columns, schema=schema))


def sort(held: pa.Table, incoming: pa.Table, partner_id: int) -> Sorted:
    """Which incoming rows are new, which update a held record, and how many match one."""
    with duck.use(
        f=_numbered(incoming.select(["source_id", "fingerprint"])),
        h=_numbered(held.select(["source_id", "fingerprint", "partner_id"])),
    ) as db:
        matched = db.arrow(
            """SELECT h.i AS held, h.fingerprint = f.fingerprint AS same
            FROM f LEFT JOIN (SELECT * FROM h WHERE partner_id = ?) h USING (source_id)
            ORDER BY f.i""",
            [partner_id],
        )
    held_at = matched["held"].combine_chunks()
    new = pc.is_null(held_at)
    same = pc.fill_null(matched["same"].combine_chunks(), False)
    updated = pc.and_(pc.invert(new), pc.invert(same))
    replaced = held_at.filter(updated)
    changed = incoming.filter(updated)
    # An updated record keeps its place in the order of storing, and so its record key.
    stored = held["stored"].take(replaced) if "stored" in held.column_names else None
    if stored is not None:
        changed = changed.set_column(changed.schema.get_field_index("stored"), "stored", stored)
        changed = store.with_record_keys(changed)
    return Sorted(
        held=held,
        incoming=pa.concat_tables([incoming.filter(new), changed]),
        replaced=replaced,
        new=pc.sum(new).as_py() or 0,
        updated=len(replaced),
        unchanged=pc.sum(same).as_py() or 0,
    )


def likely_duplicates(held: pa.Table, sorted_: Sorted, partner_id: int) -> list[dict]:
    """The file's new records (a record id not held) whose person, date and strand are those
    of a record the partner's incidents hold once this file is in: most often an extract
    sent again with the records numbered afresh. Each with the held record's id it looks
    like. Held records are taken as the file leaves them (its updates applied), so that the
    same file sent twice is judged the same way twice."""
    new = sorted_.incoming.slice(0, sorted_.new)
    if not new.num_rows or not held.num_rows or "person_digest" not in held.column_names:
        return []
    wanted = ["source_id", "person_digest", "occurred_on", "strand"]
    kept = np.ones(held.num_rows, dtype=bool)
    kept[sorted_.replaced.to_numpy()] = False
    columns = [*wanted, "partner_id"]
    updated = sorted_.incoming.slice(sorted_.new, sorted_.updated).select(columns)
    after = pa.concat_tables([held.filter(pa.array(kept)).select(columns), updated])
    with duck.use(n=new.select(wanted), h=after) as db:
        found = db.arrow(
            """SELECT n.source_id, min(h.source_id) AS matches, n.occurred_on, n.strand
            FROM n JOIN h ON h.partner_id = ? AND h.person_digest = n.person_digest
                AND h.occurred_on = n.occurred_on AND h.strand = n.strand
            WHERE n.person_digest <> ''
            GROUP BY n.source_id, n.occurred_on, n.strand ORDER BY n.source_id""",
            [partner_id],
        ).to_pylist()
    strands = store.VOCABULARY["strand"]
    return [{**row, "strand": strands[row["strand"]]} for row in found]


def _numbered(table: pa.Table) -> pa.Table:
    return table.append_column("i", pa.array(np.arange(table.num_rows, dtype=np.int64)))


def _months(table: pa.Table) -> set[date]:
    return set(pc.unique(table["month"]).to_pylist())


def _in_months(table: pa.Table, months: set[date]) -> pa.Table:
    wanted = pa.array(sorted(months), pa.date32())
    return table.filter(pc.is_in(table["month"], value_set=wanted))


def _set_flags(table: pa.Table, positions: pa.Array, flags: pa.Array) -> pa.Table:
    """The table with these rows' repeat flags changed."""
    column = table["is_repeat"].combine_chunks().to_numpy(zero_copy_only=False).copy()
    column[positions.to_numpy()] = flags.to_numpy(zero_copy_only=False)
    return table.set_column(
        table.schema.get_field_index("is_repeat"), "is_repeat", pa.array(column)
    )


def apply(data_import: DataImport, sorted_: Sorted) -> None:
    """Write the sorted rows to the store, with their repeat flags, cubes and people."""
    held, incoming = sorted_.held, sorted_.incoming
    partnership_id = data_import.partnership_id
    old = held.take(sorted_.replaced)
    changed = pa.concat_tables([incoming, old])
    if changed.num_rows == 0:
        return
    kept = np.ones(held.num_rows, dtype=bool)
    kept[sorted_.replaced.to_numpy()] = False
    now = pa.concat_tables([held.filter(pa.array(kept)), incoming])
    months = _months(changed)

    people = changed.filter(pc.not_equal(changed["person_digest"], ""))
    if people.num_rows:
        first, last = repeats.window(pc.unique(people["occurred_on"]).to_pylist())
        keys = store.people_keys(people)
        elsewhere = store.partnerships_with(keys, besides=partnership_id)
        # Their flags and cubes may change too: hold their regions first (locks.py).
        locks.reach(elsewhere, keys)
        others = store.load(
            elsewhere,
            first=first.replace(day=1),
            last=last.replace(day=1),
            parts=("dims", "people"),
        )
        since = pc.min(people["occurred_on"]).as_py()
        mine, theirs = repeats.flips(people, now, others, first=first, last=last, since=since)
        now = _set_flags(now, mine["position"], mine["flag"])
        months |= _months(now.take(mine["position"]))
        if len(theirs):
            others = _set_flags(others, theirs["position"], theirs["flag"])
            flipped = others.take(theirs["position"])
            store.rewrite_dims(
                others,
                {
                    (r["partnership_id"], r["month"])
                    for r in flipped.select(["partnership_id", "month"]).to_pylist()
                },
            )
            cubes.adjust_repeats(flipped)

    new_rows = _in_months(now, months)
    store.replace(partnership_id, months, new_rows)
    cubes.replace(partnership_id, months, new_rows, _in_months(held, months))
    store.save_people(partnership_id, store.people_keys(now))
