# SQL here is built from model table and column names and the standard's codes only;
# values go as parameters.
"""Keeping the pre-aggregated cubes in step with the incident store.

Cube rows are summed in DuckDB from a working table (store.py) and written to the
main database inside the import's transaction, so a failed import leaves the cubes as
they were. An import rebuilds the rows of the partnership-months it changed; a repeat
flag it flips in another partnership's month is added to that month's cells in place;
the regional roll-ups (the region's victim cube, and its pair counts in pairs.py) take
each rebuilt month's change.
"""

from collections.abc import Iterable
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from vawg.core.models import Partnership
from vawg.insight import bulk, duck, pairs, repeats, store
from vawg.insight.models import (
    CUBE_COLUMNS,
    AreaCube,
    MonthCube,
    PartnerVictimCube,
    PeopleIndex,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.standard import VICTIM_CHARACTERISTICS

CHUNK = 500
CHARACTERISTICS = tuple(v.name for v in VICTIM_CHARACTERISTICS)

V = VictimCube._meta.db_table
P = PartnerVictimCube._meta.db_table
R = RegionVictimCube._meta.db_table

# Each cube's cell, after partnership (or region) and month.
CELLS = {
    AreaCube: ["strand", "ward_id", "partner_id"],
    MonthCube: ["strand", "partner_id"],
    VictimCube: ["strand", "characteristic", "value"],
    PartnerVictimCube: ["partner_id", "strand", "characteristic", "value"],
}


def _regions(partnership_ids) -> dict[int, int]:
    """The region of each partnership."""
    return dict(Partnership.objects.filter(pk__in=partnership_ids).values_list("pk", "region_id"))


# --- Cube rows, summed in DuckDB ---------------------------------------------------

PENDING = store.code_of("outcome", "pending")
CHARGED = store.code_of("outcome", "charged")
# Each measure's count and the sum of its incidents' record keys (the cell key's parts).
_COUNTED = f"""COUNT(*) AS incidents, SUM(is_repeat::INTEGER) AS repeats,
    SUM((outcome <> {PENDING})::INTEGER) AS resolved,
    SUM((outcome = {CHARGED})::INTEGER) AS charged,
    SUM(rkey::INTEGER) AS incidents_key,
    SUM(CASE WHEN is_repeat THEN rkey::INTEGER ELSE 0 END) AS repeats_key,
    SUM(CASE WHEN outcome <> {PENDING} THEN rkey::INTEGER ELSE 0 END) AS resolved_key,
    SUM(CASE WHEN outcome = {CHARGED} THEN rkey::INTEGER ELSE 0 END) AS charged_key"""
_SUMMED = ", ".join(f"CAST(SUM({m}) AS BIGINT) AS {m}" for m in CUBE_COLUMNS)
_STRAND = f"CASE WHEN GROUPING(strand) = 1 THEN '' ELSE {store.text_sql('strand', 'strand')} END"


def cube_rows(table: pa.Table) -> dict[type, pa.Table]:
    """Every partnership cube's rows for the incidents of a working table (`dims`):
    {cube: rows named as its columns}."""
    dims = table.select(["partnership_id", "month", *store.PARTS["dims"].names])
    with duck.use(t=dims) as db:
        area = db.arrow(
            f"""SELECT partnership_id, month, {store.text_sql("strand", "strand")} AS strand,
                ward_id, partner_id, {_SUMMED}
            FROM (SELECT partnership_id, month, strand, ward_id, partner_id, {_COUNTED}
                  FROM t GROUP BY ALL)
            GROUP BY ALL""",  # noqa: S608 - names are our own, values parameters
        )
        db.register("area", area)
        month = db.arrow(
            f"SELECT partnership_id, month, strand, partner_id, {_SUMMED} FROM area GROUP BY ALL",  # noqa: S608 - names are our own, values parameters
        )
        # One pass groups the incidents by every characteristic at once; each
        # characteristic's rows, by strand and for all strands, are summed from that.
        db.keep(
            "combos",
            f"""SELECT partnership_id, partner_id, month, strand,
                {", ".join(CHARACTERISTICS)}, {_COUNTED} FROM t GROUP BY ALL""",  # noqa: S608 - names are our own, values parameters
        )
        partner = db.arrow(
            " UNION ALL ".join(
                f"""SELECT partnership_id, partner_id, month, {_STRAND} AS strand,
                    '{c}' AS characteristic, {store.text_sql(c, c)} AS value, {_SUMMED}
                FROM combos GROUP BY GROUPING SETS (
                    (partnership_id, partner_id, month, strand, {c}),
                    (partnership_id, partner_id, month, {c}))"""  # noqa: S608 - names are our own, values parameters
                for c in CHARACTERISTICS
            ),
        )
        db.register("partner", partner)
        victim = db.arrow(
            f"""SELECT partnership_id, month, strand, characteristic, value, {_SUMMED}
            FROM partner GROUP BY ALL""",  # noqa: S608 - names are our own, values parameters
        )
    return {AreaCube: area, MonthCube: month, PartnerVictimCube: partner, VictimCube: victim}


def _with_regions(table: pa.Table, regions: dict[int, int]) -> pa.Table:
    """The table with each row's `region_id`."""
    ids = pa.array(sorted(regions), pa.int32())
    position = pc.index_in(table["partnership_id"], value_set=ids)
    region = pa.array([regions[p] for p in ids.to_pylist()], pa.int32()).take(position)
    return table.append_column("region_id", region)


# --- Writing them --------------------------------------------------------------------


def replace(partnership_id: int, months: Iterable[date], new: pa.Table, old: pa.Table) -> None:
    """Rebuild every cube's rows for these months of one partnership.

    `new` is its incidents in them now and `old` those it held before (working tables);
    the region's cubes take the change."""
    listed = sorted(set(months))
    if not listed:
        return
    region_id = _regions([partnership_id])[partnership_id]
    chunks = [listed[start : start + CHUNK] for start in range(0, len(listed), CHUNK)]

    def where(part: list[date]) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(part))
        return (
            f"partnership_id = %s AND month IN ({marks})",
            [partnership_id, *(m.isoformat() for m in part)],
        )

    with connection.cursor() as cursor:
        for part in chunks:
            _clear(cursor, region_id, *where(part))
    for model, rows in cube_rows(new).items():
        bulk.insert(model._meta.db_table, rows)
    with connection.cursor() as cursor:
        for part in chunks:
            _add_to_region(cursor, region_id, *where(part), sign=1)
            # Cells the change emptied go, rather than stay at zero.
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"DELETE FROM {R} WHERE region_id = %s AND month IN ({marks}) AND incidents = 0",  # noqa: S608 - names are our own, values parameters
                [region_id, *(m.isoformat() for m in part)],
            )
    change = pairs.counts(new)
    for month, array in pairs.counts(old, sign=-1).items():
        change[month] = change.get(month, 0) + array
    pairs.add(region_id, change)
    _analyze()


