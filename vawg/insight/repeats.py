# SQL here is built from column names and constants only; values go as parameters.
"""The incident repeat victimisation rule, worked in DuckDB over Arrow columns.

An incident is a repeat when the same person (the same key version and digest, from
any partnership) has an earlier incident in the 365 days up to it. A person's
incidents on the same day are ordered by when they were stored (`stored`: the import,
then the row in its file). An incident with no identifier is never a repeat.
"""

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from vawg.insight import duck

WINDOW_DAYS = 365
# The rule, over rows with the `people` part's columns.
RULE = f"""person_digest <> '' AND COALESCE(LAG(occurred_on) OVER (
        PARTITION BY person_key_version, person_digest ORDER BY occurred_on, stored
    ) >= occurred_on - {WINDOW_DAYS}, FALSE)"""


def _people(table: pa.Table) -> pa.Table:
    names = ["occurred_on", "person_key_version", "person_digest", "stored", "is_repeat"]
    people = table.select(names)
    return people.append_column("position", pa.array(range(table.num_rows), pa.int64()))


def flags(table: pa.Table) -> pa.Array:
    """Each row's repeat flag, counting only the rows of `table` (a working table with the
    `people` part), in the table's order."""
    with duck.use(people=_people(table)) as db:
        result = db.arrow(f"SELECT {RULE} AS is_repeat FROM people ORDER BY position")  # noqa: S608 - names are our own, values parameters
    return result["is_repeat"].combine_chunks()


def flips(
    people: pa.Table, mine: pa.Table, others: pa.Table, *, first: date, last: date, since: date
) -> tuple[pa.Table, pa.Table]:
    """The repeat flags that change when `people` (rows of the people whose incidents come
    or go) have their incidents as in `mine` (one partnership's, new rows included) and
    `others` (other partnerships' from `first` to `last`, the `window` of their dates).

    Only incidents from `since` (the earliest of those dates) can flip, and each is decided
    within the window. Returns (mine's, others') changes: (position, flag) in each table."""
    with duck.use(
        people=people.select(["person_key_version", "person_digest"]),
        mine=_people(mine),
        theirs=_people(others),
    ) as db:
        chosen = """SELECT {side} AS side, position, occurred_on, person_key_version,
                person_digest, stored, is_repeat
            FROM {table} SEMI JOIN wanted USING (person_key_version, person_digest)
            WHERE occurred_on BETWEEN ? AND ?"""
        changes = db.arrow(
            f"""WITH wanted AS (
                SELECT DISTINCT person_key_version, person_digest FROM people
            ), candidates AS (
                {chosen.format(side=0, table="mine")}
                UNION ALL {chosen.format(side=1, table="theirs")}
            ), flagged AS (
                SELECT side, position, occurred_on, is_repeat, {RULE} AS flag FROM candidates
            )
            SELECT side, position, flag FROM flagged
            WHERE flag <> is_repeat AND occurred_on >= ? ORDER BY side, position""",  # noqa: S608 - names are our own, values parameters
            [first, last, first, last, since],
        )
    side = changes["side"]
    return (
        changes.filter(pc.equal(side, 0)).drop_columns(["side"]),
        changes.filter(pc.equal(side, 1)).drop_columns(["side"]),
    )


def window(days: list[date]) -> tuple[date, date]:
    """The dates whose incidents can decide a repeat flag that changes when incidents on
    these dates come or go: a year either side.

    An incident's flag depends only on the same person's incident just before it, so
    adding or removing one on day d can flip only the flags of incidents from d to a year
    after; and each of those is decided by incidents from a year before it."""
    return min(days) - timedelta(days=WINDOW_DAYS), max(days) + timedelta(days=WINDOW_DAYS)
