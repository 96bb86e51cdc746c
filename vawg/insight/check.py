"""Checking the kept cubes, pair arrays, repeat flags and people indexes against a rebuild.

Imports keep all of these in step as they go; `insight_check` asks whether they still
are, without writing: it works out in memory what `insight_rebuild` would write and
compares that with what is held, partnership by partnership. It reads the whole store
into memory, as the rebuild does (the repeat rule links people across partnerships, so
one partnership's flags cannot be worked out from its own incidents alone).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from vawg.core.models import Partnership
from vawg.insight import cubes, pairs, repeats, store
from vawg.insight.models import (
    CUBE_COLUMNS,
    MonthCube,
    PeopleIndex,
    RegionPairs,
    RegionVictimCube,
    VictimCube,
)

EXAMPLES = 3  # differences shown of each kind


@dataclass
class Difference:
    """What differs in one kind of kept figure, for one partnership (or region)."""

    owner: str  # "partnership 12" or "region 3"
    kind: str  # "repeat flags", "AreaCube", "pair counts"...
    count: int  # rows, cells or flags that differ
    unit: str
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = "; ".join(self.examples)
        return f"{self.owner}: {self.kind}: {self.count} {self.unit} differ" + (
            f" (e.g. {shown})" if shown else ""
        )


def check(partnership_ids: Iterable[int] | None = None) -> list[Difference]:
    """Every difference between what is kept for these partnerships (all held when None)
    and their regions, and what a rebuild would make. Writes nothing.

    On PostgreSQL it reads in one read-only snapshot (REPEATABLE READ), so an import that
    commits meanwhile is wholly in or wholly out of what it sees, and imports need not
    wait for it; SQLite's read transaction is a snapshot already."""
    # Only a transaction of its own can choose its isolation (not one inside a test's).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _check(partnership_ids)


def _check(partnership_ids: Iterable[int] | None) -> list[Difference]:
    held = store.partnerships_held()
    everything = store.load(held)
    if partnership_ids is None:
        # And any whose incidents are all gone but whose figures stayed.
        kept = MonthCube.objects.values_list("partnership_id", flat=True).distinct()
        indexed = PeopleIndex.objects.values_list("partnership_id", flat=True)
        partnership_ids = {*held, *kept, *indexed}
    chosen = sorted(set(partnership_ids))
    regions = dict(
        Partnership.objects.filter(pk__in={*held, *chosen}).values_list("pk", "region_id")
    )
    flags = repeats.flags(everything)
    found = _flags(everything, flags, chosen)
    everything = everything.set_column(
        everything.schema.get_field_index("is_repeat"), "is_repeat", flags
    )
    rebuilt = cubes.cube_rows(everything)
    for model, rows in rebuilt.items():
        cell = ["month", *cubes.CELLS[model]]
        for partnership_id in chosen:
            mine = rows.filter(pc.equal(rows["partnership_id"], partnership_id))
            kept = model.objects.filter(partnership_id=partnership_id).values(*cell, *CUBE_COLUMNS)
            found += _rows(f"partnership {partnership_id}", model.__name__, cell, mine, kept)
    for partnership_id in chosen:
        found += _people(partnership_id, everything)
    for region_id in sorted({regions[p] for p in chosen if p in regions}):
        found += _region_cube(region_id, rebuilt[VictimCube], regions)
        found += _pairs(region_id, everything, regions)
    return sorted(found, key=lambda d: (d.owner, d.kind))


def _flags(everything: pa.Table, flags: pa.Array, chosen: list[int]) -> list[Difference]:
    wrong = pc.not_equal(flags, everything["is_repeat"])
    out = []
    for partnership_id in chosen:
        mine = everything.filter(
            pc.and_(pc.equal(everything["partnership_id"], partnership_id), wrong)
        )
        if mine.num_rows:
            examples = [
                f"{r['month']:%Y-%m} row {r['row']}: held {r['is_repeat']}, "
                f"rebuilt {not r['is_repeat']}"
                for r in mine.select(["month", "row", "is_repeat"]).slice(0, EXAMPLES).to_pylist()
            ]
            out.append(
                Difference(
                    f"partnership {partnership_id}",
                    "repeat flags",
                    mine.num_rows,
                    "flag(s)",
                    examples,
                )
            )
    return out