def adjust_repeats(flipped: pa.Table) -> None:
    """Add each flipped incident's change to its cube cells' repeats, in place.

    `flipped` is a working table (`dims`) of incidents whose flag changed in months not
    being rebuilt, with `is_repeat` already their new flag."""
    if flipped.num_rows == 0:
        return
    delta = pc.if_else(flipped["is_repeat"], 1, -1).cast(pa.int32())
    table = flipped.append_column("delta", delta)
    table = table.append_column("delta_key", pc.multiply(delta, table["rkey"].cast(pa.int32())))
    table = _with_regions(table, _regions(set(table["partnership_id"].to_pylist())))
    with duck.use(t=table) as db:
        area = db.arrow(
            f"""SELECT partnership_id, month, {store.text_sql("strand", "strand")} AS strand,
                ward_id, partner_id, CAST(SUM(delta) AS BIGINT) AS repeats,
                CAST(SUM(delta_key) AS BIGINT) AS repeats_key
            FROM t GROUP BY partnership_id, month, strand, ward_id, partner_id""",  # noqa: S608 - names are our own, values parameters
        )
        db.register("area", area)
        month = db.arrow(
            """SELECT partnership_id, month, strand, partner_id,
                CAST(SUM(repeats) AS BIGINT) AS repeats,
                CAST(SUM(repeats_key) AS BIGINT) AS repeats_key FROM area GROUP BY ALL""",
        )
        partner = db.arrow(
            " UNION ALL ".join(
                f"""SELECT region_id, partnership_id, partner_id, month, {_STRAND} AS strand,
                    '{c}' AS characteristic, {store.text_sql(c, c)} AS value,
                    CAST(SUM(delta) AS BIGINT) AS repeats,
                    CAST(SUM(delta_key) AS BIGINT) AS repeats_key
                FROM t GROUP BY GROUPING SETS (
                    (region_id, partnership_id, partner_id, month, strand, {c}),
                    (region_id, partnership_id, partner_id, month, {c}))"""  # noqa: S608 - names are our own, values parameters
                for c in CHARACTERISTICS
            ),
        )
        db.register("partner", partner)
        victim = db.arrow(
            """SELECT partnership_id, month, strand, characteristic, value,
                CAST(SUM(repeats) AS BIGINT) AS repeats,
                CAST(SUM(repeats_key) AS BIGINT) AS repeats_key FROM partner
            GROUP BY partnership_id, month, strand, characteristic, value""",
        )
        region = db.arrow(
            """SELECT region_id, month, strand, characteristic, value,
                CAST(SUM(repeats) AS BIGINT) AS repeats,
                CAST(SUM(repeats_key) AS BIGINT) AS repeats_key FROM partner
            GROUP BY region_id, month, strand, characteristic, value""",
        )
    changes = [
        (AreaCube, area),
        (MonthCube, month),
        (VictimCube, victim),
        (PartnerVictimCube, partner.drop_columns(["region_id"])),
        (RegionVictimCube, region),
    ]
    for model, rows in changes:
        # A cell where one flag went on and another off can keep its count but not its key.
        rows = rows.filter(
            pc.or_(pc.not_equal(rows["repeats"], 0), pc.not_equal(rows["repeats_key"], 0))
        )
        first = "region_id" if model is RegionVictimCube else "partnership_id"
        cell = CELLS.get(model, ["strand", "characteristic", "value"])
        # In the order of the index each update seeks, so neighbours share its pages.
        order = _INDEX_ORDER.get(model, [first, "month", *cell])
        rows = rows.sort_by([(name, "ascending") for name in order])
        bulk.adjust(model._meta.db_table, [first, "month", *cell], rows)


