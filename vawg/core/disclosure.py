"""Disclosure control: the one function every figure passes through on its way to
anyone without the analyst role (board dashboards, the public plan, regional
returns and their exports).

- Primary suppression: a count from 1 to threshold-1 is not shown; it reads
  "fewer than 5" (in words, for screen readers).
- Secondary suppression: where a total is shown, a single suppressed cell could
  be recovered by subtraction, so the next smallest cell is suppressed as well.
- Rounding: figures that filters could difference are rounded to a base.
- No rate is computed from a suppressed count.

Zero is shown: an empty cell reveals nothing about a person. The threat model
is in docs/disclosure-control.md.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)


def threshold() -> int:
    return getattr(settings, "DISCLOSURE_THRESHOLD", 5)


@dataclass(frozen=True)
class Figure:
    """A figure as it may be shown: the value, or None with the words to show instead."""

    value: int | Decimal | None
    text: str
    suppressed: bool = False

    def __str__(self) -> str:
        return self.text


def _suppressed(limit: int) -> Figure:
    return Figure(None, f"fewer than {limit}", suppressed=True)


def round_to_base(count: int, base: int) -> int:
    """Round half up to the nearest multiple of `base` (so 2.5 steps go up, as the ONS does)."""
    return int((count + base / 2) // base * base)


def disclose_count(count: int, *, limit: int | None = None, base: int | None = None) -> Figure:
    """One count, suppressed when small, optionally rounded to `base`."""
    limit = threshold() if limit is None else limit
    if 0 < count < limit:
        return _suppressed(limit)
    shown = round_to_base(count, base) if base else count
    return Figure(shown, f"{shown:,}")


def disclose_counts(
    counts: Mapping[K, int], *, limit: int | None = None, with_total: bool = True
) -> tuple[dict[K, Figure], Figure | None]:
    """A set of cells that add up to a shown total (a table row or a chart's bars).

    Returns the cells as Figures and the total (None when with_total is False).
    """
    limit = threshold() if limit is None else limit
    hidden = {key for key, n in counts.items() if 0 < n < limit}
    if with_total and len(hidden) == 1:
        # One hidden cell and a shown total: the cell is total minus the rest.
        # Hide the smallest other non-zero cell too.
        candidates = sorted(
            (n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0
        )
        if candidates:
            hidden.add(candidates[0][2])
    cells: dict[K, Figure] = {}
    for key, n in counts.items():
        if key not in hidden:
            cells[key] = Figure(n, f"{n:,}")
        elif n < limit:
            cells[key] = _suppressed(limit)
        else:
            # Hidden only to protect another cell: say so without hinting at its size.
            cells[key] = Figure(None, "not shown", suppressed=True)
    total = None
    if with_total:
        total_count = sum(counts.values())
        total = disclose_count(total_count, limit=limit)
    return cells, total


def disclose_rate(
    numerator: int, denominator: int, *, per: int = 100, places: int = 1, limit: int | None = None
) -> Figure:
    """A rate or percentage, never computed from a suppressed numerator or denominator."""
    limit = threshold() if limit is None else limit
    if 0 < numerator < limit or 0 < denominator < limit:
        return _suppressed(limit)
    if denominator == 0:
        return Figure(None, "no data", suppressed=True)
    value = (Decimal(numerator) * per / Decimal(denominator)).quantize(Decimal(1).scaleb(-places))
    return Figure(value, f"{value}")
