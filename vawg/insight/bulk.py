# SQL here is built from model table and column names only; values go as parameters.
"""Writing many rows from an Arrow table to the main database, on SQLite and PostgreSQL.

The cube rows an import writes are computed in DuckDB; these put them in the main
database with no Python object made per row but the parameter tuple: one prepared
`executemany` on SQLite, and `COPY` of CSV that Arrow writes in C++ on PostgreSQL
(into a temporary table first where rows are added to existing ones).
"""

import itertools

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection

_temporary = itertools.count()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _columns(rows: pa.Table) -> list:
    """Each column as Python values, dates as ISO text (as SQLite holds them)."""
    values = []
    for column in rows.columns:
        if pa.types.is_date(column.type):
            column = column.cast(pa.string())
        values.append(column.to_pylist())
    return values


def _copy(table: str, rows: pa.Table) -> None:
    """COPY the rows into `table` (PostgreSQL). Arrow quotes every text value, so an empty
    one arrives as empty text while a missing value is left bare, which COPY reads as NULL."""
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(rows, buffer, write_options=pacsv.WriteOptions(include_header=False))
    names = ", ".join(rows.column_names)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(buffer.getvalue().to_pybytes())


def insert(table: str, rows: pa.Table) -> None:
    """Insert the rows; their column names are the table's."""
    if rows.num_rows == 0:
        return
    if _postgres():
        _copy(table, rows)
        return
    names = rows.column_names
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608 - names are our own, values parameters
            zip(*_columns(rows), strict=True),
        )


def _staged(table: str, rows: pa.Table) -> str:
    """The rows COPYed into a temporary table shaped like `table`'s columns (PostgreSQL)."""
    name = f"insight_staged_{next(_temporary)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "  # noqa: S608 - names are our own, values parameters
            f"SELECT {', '.join(rows.column_names)} FROM {table} WITH NO DATA"
        )
    _copy(name, rows)
    return name


def add(table: str, keys: list[str], rows: pa.Table) -> None:
    """Add the rows' other columns to the rows with the same keys, inserting those not
    there yet (the keys are a unique constraint of the table)."""
    if rows.num_rows == 0:
        return
    names = rows.column_names
    values = [n for n in names if n not in keys]
    updates = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    upsert = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if _postgres():
            staged = _staged(table, rows)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} "  # noqa: S608 - names are our own, values parameters
                f"FROM {staged} {upsert}"
            )
            cursor.execute(f"DROP TABLE {staged}")
            return
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - names are our own, values parameters
            f"VALUES ({', '.join(['%s'] * len(names))}) {upsert}",
            zip(*_columns(rows), strict=True),
        )


def adjust(table: str, keys: list[str], rows: pa.Table) -> None:
    """Add the rows' other columns to the existing rows with the same keys (an UPDATE:
    rows with no match change nothing)."""
    if rows.num_rows == 0:
        return
    values = [n for n in rows.column_names if n not in keys]
    with connection.cursor() as cursor:
        if _postgres():
            staged = _staged(table, rows)
            sets = ", ".join(f"{v} = {table}.{v} + s.{v}" for v in values)
            matches = " AND ".join(f"{table}.{k} = s.{k}" for k in keys)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {staged} s WHERE {matches}")  # noqa: S608 - names are our own, values parameters
            cursor.execute(f"DROP TABLE {staged}")
            return
        sets = ", ".join(f"{v} = {v} + %s" for v in values)
        matches = " AND ".join(f"{k} = %s" for k in keys)
        ordered = rows.select([*values, *keys])
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {matches}",  # noqa: S608 - names are our own, values parameters
            zip(*_columns(ordered), strict=True),
        )
