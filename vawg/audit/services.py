"""Writing to the audit trail. Every write, export and restricted read calls record().

record() is the one writer: it chains each event to the one before (models.chain_hash)
while holding the chain lock, so that two writers never chain to the same row.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.models import GENESIS, RETENTION_MINIMUM_MONTHS, AuditEvent
from vawg.core import disclosure
from vawg.core.client import client_ip
from vawg.core.periods import add_months

Action = AuditEvent.Action

# The key of the chain lock (PostgreSQL advisory locks are numbers; the import
# lock in vawg.insight is 0x56415747, "VAWG").
CHAIN_LOCK = 0x56415741  # "VAWA"


def record(
    *,
    action: str,
    actor=None,
    partnership=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `summary` and `detail` must never hold personal data."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor_id is None and request is not None and request.user.is_authenticated:
        actor_id = request.user.pk
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        partnership_id=getattr(partnership, "pk", partnership),
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        ip_address=client_ip(request),
        detail=detail or {},
    )
    # No savepoint: the same queries as before inside a caller's transaction, and an
    # insert that fails spoils the caller's transaction just as it always did.
    with transaction.atomic(savepoint=False):
        _chain_lock()
        return _append(event)


def _chain_lock() -> None:
    """Wait until no other transaction is writing to the trail, then hold that until commit.

    The new row chains to the last committed one, so the lock must last until this
    transaction commits: released sooner, the next writer would not yet see this row
    and would chain to the same one. PostgreSQL takes a transaction-scoped advisory
    lock (READ COMMITTED, Django's default, then reads the head after the wait).
    SQLite needs nothing more: the project's IMMEDIATE transactions (config/settings.py)
    already let one writer in at a time, from the transaction's first statement.

    A transaction that records early and then works for long holds up every other
    writer of the trail until it commits: record at the end of long work.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _append(event: AuditEvent, *, empty_head: str = GENESIS) -> AuditEvent:
    """Chain `event` to the head and insert it. The caller holds the chain lock.

    `empty_head` is the previous hash when the table is empty: GENESIS, or for a
    retention event that deleted every row, the hash of the last one deleted.
    """
    head = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    # Stamped under the lock, so that times rise with the chain on any one server.
    event.at = timezone.now()
    event.previous_hash = head or empty_head
    event.hash = event.computed_hash()
    event.save(force_insert=True)
    return event


def _plain(value: Any) -> Any:
    """A filter's value as the trail can hold it: ids for objects, ISO text for dates."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def figures_viewed(
    request: HttpRequest,
    *,
    subject: str,
    filters: dict[str, Any] | None = None,
    exact_permissions: tuple[str, ...] = (disclosure.ANALYST,),
) -> disclosure.Audience:
    """The audience a signed-in person's figures are shown for, with the view recorded.

    Exact figures (a permission in core.permissions) are a restricted read; controlled
    ones are recorded too (who, which filters, when), so that a run of views differencing
    one figure against another can be seen in the trail. Filters hold codes and ids only.
    """
    # The access check puts the roles, partnership and region on the request.
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    region = getattr(request, "region", None)
    audience = disclosure.audience_for(roles, *exact_permissions)
    record(
        action=Action.READ_RESTRICTED if audience.exact else Action.FIGURES,
        actor=request.user,
        partnership=getattr(request, "partnership", None),
        object_type=subject,
        summary=("Viewed unsuppressed figures" if audience.exact else "Viewed figures")
        + f" ({subject})",
        detail={
            "level": audience.level.value,
            "filters": {k: _plain(v) for k, v in (filters or {}).items()},
            **({"region": region.pk} if region else {}),
        },
        request=request,
    )
    return audience


@dataclass(frozen=True)
class RetentionResult:
    before: date
    deleted: int
    anchor: AuditEvent | None


@transaction.atomic
def retention_purge(*, before: date) -> RetentionResult:
    """Delete the audit events recorded before `before`, and re-anchor the chain.

    Deletes the oldest rows in id order up to the first one recorded on or after
    `before`, so the chain that remains is whole from its first row on; one
    retention event, chained as any other, names the last row deleted and its hash,
    which is what the first remaining row follows. audit_verify accepts a chain that
    starts there, and no other start but the genesis. Nothing to delete, nothing
    recorded: a second run the same day does nothing.

    Needs the table's owner (the migration role on PostgreSQL): the application's
    own role may neither delete from the trail nor lift its triggers.
    """
    _chain_lock()
    now = timezone.now()
    latest = add_months(timezone.localdate(now), -RETENTION_MINIMUM_MONTHS)
    if before > latest:
        raise ValueError(
            f"Audit events are kept at least {RETENTION_MINIMUM_MONTHS} months: "
            f"cannot delete those recorded on or after {latest.isoformat()}."
        )
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())
    first_kept = (
        AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
    ).first()
    doomed = AuditEvent.objects.all()
    if first_kept is not None:
        doomed = doomed.filter(id__lt=first_kept)
    last = doomed.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return RetentionResult(before=before, deleted=0, anchor=None)
    last_id, last_hash = last
    with _append_only_lifted() as cursor:
        # One statement, whatever the number of rows; no model is loaded.
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id <= %s", [last_id])  # noqa: S608 - the table name is the model's own; the id a parameter
        deleted = cursor.rowcount
    anchor = AuditEvent(
        action=Action.RETENTION,
        object_type=AuditEvent._meta.label,
        object_id=str(last_id),
        summary=f"Retention: deleted {deleted} audit events recorded before {before.isoformat()}",
        detail={
            "before": before.isoformat(),
            "deleted": deleted,
            "last_deleted_id": last_id,
            "last_deleted_hash": last_hash,
        },
    )
    return RetentionResult(
        before=before, deleted=deleted, anchor=_append(anchor, empty_head=last_hash)
    )


@contextmanager
def _append_only_lifted() -> Iterator[CursorWrapper]:
    """Lift the append-only triggers for this transaction's own DELETE, and restore them.

    Both databases change triggers inside the transaction: if anything fails, the
    rollback puts them back. PostgreSQL's ALTER TABLE also locks the table until
    commit, so nothing else reaches it while they are off. SQLite cannot disable a
    trigger, so each is dropped and made again from its own stored definition.
    """
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield cursor
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield cursor
        for _, sql in triggers:
            cursor.execute(sql)