def _rows(owner: str, kind: str, cell: list[str], rebuilt: pa.Table, held) -> list[Difference]:
    """The cells whose measures differ between the rebuilt rows and those held (a cell
    missing on one side differs too)."""

    def keyed(rows) -> dict[tuple, tuple]:
        return {
            tuple(store.as_date(r[c]) if c == "month" else r[c] for c in cell): tuple(
                int(r[m]) for m in CUBE_COLUMNS
            )
            for r in rows
        }

    want, have = keyed(rebuilt.select([*cell, *CUBE_COLUMNS]).to_pylist()), keyed(held)
    differ = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
    if not differ:
        return []
    examples = [
        f"{_cell(cell, k)}: held {_measures(have.get(k))}, rebuilt {_measures(want.get(k))}"
        for k in differ[:EXAMPLES]
    ]
    return [Difference(owner, kind, len(differ), "row(s)", examples)]


def _cell(cell: list[str], key: tuple) -> str:
    return ", ".join(
        f"{c}={v:%Y-%m}" if isinstance(v, date) else f"{c}={v}"
        for c, v in zip(cell, key, strict=True)
    )


def _measures(values: tuple | None) -> str:
    if values is None:
        return "no row"
    return ", ".join(f"{m} {v}" for m, v in zip(CUBE_COLUMNS, values, strict=True) if v)


def _people(partnership_id: int, everything: pa.Table) -> list[Difference]:
    mine = everything.filter(pc.equal(everything["partnership_id"], partnership_id))
    want = store.people_keys(mine)
    blob = PeopleIndex.objects.filter(partnership_id=partnership_id).values_list("keys", flat=True)
    have = np.frombuffer(bytes(blob[0]), dtype=store.KEY) if blob else np.zeros(0, store.KEY)
    differ = np.setxor1d(want, have)
    if not len(differ):
        return []
    return [
        Difference(
            f"partnership {partnership_id}",
            "people index",
            len(differ),
            "key(s)",
            [f"{len(have)} keys held, {len(want)} rebuilt"],
        )
    ]


def _region_cube(region_id: int, victim: pa.Table, regions: dict[int, int]) -> list[Difference]:
    ids = pa.array([p for p, r in regions.items() if r == region_id], pa.int32())
    mine = victim.filter(pc.is_in(victim["partnership_id"], value_set=ids))
    cell = ["month", "strand", "characteristic", "value"]
    summed = mine.group_by(cell).aggregate([(m, "sum") for m in CUBE_COLUMNS])
    summed = summed.rename_columns([name.removesuffix("_sum") for name in summed.column_names])
    held = RegionVictimCube.objects.filter(region_id=region_id).values(*cell, *CUBE_COLUMNS)
    return _rows(f"region {region_id}", "RegionVictimCube", cell, summed, held)


def _pairs(region_id: int, everything: pa.Table, regions: dict[int, int]) -> list[Difference]:
    ids = pa.array([p for p, r in regions.items() if r == region_id], pa.int32())
    want = pairs.counts(everything.filter(pc.is_in(everything["partnership_id"], value_set=ids)))
    have = {}
    for month, layout, blob in RegionPairs.objects.filter(region_id=region_id).values_list(
        "month", "layout", "counts"
    ):
        if layout != pairs.LAYOUT:
            return [
                Difference(
                    f"region {region_id}",
                    "pair counts",
                    1,
                    "layout(s)",
                    [f"{month:%Y-%m} made under other vocabularies"],
                )
            ]
        have[store.as_date(month)] = np.frombuffer(bytes(blob), dtype=pairs.COUNT).reshape(
            pairs.SHAPE
        )
    cells, examples = 0, []
    for month in sorted(want.keys() | have.keys()):
        a, b = want.get(month), have.get(month)
        rebuilt = np.zeros(pairs.SHAPE, pairs.COUNT) if a is None else a
        held = np.zeros(pairs.SHAPE, pairs.COUNT) if b is None else b
        differ = int(np.count_nonzero(rebuilt != held))
        if differ:
            cells += differ
            if len(examples) < EXAMPLES:
                examples.append(f"{month:%Y-%m}: {differ} cell(s)")
    if not cells:
        return []
    return [Difference(f"region {region_id}", "pair counts", cells, "cell(s)", examples)]
