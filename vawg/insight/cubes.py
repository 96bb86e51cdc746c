# SQL here is built from model table and column names only; values go as parameters.
# ruff: noqa: S608
"""Keeping repeat flags and the pre-aggregated cubes in step with the incidents.

Called inside the import's transaction, so a failed import leaves the cubes as
they were. Both steps are plain SQL that runs the same on SQLite and
PostgreSQL: a window function for repeats, INSERT ... SELECT ... GROUP BY for
the cubes, touching only the partnership-months an import changed.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection

from vawg.insight.models import AreaCube, Incident, MonthCube, VictimCube
from vawg.insight.standard import VICTIM_CHARACTERISTICS

REPEAT_WINDOW_DAYS = 365
CHUNK = 500

I = Incident._meta.db_table  # noqa: E741


def person_key(digest: str) -> int | None:
    """Incident.person_key for a digest: its first 60 bits, as a number."""
    return int(digest[:15], 16) if digest else None


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
        # The people go in a temporary table: one query however many there are.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS insight_touched (person bigint PRIMARY KEY)"
            )
            cursor.execute("DELETE FROM insight_touched")
            keys = {person_key(d) for d in digests}
            cursor.executemany(
                "INSERT INTO insight_touched (person) VALUES (%s)", [(k,) for k in keys]
            )
        changed = _repeat_changes("AND person_key IN (SELECT person FROM insight_touched)")
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
        area, month, victim = Counter(), Counter(), Counter()
        for p, m, strand, ward, partner, *values, delta in cursor.fetchall():
            area[p, m, strand, ward, partner] += delta
            month[p, m, strand, partner] += delta
            for characteristic, value in zip(characteristics, values, strict=True):
                victim[p, m, strand, characteristic, value] += delta
                victim[p, m, "", characteristic, value] += delta
        for model, changes, keys in [
            (AreaCube, area, ["strand", "ward_id", "partner_id"]),
            (MonthCube, month, ["strand", "partner_id"]),
            (VictimCube, victim, ["strand", "characteristic", "value"]),
        ]:
            matches = " AND ".join(f"{k} = %s" for k in ["partnership_id", "month", *keys])
            cursor.executemany(
                f"UPDATE {model._meta.db_table} SET repeats = repeats + %s WHERE {matches}",
                [(delta, *key) for key, delta in changes.items() if delta],
            )


def _repeat_changes(where: str) -> list:
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
        cursor.execute(sql)
        return [(pk, bool(flag), p, m) for pk, flag, p, m in cursor.fetchall()]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_MEASURES = """COUNT(*),
    SUM(CASE WHEN is_repeat THEN 1 ELSE 0 END),
    SUM(CASE WHEN outcome <> 'pending' THEN 1 ELSE 0 END),
    SUM(CASE WHEN outcome = 'charged' THEN 1 ELSE 0 END)"""
_MEASURE_COLUMNS = "incidents, repeats, resolved, charged"


def rebuild(pairs: Iterable[tuple[int, date]]) -> None:
    """Rebuild every cube's rows for these (partnership id, month) pairs from the incidents."""
    months_by_partnership: dict[int, set[date]] = defaultdict(set)
    for partnership_id, month in pairs:
        months_by_partnership[partnership_id].add(month)
    with connection.cursor() as cursor:
        for partnership_id, months in months_by_partnership.items():
            listed = sorted(months)
            for start in range(0, len(listed), CHUNK):
                _rebuild_months(cursor, partnership_id, listed[start : start + CHUNK])
        if connection.vendor == "postgresql" and months_by_partnership:
            # Fresh statistics for the planner: after a large import, autovacuum may not
            # have looked at the new cube rows yet. The cubes are small; this is quick.
            for model in (AreaCube, MonthCube, VictimCube):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _rebuild_months(cursor, partnership_id: int, months: list[date]) -> None:
    marks = ", ".join(["%s"] * len(months))
    where = f"partnership_id = %s AND month IN ({marks})"
    params = [partnership_id, *(m.isoformat() for m in months)]
    for model in (AreaCube, MonthCube, VictimCube):
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
    cursor.execute(
        f"""INSERT INTO {AreaCube._meta.db_table}
            (partnership_id, month, strand, ward_id, partner_id, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, strand, ward_id, partner_id, {_MEASURES}
        FROM {I} WHERE {where}
        GROUP BY partnership_id, month, strand, ward_id, partner_id""",
        params,
    )
    # The month cube is rolled up from the area cube just written: far fewer rows to read.
    cursor.execute(
        f"""INSERT INTO {MonthCube._meta.db_table}
            (partnership_id, month, strand, partner_id, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, strand, partner_id,
            SUM(incidents), SUM(repeats), SUM(resolved), SUM(charged)
        FROM {AreaCube._meta.db_table} WHERE {where}
        GROUP BY partnership_id, month, strand, partner_id""",
        params,
    )
    victim_table = VictimCube._meta.db_table
    for vocabulary in VICTIM_CHARACTERISTICS:
        column = vocabulary.name
        cursor.execute(
            f"""INSERT INTO {VictimCube._meta.db_table}
                (partnership_id, month, strand, characteristic, value, {_MEASURE_COLUMNS})
            SELECT partnership_id, month, strand, %s, {column}, {_MEASURES}
            FROM {I} WHERE {where}
            GROUP BY partnership_id, month, strand, {column}""",
            [column, *params],
        )
    # All strands together, rolled up from the rows just written.
    cursor.execute(
        f"""INSERT INTO {victim_table}
            (partnership_id, month, strand, characteristic, value, {_MEASURE_COLUMNS})
        SELECT partnership_id, month, '', characteristic, value,
            SUM(incidents), SUM(repeats), SUM(resolved), SUM(charged)
        FROM {victim_table} WHERE {where} AND strand <> ''
        GROUP BY partnership_id, month, characteristic, value""",
        params,
    )


def rebuild_all() -> None:
    """Every cube from scratch (after a bulk load, or to repair)."""
    pairs = Incident.objects.values_list("partnership_id", "month").distinct()
    rebuild(list(pairs))
