"""Disclosure control: the one rule for every figure about people.

Every count of people, incidents or cases that someone sees, and everything worked
from it (a rate, share, ratio, average, change, projection, chart bar or sentence),
is decided here for its audience (docs/disclosure-control.md):

- **Exact**: the viewer holds a permission to unsuppressed figures (the analyst's
  `figures.unsuppressed`, or the MARAC coordinator's own statistics). Every figure
  is the true one.
- **Controlled**: everyone else, the public included. A count below the threshold,
  none included, reads "fewer than 5", in words (were none shown as 0, "fewer than 5"
  would mean at least one, and four months of "fewer than 5" inside a year of "fewer
  than 5" would mean exactly four). Every other count is rounded to a multiple of the
  rounding base, up or down as the *cell key* decides
  (the ONS cell key method: each record carries a random key from 0 to 255, a cell's
  key is the sum of its records' keys, and the count and the key together fix the
  rounding). The same records therefore read the same wherever they appear, in any
  page, filter, export or roll-up, while two cells that differ by a few records are
  rounded independently, so subtracting one from the other gives noise, not people.

Derived figures are worked only from the figures the viewer is shown (the functions
below take `Figure`s, never raw counts), and a derived figure whose part is hidden
reads "not shown". Counts that are not about people (actions, meetings, registers)
are shown as they are with `as_is`.

A count comes in as a `Tally`: the exact number with its cell key. `tally` makes one
from the ids of the records counted; modules that count in SQL or numpy keep the sum
of their records' keys (`record_keys`) beside each count.
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from typing import TypeVar

import numpy as np
from django.conf import settings

from vawg.core.permissions import roles_grant

K = TypeVar("K")

KEYS = 256  # record and cell keys run from 0 to 255
NOT_SHOWN = "not shown"
NO_DATA = "no data"


def threshold() -> int:
    """The smallest count of people shown at the controlled level (setting, default 5)."""
    return int(getattr(settings, "DISCLOSURE_THRESHOLD", 5))


def rounding_base() -> int:
    """What controlled counts are rounded to a multiple of (setting, default 5)."""
    return int(getattr(settings, "DISCLOSURE_ROUNDING_BASE", 5))


def small_text() -> str:
    return f"fewer than {threshold()}"


# --- Who is looking ------------------------------------------------------------------


class Level(StrEnum):
    EXACT = "exact"
    CONTROLLED = "controlled"


@dataclass(frozen=True)
class Audience:
    level: Level

    @property
    def exact(self) -> bool:
        return self.level is Level.EXACT


EXACT = Audience(Level.EXACT)
CONTROLLED = Audience(Level.CONTROLLED)

# The permissions that open exact figures (core.permissions declares who holds them).
ANALYST = "figures.unsuppressed"
MARAC_COORDINATOR = "marac.statistics.exact"


def audience_for(roles: Iterable[str], *permissions: str) -> Audience:
    """Exact when the roles hold any of `permissions` (the analyst's by default)."""
    held = frozenset(roles)
    if any(roles_grant(held, p) for p in permissions or (ANALYST,)):
        return EXACT
    return CONTROLLED


# --- Record and cell keys ------------------------------------------------------------


@cache
def _secret(setting: str, secret_key: str) -> bytes:
    # A key of its own when set; otherwise one derived from SECRET_KEY, so a fresh
    # install needs nothing more (docs/operations.md: changing it re-draws the rounding).
    if setting:
        return setting.encode()
    return hmac.digest(secret_key.encode(), b"vawg.disclosure.record-keys", "sha256")


@cache
def _seed(label: str, secret: bytes) -> np.uint64:
    digest = hmac.digest(secret, label.encode(), "sha256")
    return np.frombuffer(digest[:8], dtype="<u8")[0]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def record_keys(label: str, ids) -> np.ndarray:
    """Each record's key (0 to 255, as uint8) from its kind (`label`, such as
    "marac.Referral") and its stable id: a keyed mix (splitmix64 over the id and a
    secret seed for the kind), so keys look random to anyone without the secret, stay
    the same for a record's life, and are made for millions of records at once."""
    secret = _secret(getattr(settings, "DISCLOSURE_KEY", ""), settings.SECRET_KEY)
    x = np.asarray(ids, dtype=np.int64).astype(np.uint64) ^ _seed(label, secret)
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _MIX1
        x = (x ^ (x >> np.uint64(27))) * _MIX2
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(56)).astype(np.uint8)


@dataclass(frozen=True)
class Tally:
    """An exact count of people (or incidents, or cases) and its cell key: the sum of
    its records' keys. Tallies of disjoint sets add up to the tally of their union."""

    n: int
    key: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.n + other.n, (self.key + other.key) % KEYS)


def tally(label: str, ids: Iterable[int], weights: Iterable[int] | None = None) -> Tally:
    """The tally of these records (each counted `weights` times: children in a household)."""
    ids = list(ids)
    keys = record_keys(label, ids).astype(np.int64)
    if weights is None:
        return Tally(len(ids), int(keys.sum()) % KEYS)
    w = np.asarray(list(weights), dtype=np.int64)
    return Tally(int(w.sum()), int((keys * w).sum()) % KEYS)


def tallies(label: str, pairs: Iterable[tuple], groups: Iterable = ()) -> dict:
    """The tally of each group's records from (group, record id) pairs, as a query gives
    them; each of `groups` is there even when it has no records (a tally of none)."""
    ids: dict = {group: [] for group in groups}
    for group, pk in pairs:
        ids.setdefault(group, []).append(pk)
    return {group: tally(label, members) for group, members in ids.items()}