# The leading columns of the index an update of each cube's cell finds it by.
_INDEX_ORDER = {
    VictimCube: ["partnership_id", "strand", "characteristic", "value", "month"],
    PartnerVictimCube: [
        "partnership_id",
        "strand",
        "characteristic",
        "value",
        "partner_id",
        "month",
    ],
    RegionVictimCube: ["region_id", "strand", "characteristic", "value", "month"],
}


def _analyze() -> None:
    """Fresh statistics for PostgreSQL's planner: after a large import, autovacuum may not
    have looked at the new cube rows yet. The cubes are small; this is quick."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (
            AreaCube,
            MonthCube,
            VictimCube,
            PartnerVictimCube,
            RegionVictimCube,
        ):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _clear(cursor, region_id: int, where: str, params: list) -> None:
    """Delete these months' cube rows; the region's cells lose their victim rows here
    and gain the new ones when they are written."""
    _add_to_region(cursor, region_id, where, params, sign=-1)
    for model in CELLS:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)  # noqa: S608 - names are our own, values parameters


_REGION_CELL = "region_id, strand, characteristic, value, month"
_MEASURE_COLUMNS = ", ".join(CUBE_COLUMNS)


def _add_to_region(cursor, region_id: int, where: str, params: list, *, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these victim cube rows from their region's cells."""
    totals = ", ".join(f"{sign} * {m}" for m in CUBE_COLUMNS)
    updates = ", ".join(f"{m} = {R}.{m} + excluded.{m}" for m in CUBE_COLUMNS)
    cursor.execute(
        f"""INSERT INTO {R} ({_REGION_CELL}, {_MEASURE_COLUMNS})
        SELECT %s, strand, characteristic, value, month, {totals} FROM {V} WHERE {where}
        ON CONFLICT ({_REGION_CELL}) DO UPDATE SET {updates}""",  # noqa: S608 - names are our own, values parameters
        [region_id, *params],
    )


def rebuild_regions() -> None:
    """Every region's victim cells from scratch, summed from the victim cube (to repair)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {R}")  # noqa: S608 - names are our own, values parameters
        cursor.execute(
            f"""INSERT INTO {R} ({_REGION_CELL}, {_MEASURE_COLUMNS})
            SELECT p.region_id, v.strand, v.characteristic, v.value, v.month,
                {", ".join(f"SUM(v.{m})" for m in CUBE_COLUMNS)}
            FROM {V} v JOIN {Partnership._meta.db_table} p ON p.id = v.partnership_id
            GROUP BY p.region_id, v.strand, v.characteristic, v.value, v.month"""  # noqa: S608 - names are our own, values parameters
        )


def rebuild_all() -> int:
    """Every repeat flag, cube and people index from the incidents held (after a bulk
    load, a partnership moved to another region, or to repair). Reads the whole store
    into memory. Returns how many repeat flags it found wrong and mended."""
    everything = store.load(store.partnerships_held())
    flags = repeats.flags(everything)
    wrong = pc.not_equal(flags, everything["is_repeat"])
    mended = pc.sum(wrong).as_py() or 0
    if mended:
        everything = everything.set_column(
            everything.schema.get_field_index("is_repeat"), "is_repeat", flags
        )
        changed = everything.filter(wrong).select(["partnership_id", "month"]).to_pylist()
        store.rewrite_dims(everything, {(r["partnership_id"], r["month"]) for r in changed})
    with connection.cursor() as cursor:
        for model in CELLS:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - names are our own, values parameters
    for model, rows in cube_rows(everything).items():
        bulk.insert(model._meta.db_table, rows)
    rebuild_regions()
    regions = _regions(store.partnerships_held())
    pairs.rebuild(everything, regions)
    PeopleIndex.objects.all().delete()
    for partnership_id in regions:
        mine = everything.filter(pc.equal(everything["partnership_id"], partnership_id))
        store.save_people(partnership_id, store.people_keys(mine))
    _analyze()
    return mended
