# SQL here is built from the model's table name only; values go as parameters.
"""The regional view's breakdowns among one victim characteristic, held as dense counts.

For each region-month, `RegionPairs.counts` holds one array: for every strand (and all
strands together) and every pair of values of the five victim characteristics (age band
45-54 with disabled, say, or a value with itself), the incidents with both, and beside
it the sum of their record keys (each figure's cell key, core.disclosure). The regional
breakdowns among one characteristic (disabled victims by age, sex, ethnic group and
sexual orientation) then read a row of it for each month of the period: 36 small blobs
rather than millions of incidents. As rows of a table the same counts would be several
hundred thousand cells a region, each one an index entry an import rewrites; as one
array a month, an import reads and writes back only the months it changed, adding its
change in memory (docs/performance.md).
"""

import hashlib
import json
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from vawg.core.disclosure import Tally
from vawg.insight import store
from vawg.insight.models import RegionPairs
from vawg.insight.standard import VICTIM_CHARACTERISTICS

CHARACTERISTICS = tuple(v.name for v in VICTIM_CHARACTERISTICS)
# Every characteristic's values side by side: a value's slot is its code plus the offset.
OFFSET = dict(
    zip(
        CHARACTERISTICS,
        np.cumsum([0, *(len(store.VOCABULARY[c]) for c in CHARACTERISTICS[:-1])]).tolist(),
        strict=True,
    )
)
VALUES = sum(len(store.VOCABULARY[c]) for c in CHARACTERISTICS)
# Strand slot 0 is all strands together; slot 1 + code is each strand.
STRANDS = 1 + len(store.VOCABULARY["strand"])
# Layer 0 counts the incidents, layer 1 sums their record keys.
SHAPE = (2, STRANDS, VALUES, VALUES)
COUNT = np.dtype("<i4")
# What the array's axes mean: a changed vocabulary changes it, and old arrays are refused.
LAYOUT = hashlib.sha256(
    json.dumps(
        {
            "layers": ["incidents", "keys"],
            **{n: store.VOCABULARY[n] for n in ("strand", *CHARACTERISTICS)},
        }
    ).encode()
).hexdigest()[:16]
T = RegionPairs._meta.db_table


CHUNK_ROWS = 100_000  # incidents counted at once: 50 cells each, so memory stays small


def counts(table: pa.Table, sign: int = 1) -> dict[date, np.ndarray]:
    """Each month's array for the incidents of a working table (`dims`), times `sign`."""
    if table.num_rows == 0:
        return {}
    listed = sorted(pc.unique(table["month"]).to_pylist())
    cells = STRANDS * VALUES * VALUES
    total = np.zeros((2, len(listed) * cells), dtype=np.int64)
    for start in range(0, table.num_rows, CHUNK_ROWS):
        total += _count(table.slice(start, CHUNK_ROWS), listed)
    layers = (sign * total).astype(COUNT).reshape(2, len(listed), *SHAPE[1:])
    return {month: layers[:, i] for i, month in enumerate(listed)}


def _count(table: pa.Table, listed: list[date]) -> np.ndarray:
    """The cells of these incidents, counted (row 0) and their keys summed (row 1) into
    one flat array of `listed` months each."""
    cells = STRANDS * VALUES * VALUES
    months = table["month"].combine_chunks()
    month_slot = pc.index_in(months, value_set=pa.array(listed, pa.date32())).to_numpy()
    strand = table["strand"].to_numpy().astype(np.int64) + 1
    slots = [table[c].to_numpy().astype(np.int64) + OFFSET[c] for c in CHARACTERISTICS]
    flat = []
    for s in (np.zeros_like(strand), strand):
        base = month_slot.astype(np.int64) * cells + s * VALUES * VALUES
        for a in slots:
            for b in slots:
                flat.append(base + a * VALUES + b)
    slots_all = np.concatenate(flat)
    keys = np.tile(table["rkey"].to_numpy().astype(np.float64), len(flat))
    size = len(listed) * cells
    return np.stack(
        [
            np.bincount(slots_all, minlength=size),
            np.rint(np.bincount(slots_all, weights=keys, minlength=size)).astype(np.int64),
        ]
    )


