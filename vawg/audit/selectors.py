"""Reads of the audit trail: for one partnership, and whether the whole chain holds."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from vawg.audit.models import (
    GENESIS,
    HASHED_FIELDS,
    RETENTION_MINIMUM_MONTHS,
    AuditEvent,
    chain_hash,
)
from vawg.core.models import Partnership
from vawg.core.periods import add_months

Action = AuditEvent.Action

# Events about a person's own account carry no partnership: a partnership's
# admin sees them for the people who are (or were) its members.
ACCOUNT_ACTIONS = [Action.SIGN_IN, Action.SIGN_OUT, Action.TWO_FACTOR]
ACCOUNT_OBJECT_TYPES = ["accounts.User", "otp_totp.TOTPDevice"]

# Memberships belong to accounts, which sits above audit (accounts records its events
# here): the reads below take the members' user ids from their caller rather than
# importing accounts. `member_ids` is an iterable or a subquery of user ids.


def members_for_filter(*, member_ids: Iterable[int] | QuerySet) -> list[tuple[int, str]]:
    """(user id, name) of everyone who is or was a member, for the "who" filter."""
    users = (
        get_user_model()
        .objects.filter(pk__in=member_ids)
        .order_by("first_name", "last_name", "username")
    )
    return [(user.pk, user.get_full_name() or user.username) for user in users]


def events_for_partnership(
    *,
    partnership: Partnership,
    member_ids: Iterable[int] | QuerySet,
    action: str = "",
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    object_type: str = "",
) -> QuerySet[AuditEvent]:
    """The partnership's events, newest first, with its members' sign-ins."""
    own_accounts = Q(partnership_id__isnull=True, actor_id__in=member_ids) & (
        Q(action__in=ACCOUNT_ACTIONS) | Q(object_type__in=ACCOUNT_OBJECT_TYPES)
    )
    events = AuditEvent.objects.filter(Q(partnership_id=partnership.pk) | own_accounts)
    if action:
        events = events.filter(action=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if object_type:
        events = events.filter(object_type=object_type)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        next_day = date_to + timedelta(days=1)
        events = events.filter(at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return events.order_by("-at", "-id")


def object_types_for(*, partnership: Partnership) -> list[str]:
    recorded = (
        AuditEvent.objects.filter(partnership_id=partnership.pk)
        .exclude(object_type="")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return sorted(set(recorded) | set(ACCOUNT_OBJECT_TYPES))


# Rows read at a time when the chain is walked: memory stays flat at any size.
CHAIN_CHUNK = 2000


@dataclass(frozen=True)
class WrittenHead:
    """A head of the chain written outside the database: one line of the heads file."""

    on: date
    rows: int
    id: int
    hash: str

    def line(self) -> str:
        return f"{self.on.isoformat()} {self.rows} {self.id} {self.hash}\n"


@dataclass
class ChainReport:
    rows: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    bad_id: int | None = None
    problem: str = ""
    heads_checked: int = 0

    @property
    def holds(self) -> bool:
        return not self.problem

    def head(self, on: date) -> WrittenHead | None:
        if self.head_id is None:
            return None
        return WrittenHead(on=on, rows=self.rows, id=self.head_id, hash=self.head_hash)


@dataclass(frozen=True)
class _Anchor:
    """A retention event: it vouches for the rows before the chain's first having been
    deleted by retention, and for nothing recorded on or after `before`."""

    id: int
    before: date
    last_deleted_id: int
    last_deleted_hash: str

    def retires(self, head: WrittenHead) -> bool:
        if head.id == self.last_deleted_id:
            return head.hash == self.last_deleted_hash
        return head.id < self.last_deleted_id and head.on < self.before


class _Broken(Exception):
    def __init__(self, row_id: int, problem: str):
        self.row_id, self.problem = row_id, problem


@dataclass
class _Walk:
    heads: dict[int, list[WrittenHead]]
    report: ChainReport = field(default_factory=ChainReport)
    anchors: list[_Anchor] = field(default_factory=list)
    first: tuple[int, str] | None = None  # the first row, when it does not start at GENESIS
    before_last: tuple[int, str] | None = None

    def step(self, row_id: int, previous_hash: str, row_hash: str, values: tuple) -> None:
        fields = dict(zip(HASHED_FIELDS, values, strict=True))
        if chain_hash(previous_hash, **fields) != row_hash:
            raise _Broken(row_id, "it has been changed since it was written (its hash differs)")
        last_id, last_hash = self.report.head_id, self.report.head_hash
        if last_id is None:
            if previous_hash != GENESIS:
                self.first = (row_id, previous_hash)
        elif previous_hash != last_hash:
            if self.before_last and previous_hash == self.before_last[1]:
                raise _Broken(
                    last_id, f"it was put in later: row {row_id} follows row {self.before_last[0]}"
                )
            raise _Broken(
                row_id,
                f"it does not follow row {last_id}: a row between them was deleted, "
                "or a row was changed or moved",
            )
        if fields["action"] == AuditEvent.Action.RETENTION:
            self.anchors.append(_anchor(row_id, fields))
        for head in self.heads.pop(row_id, []):
            self.report.heads_checked += 1
            if head.hash != row_hash:
                raise _Broken(
                    row_id,
                    f"the head written on {head.on.isoformat()} differs: the chain up to "
                    "this row has been rewritten since",
                )
        self.before_last = (last_id, last_hash) if last_id is not None else None
        self.report.rows += 1
        self.report.head_id, self.report.head_hash = row_id, row_hash

    def finish(self) -> None:
        if self.first is not None:
            first_id, follows = self.first
            if not any(
                a.last_deleted_hash == follows and a.last_deleted_id < first_id
                for a in self.anchors
            ):
                raise _Broken(
                    first_id,
                    "the rows before it are missing, and no retention event accounts for them",
                )
        for head in (h for heads in self.heads.values() for h in heads):
            self.report.heads_checked += 1
            if not any(anchor.retires(head) for anchor in self.anchors):
                raise _Broken(
                    head.id,
                    f"the head written on {head.on.isoformat()} is missing from the chain: "
                    "rows have been deleted or the table emptied",
                )


def _anchor(row_id: int, fields: dict) -> _Anchor:
    """A retention event's claims, refused if it claims to have deleted recent rows."""
    detail = fields["detail"]
    try:
        anchor = _Anchor(
            id=row_id,
            before=date.fromisoformat(detail["before"]),
            last_deleted_id=int(detail["last_deleted_id"]),
            last_deleted_hash=str(detail["last_deleted_hash"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _Broken(row_id, "it is a retention event without what it deleted") from error
    written_on = timezone.localdate(fields["at"])
    if anchor.before > add_months(written_on, -RETENTION_MINIMUM_MONTHS) or (
        fields["at"] > timezone.now()
    ):
        raise _Broken(
            row_id,
            f"it is a retention event claiming to have deleted events younger than "
            f"{RETENTION_MINIMUM_MONTHS} months",
        )
    return anchor


def chain_rows(*, chunk: int = CHAIN_CHUNK) -> Iterator[tuple]:
    """(id, previous hash, hash, *HASHED_FIELDS) of every event, in id order, `chunk` at a time."""
    rows = AuditEvent.objects.order_by("id").values_list(
        "id", "previous_hash", "hash", *HASHED_FIELDS
    )
    last_id = 0
    while True:
        batch = list(rows.filter(id__gt=last_id)[:chunk])
        yield from batch
        if len(batch) < chunk:
            return
        last_id = batch[-1][0]


def chain_verify(*, against: Iterable[WrittenHead] = (), chunk: int = CHAIN_CHUNK) -> ChainReport:
    """Walk the chain in id order: does every row follow the one before, unchanged?

    The chain starts at GENESIS, or where a retention event says it deleted up to.
    Every head in `against` must be a row of the chain with the same hash, or have
    been deleted by retention. Stops at the first bad row.

    Run it when retention is not running: a purge between two chunks would look
    like rows deleted from the middle.
    """
    heads: dict[int, list[WrittenHead]] = {}
    for head in against:
        heads.setdefault(head.id, []).append(head)
    walk = _Walk(heads=heads)
    try:
        for row_id, previous_hash, row_hash, *values in chain_rows(chunk=chunk):
            walk.step(row_id, previous_hash, row_hash, tuple(values))
        walk.finish()
    except _Broken as broken:
        walk.report.bad_id, walk.report.problem = broken.row_id, broken.problem
    return walk.report


def written_heads(lines: Iterable[str]) -> list[WrittenHead]:
    """The heads in a heads file (one "DATE ROWS ID HASH" a line; # starts a comment).

    Raises ValueError naming the line that is not one."""
    heads = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            on, rows, head_id, head_hash = text.split()
            head = WrittenHead(
                on=date.fromisoformat(on), rows=int(rows), id=int(head_id), hash=head_hash
            )
        except ValueError as error:
            raise ValueError(
                f"Line {number} is not a head: expected DATE ROWS ID HASH, found {text!r}."
            ) from error
        if len(head.hash) != 64 or head.hash.strip("0123456789abcdef"):
            raise ValueError(f"Line {number}: {head.hash!r} is not a SHA-256 hash in hex.")
        heads.append(head)
    return heads