def identity_tally(n: int, *identity: object) -> Tally:
    """A count the platform holds only as a number (a value typed into a measure), keyed
    by what it is: the one figure for that cell, so it reads the same wherever shown."""
    text = "\x1f".join(str(part) for part in identity)
    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
    return Tally(n, int(record_keys("identity", [digest & 0x7FFF_FFFF_FFFF_FFFF])[0]))


# --- Figures as shown ------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure as its audience may see it: `value` (None when hidden) and `text`, the
    words to show ("1,235", "fewer than 5", "not shown")."""

    value: int | Decimal | None
    text: str
    suppressed: bool = False

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> bool:
        return self.value is not None


def _whole(n: int) -> Figure:
    return Figure(n, f"{n:,}")


def _hidden(text: str = NOT_SHOWN) -> Figure:
    return Figure(None, text, suppressed=True)


def controlled_value(n: int, key: int) -> int | None:
    """The controlled level's value of a count with this cell key (None: below the
    threshold, none included).

    Unbiased random rounding to the base, driven by the key: n = base * q + r goes up
    with probability r / base. The published value v then says only that the count is
    between v - (base - 1) and v + (base - 1), whichever records it holds."""
    limit, base = threshold(), rounding_base()
    if n < limit:
        return None
    low = n - n % base
    remainder = n - low
    if remainder == 0:
        return n
    value = low + base if (key % KEYS) * base < remainder * KEYS else low
    # Rounding down never takes a count that is shown below the threshold.
    return value if value >= limit else low + base


def count(t: Tally, audience: Audience) -> Figure:
    """One count of people for this audience."""
    if audience.exact:
        return _whole(t.n)
    value = controlled_value(t.n, t.key)
    return _hidden(small_text()) if value is None else _whole(value)


def counts(tallies: Mapping[K, Tally], audience: Audience) -> dict[K, Figure]:
    """Cells of a table or chart: each by the same rule (no cell's figure depends on
    another's, so a cell reads the same in every table it appears in)."""
    return {k: count(t, audience) for k, t in tallies.items()}


def missing(text: str = NO_DATA) -> Figure:
    """A figure that cannot be given for a reason of its own ("no population figure")."""
    return _hidden(text)


def as_is(n: int | Decimal) -> Figure:
    """A figure about no one (actions, meetings, residents): shown as it is."""
    if isinstance(n, Decimal) and n != n.to_integral_value():
        return Figure(n, f"{n:,}")
    return _whole(int(n))


# --- Figures worked from shown figures ---------------------------------------------------


def _number(part: Figure | int | Decimal) -> Decimal | None:
    """A part's shown value (a Figure), or a public figure given as a number."""
    if isinstance(part, Figure):
        return None if part.value is None else Decimal(part.value)
    return Decimal(part)


def _quantized(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate(
    numerator: Figure, denominator: Figure | int | Decimal, *, per: int = 100, places: int = 1
) -> Figure:
    """A rate or percentage from the shown numerator and denominator (a denominator of
    residents is public and may be given as a number). Hidden when either part is."""
    top, bottom = _number(numerator), _number(denominator)
    if top is None or bottom is None:
        return _hidden()
    if bottom == 0:
        return _hidden(NO_DATA)
    value = _quantized(top * per / bottom, places)
    return Figure(value, f"{value:,}")


def ratio(numerator: Figure, denominator: Figure | Decimal, *, places: int = 2) -> Figure:
    """One shown figure over another (a representation ratio: a share of victims over
    the group's public share of residents)."""
    return rate(numerator, denominator, per=1, places=places)


def mean(total: int | Decimal, n: int, people: Figure, *, places: int = 1) -> Figure:
    """The average of `total` over `n` people (confidence scores, say), shown only when the
    count of those people is shown (`people`): an average over a group too small to show
    could give one person's answers away. The average itself is exact; it says nothing
    of how many there are."""
    if people.value is None or n == 0:
        return _hidden() if n else _hidden(NO_DATA)
    value = _quantized(Decimal(total) / n, places)
    return Figure(value, f"{value:,}")


def scaled(figure: Figure, factor: Decimal | int, *, places: int = 0) -> Figure:
    """A shown figure times a public factor (an annual rate, a projection by population
    growth), hidden when the figure is."""
    value = _number(figure)
    if value is None:
        return _hidden()
    result = _quantized(value * Decimal(factor), places)
    return Figure(result, f"{result:,}")


def total(figures: Iterable[Figure]) -> Figure:
    """The sum of shown figures (a 3-month window drawn from its months), hidden if any is."""
    values = [_number(f) for f in figures]
    if any(v is None for v in values):
        return _hidden()
    result = sum(values, Decimal(0))
    return as_is(result)


def change(now: Figure, before: Figure) -> Figure:
    """The percentage change from `before` to `now`, both as shown; hidden when either is,
    and "no data" from nothing."""
    a, b = _number(now), _number(before)
    if a is None or b is None:
        return _hidden()
    if b == 0:
        return _hidden(NO_DATA)
    value = _quantized((a - b) * 100 / b, 0)
    return Figure(value, f"{value:+}")


def change_words(now: Figure, before: Figure, *, since: str) -> str:
    """A sentence on the change, from the shown figures ('' when it cannot be said)."""
    moved = change(now, before)
    if moved.value is None:
        return ""
    if moved.value == 0:
        return f"about the same as {since}"
    direction = "up" if moved.value > 0 else "down"
    return f"{direction} {abs(moved.value)}% on {since}"
