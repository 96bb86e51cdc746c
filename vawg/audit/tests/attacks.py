"""What someone with the database's owner role can do to the audit trail behind the app.

Each is written as an attacker would write it, in SQL, on the database at hand.
"""

from django.db import connection
from django.utils import timezone

from vawg.audit.models import AuditEvent

TABLE = "audit_auditevent"
COLUMNS = (
    "id, at, actor_id, partnership_id, action, object_type, object_id, summary, "
    "ip_address, detail, previous_hash, hash"
)


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def drop_triggers() -> None:
    """The owner may drop the append-only triggers (each database has its own)."""
    with connection.cursor() as cursor:
        if postgresql():
            cursor.execute(f"DROP TRIGGER audit_event_no_change ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


def sql(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def replace_summary(row_id: int, summary: str) -> None:
    """SQLite's INSERT OR REPLACE: deletes and re-inserts the row, past both triggers."""
    sql(
        f"INSERT OR REPLACE INTO {TABLE} ({COLUMNS}) "  # noqa: S608 - the attack under test; the table name is a constant
        f"SELECT id, at, actor_id, partnership_id, action, object_type, object_id, %s, "
        f"ip_address, detail, previous_hash, hash FROM {TABLE} WHERE id = %s",
        [summary, row_id],
    )


def swap(first_id: int, second_id: int) -> None:
    """Swap two rows' places in id order (triggers dropped)."""
    sql(f"UPDATE {TABLE} SET id = -1 WHERE id = %s", [first_id])  # noqa: S608 - the attack under test; the table name is a constant
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [first_id, second_id])  # noqa: S608 - the attack under test; the table name is a constant
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = -1", [second_id])  # noqa: S608 - the attack under test; the table name is a constant


def empty_table() -> None:
    """PostgreSQL's TRUNCATE (the row triggers never fire); on SQLite, triggers dropped first."""
    if postgresql():
        sql(f"TRUNCATE {TABLE}")
    else:
        drop_triggers()
        sql(f"DELETE FROM {TABLE}")  # noqa: S608 - the attack under test; the table name is a constant


def insert(row_id: int, *, previous_hash: str, **fields) -> AuditEvent:
    """A row written straight into the table, with a well-formed hash of its own."""
    event = AuditEvent(id=row_id, at=timezone.now(), previous_hash=previous_hash, **fields)
    event.hash = event.computed_hash()
    AuditEvent.objects.bulk_create([event])
    return event