def add(region_id: int, change: dict[date, np.ndarray]) -> None:
    """Add each month's change to the region's arrays (inside the import's transaction,
    which holds the region's lock, locks.py: no other writer reads them meanwhile)."""
    months = sorted(m for m, array in change.items() if array.any())
    if not months:
        return
    held = _read(region_id, months)
    writes, inserts, deletes = [], [], []
    for month in months:
        now = held.get(month, 0) + change[month]
        if not now.any():
            deletes.append(month)
        elif month in held:
            writes.append((now.astype(COUNT).tobytes(), region_id, month.isoformat()))
        else:
            inserts.append((region_id, month.isoformat(), LAYOUT, now.astype(COUNT).tobytes()))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {T} SET counts = %s WHERE region_id = %s AND month = %s",  # noqa: S608 - names are our own, values parameters
            writes,
        )
        cursor.executemany(
            f"INSERT INTO {T} (region_id, month, layout, counts) VALUES (%s, %s, %s, %s)",  # noqa: S608 - names are our own, values parameters
            inserts,
        )
        cursor.executemany(
            f"DELETE FROM {T} WHERE region_id = %s AND month = %s",  # noqa: S608 - names are our own, values parameters
            [(region_id, m.isoformat()) for m in deletes],
        )


def _read(region_id: int, months: list[date]) -> dict[date, np.ndarray]:
    held = {}
    for start in range(0, len(months), 500):
        part = months[start : start + 500]
        rows = store.fetch(
            f"SELECT month, layout, counts FROM {T} WHERE region_id = %s "  # noqa: S608 - names are our own, values parameters
            f"AND month IN ({', '.join(['%s'] * len(part))})",
            [region_id, *(m.isoformat() for m in part)],
        )
        for month, layout, blob in rows:
            held[store.as_date(month)] = _array(layout, blob)
    return held


class Stale(ValueError):
    """Arrays made under other vocabularies (a code added since): `insight_rebuild` them."""


def _array(layout: str, blob) -> np.ndarray:
    if layout != LAYOUT:
        raise Stale(
            "The regional pair counts were made under other vocabularies: "
            "run `manage.py insight_rebuild`."
        )
    return np.frombuffer(bytes(blob), dtype=COUNT).reshape(SHAPE)


def breakdown(
    region_id: int, *, strand: str, characteristic: str, value: str, first: date, last: date
) -> dict[str, dict[str, Tally]]:
    """Incidents by each characteristic's values among those with `characteristic` =
    `value`, across the region in months `first`..`last`: {characteristic: {value: tally}}."""
    code = store.code_of(characteristic, value)
    strand_slot = 0 if not strand else 1 + (store.code_of("strand", strand) or 0)
    if code is None or (strand and store.code_of("strand", strand) is None):
        return {}
    row = OFFSET[characteristic] + code
    total = np.zeros((2, VALUES), dtype=np.int64)
    rows = store.fetch(
        f"SELECT layout, counts FROM {T} WHERE region_id = %s AND month >= %s AND month <= %s",  # noqa: S608 - names are our own, values parameters
        [region_id, first.isoformat(), last.isoformat()],
    )
    for layout, blob in rows:
        total += _array(layout, blob)[:, strand_slot, row]
    out: dict[str, dict[str, Tally]] = {}
    for name in CHARACTERISTICS:
        for i, text in enumerate(store.VOCABULARY[name]):
            n, key = int(total[0, OFFSET[name] + i]), int(total[1, OFFSET[name] + i])
            if n:
                out.setdefault(name, {})[text] = Tally(n, key % 256)
    return out


def rebuild(table: pa.Table, regions: dict[int, int]) -> None:
    """Every region's arrays from scratch, from a working table of every incident held."""
    RegionPairs.objects.all().delete()
    for region_id in sorted(set(regions.values())):
        ids = pa.array([p for p, r in regions.items() if r == region_id], pa.int32())
        mine = table.filter(pc.is_in(table["partnership_id"], value_set=ids))
        add(region_id, counts(mine))
