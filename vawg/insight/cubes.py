# SQL here is built from model table and column names only; values go as parameters.
# ruff: noqa: S608
"""Keeping repeat flags and the pre-aggregated cubes in step with the incidents.

Called inside the import's transaction, so a failed import leaves the cubes as
they were. Both steps are plain SQL that runs the same on SQLite and
PostgreSQL: a window function for repeats, INSERT ... SELECT ... GROUP BY for
the cubes, touching only the partnership-months an import changed.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from vawg.core.models import Partnership, Ward
from vawg.insight.models import (
    CUBE_MEASURES,
    AreaCube,
    Incident,
    MonthCube,
    PartnerVictimCube,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.standard import STRAND, VICTIM_CHARACTERISTICS

REPEAT_WINDOW_DAYS = 365
CHUNK = 500

I = Incident._meta.db_table  # noqa: E741
V = VictimCube._meta.db_table
P = PartnerVictimCube._meta.db_table
R = RegionVictimCube._meta.db_table


def person_key(digest: str) -> int | None:
    """Incident.person_key for a digest: its first 60 bits, as a number."""
    return int(digest[:15], 16) if digest else None


def people_with_history(digests: set[str]) -> set[str]:
    """Those of these people who may have an incident already stored, from any partnership:
    every one whose 60-bit key is stored (read from the index alone; a key two people share
    only adds a person whose flags are recomputed and found unchanged)."""
    if not digests:
        return set()
    by_key: dict[int, list[str]] = defaultdict(list)
    for digest in digests:
        by_key[person_key(digest)].append(digest)
    where, params = _people(set(by_key))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT person_key FROM {I} WHERE {where}", params)
        return {digest for (key,) in cursor.fetchall() for digest in by_key[key]}


def _people(keys: set[int]) -> tuple[str, list]:
    """A condition on person_key for these people: one parameter however many there are
    (an array on PostgreSQL, a JSON list on SQLite), so no temporary table to fill."""
    if connection.vendor == "postgresql":
        return "person_key = ANY(%s)", [sorted(keys)]
    return "person_key IN (SELECT value FROM json_each(%s))", [json.dumps(sorted(keys))]


def refresh_repeats(digests: set[str] | None, *, rebuilding: set[tuple[int, date]]) -> None:
    """Recompute `is_repeat` for the incidents of these people (None: everyone).

    An incident is a repeat when the same person (same key version and digest,
    from any partnership) has an earlier incident in the 365 days up to it;
    incidents on the same day are ordered by when they were stored. The cube rows
    of (partnership, month) pairs in `rebuilding` are left to `rebuild`; in every
    other month only flags changed, so its cube rows' repeats are adjusted in place
    (cheaper than rebuilding another partnership's whole history).
    """
    if digests is not None and not digests:
        return
    if digests is None:
        changed = _repeat_changes("")
    else:
        where, params = _people({person_key(d) for d in digests})
        changed = _repeat_changes(f"AND {where}", params)
    with connection.cursor() as cursor:
        for flag in (True, False):
            ids = [pk for pk, new, _, _ in changed if new == flag]
            for start in range(0, len(ids), CHUNK):
                part = ids[start : start + CHUNK]
                cursor.execute(
                    f"UPDATE {I} SET is_repeat = %s WHERE id IN ({', '.join(['%s'] * len(part))})",
                    [flag, *part],
                )
    flips = [
        (pk, 1 if new else -1) for pk, new, p, m in changed if (p, _as_date(m)) not in rebuilding
    ]
    if flips:
        _adjust_repeats(flips)


def _adjust_repeats(flips: list[tuple[int, int]]) -> None:
    """Add each flipped incident's change (+1 or -1) to the repeats of its cube rows.

    The flipped incidents are read once and their changes summed per cube row here;
    each cube row is then updated through its index.
    """
    characteristics = [v.name for v in VICTIM_CHARACTERISTICS]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS insight_flipped (id bigint PRIMARY KEY, delta integer)"
        )
        cursor.execute("DELETE FROM insight_flipped")
        cursor.executemany("INSERT INTO insight_flipped (id, delta) VALUES (%s, %s)", flips)
        cursor.execute(
            f"""SELECT i.partnership_id, i.month, i.strand, i.ward_id, i.partner_id,
                {", ".join(f"i.{c}" for c in characteristics)}, f.delta
            FROM insight_flipped f JOIN {I} i ON i.id = f.id"""
        )
        flipped = cursor.fetchall()
        regions = _regions({row[0] for row in flipped})
        area, month, victim, region = Counter(), Counter(), Counter(), Counter()
        by_partner = Counter()
        for p, m, strand, ward, partner, *values, delta in flipped:
            area[p, m, strand, ward, partner] += delta
            month[p, m, strand, partner] += delta
            for characteristic, value in zip(characteristics, values, strict=True):
                for s in (strand, VictimCube.ALL_STRANDS):
                    victim[p, m, s, characteristic, value] += delta
                    by_partner[p, m, partner, s, characteristic, value] += delta
                    region[regions[p], m, s, characteristic, value] += delta
        for model, changes, keys in [
            (AreaCube, area, ["partnership_id", "strand", "ward_id", "partner_id"]),
            (MonthCube, month, ["partnership_id", "strand", "partner_id"]),
            (VictimCube, victim, ["partnership_id", "strand", "characteristic", "value"]),
            (
                PartnerVictimCube,
                by_partner,
                ["partnership_id", "partner_id", "strand", "characteristic", "value"],
            ),
            (RegionVictimCube, region, ["region_id", "strand", "characteristic", "value"]),
        ]:
            first, *rest = keys
            matches = " AND ".join(f"{k} = %s" for k in [first, "month", *rest])
            cursor.executemany(
                f"UPDATE {model._meta.db_table} SET repeats = repeats + %s WHERE {matches}",
                [(delta, *key) for key, delta in changes.items() if delta],
            )


def _regions(partnership_ids) -> dict[int, int]:
    """The region of each partnership."""
    return dict(Partnership.objects.filter(pk__in=partnership_ids).values_list("pk", "region_id"))


def _repeat_changes(where: str, params: list | None = None) -> list:
    sql = f"""
        SELECT id, flag, partnership_id, month FROM (
            SELECT id, is_repeat, partnership_id, month,
                CASE WHEN LAG(day) OVER (
                    PARTITION BY person_key_version, person_digest ORDER BY day, id
                ) >= day - {REPEAT_WINDOW_DAYS} THEN TRUE ELSE FALSE END AS flag
            FROM {I}
            WHERE person_digest <> '' {where}
        ) t WHERE flag <> is_repeat
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, bool(flag), p, m) for pk, flag, p, m in cursor.fetchall()]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_MEASURES = """COUNT(*),
    SUM(CASE WHEN is_repeat THEN 1 ELSE 0 END),
    SUM(CASE WHEN outcome <> 'pending' THEN 1 ELSE 0 END),
    SUM(CASE WHEN outcome = 'charged' THEN 1 ELSE 0 END)"""
