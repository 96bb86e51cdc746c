"""Which imports may write at the same time.

An import writes its partnership's incidents, cubes and people index, and its region's
roll-ups (the regional victim cube and pair counts). The repeat rule links a person's
incidents in any partnership of any region, so it may also flip the flags (and cube
cells) of another partnership holding the same person. An import therefore holds its own
region, and every region whose incidents it reads for repeats, until it commits: imports
into different regions, about different people, write at once; two that touch one
region write one at a time.

On PostgreSQL these are transaction-scoped advisory locks (released at commit or
rollback, so a worker that dies holds nothing):

- IMPORT_LOCK: every import holds it shared; `insight_rebuild`, which writes everything,
  holds it alone.
- (REGION_LOCKS, region id): one region's incidents and roll-ups.
- PEOPLE_LOCK: held from an import's last look at who holds its people to its commit.
  Two imports in different regions may take in the same new person at once, neither
  seeing the other's uncommitted people index; whichever looks second sees the first's
  commit, finds a region it does not hold, and starts again holding it.

A region reached part-way (a person already held in another region) is only tried: if
another import holds it, this one rolls back (`Busy`) and starts again holding them all,
taken in order of id, so imports never wait on each other in a circle. Each new start
holds more regions than the last, so it ends. SQLite has one writer already.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from vawg.core.models import Partnership
from vawg.insight import store

IMPORT_LOCK = 0x56415747  # "VAWG"; a bigint key: its key space is apart from pairs'
REGION_LOCKS = 0x56415752  # "VAWR", with the region's id
PEOPLE_LOCK = (0x56415750, 0)  # "VAWP"


class Busy(Exception):  # noqa: N818 - a state to retry from, not a fault
    """Another import holds a region this one reached: roll back and start again with
    `regions` taken from the start."""

    def __init__(self, regions: Iterable[int]) -> None:
        super().__init__("Another import holds a region this import reaches.")
        self.regions = frozenset(regions)


@dataclass
class Held:
    """What the import under way holds, and the people whose incidents it changes."""

    partnership_id: int
    regions: set[int] = field(default_factory=set)
    people: list[np.ndarray] = field(default_factory=list)


_held: ContextVar[Held | None] = ContextVar("insight_import_locks", default=None)


def region_key(region_id: int) -> tuple[int, int]:
    """The advisory lock key of one region's writes."""
    return (REGION_LOCKS, region_id)


def regions_of(partnership_ids: Iterable[int]) -> set[int]:
    ids = set(partnership_ids)
    return set(Partnership.objects.filter(pk__in=ids).values_list("region_id", flat=True))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def importing(partnership_id: int, regions: Iterable[int] = ()) -> Iterator[Held]:
    """Inside the import's transaction: wait for the partnership's region and `regions`
    (in order of id) and hold them until it ends."""
    wanted = regions_of([partnership_id]) | set(regions)
    held = Held(partnership_id)
    token = _held.set(held)
    try:
        if _postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [IMPORT_LOCK])
                for region_id in sorted(wanted):
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", region_key(region_id))
        held.regions |= wanted
        yield held
    finally:
        _held.reset(token)


def _current() -> Held:
    held = _held.get()
    if held is None:
        raise RuntimeError("An import writes only inside locks.importing().")
    return held


def reach(partnership_ids: Iterable[int], people: np.ndarray) -> None:
    """Before reading (and perhaps writing) these partnerships' incidents of `people`:
    hold their regions too, or raise Busy if another import holds one."""
    held = _current()
    held.people.append(people)
    more = regions_of(partnership_ids) - held.regions
    if not more:
        return
    if _postgres():
        with connection.cursor() as cursor:
            for region_id in sorted(more):
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", region_key(region_id))
                if not cursor.fetchone()[0]:
                    raise Busy(held.regions | more)
    held.regions |= more


def settle() -> None:
    """Last, just before the import commits: hold PEOPLE_LOCK to the commit, and start
    again (Busy) if a region it does not hold took in one of its people meanwhile."""
    held = _current()
    if not _postgres() or not held.people:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", PEOPLE_LOCK)
    keys = np.unique(np.concatenate(held.people))
    now = regions_of(store.partnerships_with(keys, besides=held.partnership_id))
    if now - held.regions:
        raise Busy(held.regions | now)


def everything() -> None:
    """Inside a transaction that writes every region (`insight_rebuild`): wait until no
    import is writing, then hold them all off until it ends."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
