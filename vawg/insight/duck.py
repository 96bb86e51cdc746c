"""One DuckDB connection per thread, for counting and joining Arrow tables in memory.

Making a connection costs more than a small import's whole query, so each thread keeps
one; each use registers its tables by name and leaves nothing behind when it ends.
DuckDB holds nothing of its own here: every table comes from the main database.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa
from django.conf import settings

_local = threading.local()


def connect() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB bounded by INSIGHT_DUCKDB_THREADS and INSIGHT_DUCKDB_MEMORY:
    left alone it takes every core and most of the machine's memory, which the web
    processes beside a worker need too. Every connection in insight is made here."""
    db = duckdb.connect()
    db.execute(f"SET threads = {int(settings.INSIGHT_DUCKDB_THREADS)}")
    db.execute("SET memory_limit = ?", [str(settings.INSIGHT_DUCKDB_MEMORY)])
    return db


class Use:
    """The thread's connection for one piece of work, and what that work registered."""

    def __init__(self, db: duckdb.DuckDBPyConnection) -> None:
        self.db = db
        self.registered: list[str] = []
        self.made: list[str] = []

    def register(self, name: str, table: pa.Table) -> None:
        self.db.register(name, table)
        self.registered.append(name)

    def keep(self, name: str, sql: str) -> None:
        """A temporary table made from `sql`, for the rest of this use."""
        self.db.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        self.made.append(name)

    def arrow(self, sql: str, params: list | None = None) -> pa.Table:
        return self.db.sql(sql, params=params).to_arrow_table()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()


@contextmanager
def use(**tables: pa.Table) -> Iterator[Use]:
    """The thread's connection with these tables registered by name."""
    db = getattr(_local, "db", None)
    if db is None:
        db = _local.db = connect()
    work = Use(db)
    try:
        for name, table in tables.items():
            work.register(name, table)
        yield work
    finally:
        for name in work.registered:
            db.unregister(name)
        for name in work.made:
            db.execute(f"DROP TABLE IF EXISTS {name}")