_MEASURE_COLUMNS = ", ".join(CUBE_MEASURES)
_SUMS = ", ".join(f"SUM({m})" for m in CUBE_MEASURES)


def rebuild(pairs: Iterable[tuple[int, date]]) -> None:
    """Rebuild every cube's rows for these (partnership id, month) pairs from the incidents."""
    months_by_partnership: dict[int, set[date]] = defaultdict(set)
    for partnership_id, month in pairs:
        months_by_partnership[partnership_id].add(month)
    regions = _regions(months_by_partnership)
    with connection.cursor() as cursor:
        for partnership_id, months in months_by_partnership.items():
            listed = sorted(months)
            for start in range(0, len(listed), CHUNK):
                part = listed[start : start + CHUNK]
                _rebuild_months(cursor, partnership_id, regions[partnership_id], part)
    if months_by_partnership:
        _analyze()


def _analyze() -> None:
    """Fresh statistics for PostgreSQL's planner: after a large import, autovacuum may not
    have looked at the new cube rows yet. The cubes are small; this is quick."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (AreaCube, MonthCube, VictimCube, PartnerVictimCube, RegionVictimCube):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def months_without_incidents(partnership_id: int, months: set[date]) -> set[date]:
    """Those of these months in which the partnership holds no incident yet."""
    if not months:
        return set()
    where, params = _incidents_in(partnership_id, [m.isoformat() for m in months])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT month FROM {I} WHERE {where}", params)
        held = {_as_date(m) for (m,) in cursor.fetchall()}
    return set(months) - held


def build_from_rows(partnership_id: int, partner_id: int, rows: pa.Table, months: set[date]):
    """The cube rows of months that held no incident before, summed from the import's
    own rows (columns.py) as `rebuild` would sum them from the store, without reading
    the rows back. Same measures, same cells; a test compares the two."""
    if not months:
        return
    wanted = pa.array(sorted(months), pa.date32())
    incidents = rows.filter(pc.is_in(rows["month"], value_set=wanted))
    with duckdb.connect() as db:
        db.register("incidents", incidents)

        def grouped(cell: str) -> list[tuple]:
            # The month as text, as each database's own rebuild writes it.
            return db.sql(
                f"SELECT CAST(month AS VARCHAR), {cell}, {_MEASURES} FROM incidents "
                f"GROUP BY month, {cell}"
            ).fetchall()

        area = grouped("strand, ward_id")
        month = grouped("strand")
        victim = []
        for vocabulary in VICTIM_CHARACTERISTICS:
            c = vocabulary.name
            victim += [(m, s, c, *rest) for m, s, *rest in grouped(f"strand, {c}")]
            victim += [(m, "", c, *rest) for m, *rest in grouped(c)]
    measures = ", ".join(["%s"] * len(CUBE_MEASURES))
    region_id = _regions([partnership_id])[partnership_id]
    listed = [m.isoformat() for m in sorted(months)]
    chunks = [listed[start : start + CHUNK] for start in range(0, len(listed), CHUNK)]
    with connection.cursor() as cursor:
        for part in chunks:  # none, unless cube rows outlived their incidents
            where = f"partnership_id = %s AND month IN ({', '.join(['%s'] * len(part))})"
            _clear(cursor, region_id, where, [partnership_id, *part])
        cursor.executemany(
            f"""INSERT INTO {AreaCube._meta.db_table}
            (partnership_id, partner_id, month, strand, ward_id, {_MEASURE_COLUMNS})
            VALUES (%s, %s, %s, %s, %s, {measures})""",
            [(partnership_id, partner_id, *row) for row in area],
        )
        cursor.executemany(
            f"""INSERT INTO {MonthCube._meta.db_table}
            (partnership_id, partner_id, month, strand, {_MEASURE_COLUMNS})
            VALUES (%s, %s, %s, %s, {measures})""",
            [(partnership_id, partner_id, *row) for row in month],
        )
        cursor.executemany(
            f"""INSERT INTO {V}
            (partnership_id, month, strand, characteristic, value, {_MEASURE_COLUMNS})
            VALUES (%s, %s, %s, %s, %s, {measures})""",
            [(partnership_id, *row) for row in victim],
        )
        # One partner's file: its partner rows are the victim rows.
        cursor.executemany(
            f"""INSERT INTO {P} (partnership_id, partner_id, month, strand, characteristic,
            value, {_MEASURE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, {measures})""",
            [(partnership_id, partner_id, *row) for row in victim],
        )
        for part in chunks:
            where = f"partnership_id = %s AND month IN ({', '.join(['%s'] * len(part))})"
            _add_to_region(cursor, region_id, where, [partnership_id, *part], sign=1)
    _analyze()


def _rebuild_months(cursor, partnership_id: int, region_id: int, months: list[date]) -> None:
    marks = ", ".join(["%s"] * len(months))
    where = f"partnership_id = %s AND month IN ({marks})"
    params = [partnership_id, *(m.isoformat() for m in months)]
    incidents, incident_params = _incidents_in(partnership_id, params[1:])
    _clear(cursor, region_id, where, params)
    cursor.execute(
        f"""INSERT INTO {AreaCube._meta.db_table}
            (partnership_id, month, strand, ward_id, partner_id, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, strand, ward_id, partner_id, {_MEASURES}
        FROM {I} WHERE {incidents}
        GROUP BY partnership_id, month, strand, ward_id, partner_id""",
        incident_params,
    )
    # The month cube is rolled up from the area cube just written: far fewer rows to read.
    cursor.execute(
        f"""INSERT INTO {MonthCube._meta.db_table}
            (partnership_id, month, strand, partner_id, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, strand, partner_id, {_SUMS}
        FROM {AreaCube._meta.db_table} WHERE {where}
        GROUP BY partnership_id, month, strand, partner_id""",
        params,
    )
    for vocabulary in VICTIM_CHARACTERISTICS:
        column = vocabulary.name
        cursor.execute(
            f"""INSERT INTO {P} (partnership_id, partner_id, month, strand, characteristic,
                value, {_MEASURE_COLUMNS})
            SELECT partnership_id, partner_id, month, strand, %s, {column}, {_MEASURES}
            FROM {I} WHERE {incidents}
            GROUP BY partnership_id, partner_id, month, strand, {column}""",
            [column, *incident_params],
        )
    # All strands together, rolled up from the rows just written.
    cursor.execute(
        f"""INSERT INTO {P}
            (partnership_id, partner_id, month, strand, characteristic, value, {_MEASURE_COLUMNS})
        SELECT partnership_id, partner_id, month, '', characteristic, value, {_SUMS}
        FROM {P} WHERE {where} AND strand <> ''
        GROUP BY partnership_id, partner_id, month, characteristic, value""",
        params,
    )
    # The victim cube is the partner cube summed over partners: no second read of the rows.
    cursor.execute(
        f"""INSERT INTO {V}
            (partnership_id, month, strand, characteristic, value, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, strand, characteristic, value, {_SUMS}
        FROM {P} WHERE {where}
        GROUP BY partnership_id, month, strand, characteristic, value""",
        params,
    )
    _add_to_region(cursor, region_id, where, params, sign=1)
    cursor.execute(
        f"DELETE FROM {R} WHERE region_id = %s AND month IN ({marks}) AND incidents = 0",
        [region_id, *params[1:]],
    )


def _incidents_in(partnership_id: int, months: list[str]) -> tuple[str, list]:
    """A condition for a partnership's incidents in these months (ISO dates), read through
    the covering index (partnership, ward, strand, month, ...): naming every ward and strand
    makes it a seek for each of the months, not a read of the partnership's whole history."""
    strands = ", ".join(["%s"] * len(STRAND.values))
    marks = ", ".join(["%s"] * len(months))
    where = (
        f"partnership_id = %s AND ward_id IN (SELECT id FROM {Ward._meta.db_table} "
        f"WHERE partnership_id = %s) AND strand IN ({strands}) AND month IN ({marks})"
    )
    return where, [partnership_id, partnership_id, *STRAND.values, *months]


def _clear(cursor, region_id: int, where: str, params: list) -> None:
    """Delete these months' cube rows; the region's cells lose their victim rows here
    and gain the new ones when they are written."""
    _add_to_region(cursor, region_id, where, params, sign=-1)
    for model in (AreaCube, MonthCube, VictimCube, PartnerVictimCube):
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)


_REGION_CELL = "region_id, strand, characteristic, value, month"


def _add_to_region(cursor, region_id: int, where: str, params: list, *, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these victim cube rows from their region's cells."""
    totals = ", ".join(f"{sign} * {m}" for m in CUBE_MEASURES)
    updates = ", ".join(f"{m} = {R}.{m} + excluded.{m}" for m in CUBE_MEASURES)
    cursor.execute(
        f"""INSERT INTO {R} ({_REGION_CELL}, {_MEASURE_COLUMNS})
        SELECT %s, strand, characteristic, value, month, {totals} FROM {V} WHERE {where}
        ON CONFLICT ({_REGION_CELL}) DO UPDATE SET {updates}""",
        [region_id, *params],
    )


def rebuild_regions() -> None:
    """Every region's cells from scratch, summed from the victim cube (to repair)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {R}")
        cursor.execute(
            f"""INSERT INTO {R} ({_REGION_CELL}, {_MEASURE_COLUMNS})
            SELECT p.region_id, v.strand, v.characteristic, v.value, v.month,
                SUM(v.incidents), SUM(v.repeats), SUM(v.resolved), SUM(v.charged)
            FROM {V} v JOIN {Partnership._meta.db_table} p ON p.id = v.partnership_id
            GROUP BY p.region_id, v.strand, v.characteristic, v.value, v.month"""
        )


def rebuild_all() -> None:
    """Every cube from scratch (after a bulk load, or to repair)."""
    pairs = Incident.objects.values_list("partnership_id", "month").distinct()
    rebuild(list(pairs))
    rebuild_regions()
