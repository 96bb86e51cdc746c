"""An attacker's audit of published figures: can any hidden count be worked out exactly?

The attacker knows the method (the rule in core.disclosure, but not the keys) and the
categories records can fall in: a universe of cells, one for each combination of the
dimensions an attack looks at (months, wards, sexes, ...), any of which may hold people.
Each published figure counts the records in some cells, and its words say what range
its true count lies in: "fewer than 5" is 0 to 4, and a controlled figure v is every
count the rule could show as v for some cell key (read from core.disclosure itself).

A hidden count is worked out exactly when every way of filling the cells with whole
numbers of people that fits every published figure at once gives it the same value.
The audit looks for a second way, a few people moved from the truth, that changes it;
where that finds none it asks integer programming (HiGHS, through scipy) for the least
and greatest values the count can take. Differencing, complementary filters, totals
against parts, overlapping periods and roll-ups against their parts are all constraints
it weighs together.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from vawg.core import disclosure

UNINFORMATIVE = {disclosure.NOT_SHOWN, disclosure.NO_DATA}
SECONDS_PER_SOLVE = 30


@cache
def _window(value: int, threshold: int, base: int) -> tuple[int, int]:
    """Every count the controlled rule can show as `value`, for some key."""
    counts = [
        n
        for n in range(max(0, value - base - 1), value + base + 2)
        if any(disclosure.controlled_value(n, key) == value for key in range(disclosure.KEYS))
    ]
    assert counts, f"{value} is not a figure the rule can show"
    return min(counts), max(counts)


def window(text: str) -> tuple[int, int] | None:
    """What a controlled figure's words say of its true count (None: nothing)."""
    if text in UNINFORMATIVE:
        return None
    if text == disclosure.small_text():
        return 0, disclosure.threshold() - 1
    return _window(int(text.replace(",", "")), disclosure.threshold(), disclosure.rounding_base())


@dataclass
class Published:
    cells: np.ndarray  # which cells of the universe the figure counts (bool)
    text: str
    what: str


@dataclass
class Auditor:
    """What one attacker saw, over a universe of cells: `dimensions` names each dimension's
    possible values (a figure that picks on any other dimension is not this audit's)."""

    dimensions: dict[str, Sequence]
    # How a figure's words read; another can be given, to show the audit catching a
    # weaker rule than the platform's.
    reads: Callable[[str], tuple[int, int] | None] = window
    published: dict[bytes, Published] = field(default_factory=dict)
    inconsistent: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.names = list(self.dimensions)
        self.values = {d: list(v) for d, v in self.dimensions.items()}
        shape = [len(self.values[d]) for d in self.names]
        self.size = int(np.prod(shape))
        grid = np.indices(shape).reshape(len(shape), -1)
        self.coordinates = dict(zip(self.names, grid, strict=True))

    def cells(self, where: dict[str, object]) -> np.ndarray | None:
        """The cells a figure counts (None if it picks on a dimension outside the universe).
        `where` gives each dimension it picks on one value or a collection of them."""
        chosen = np.ones(self.size, dtype=bool)
        for name, allowed in where.items():
            if name not in self.values:
                return None
            if isinstance(allowed, (set, frozenset, list, tuple)):
                wanted = [self.values[name].index(v) for v in allowed if v in self.values[name]]
            else:
                wanted = [self.values[name].index(allowed)] if allowed in self.values[name] else []
            chosen &= np.isin(self.coordinates[name], wanted)
        return chosen

    def publish(self, where: dict[str, object], text: str, what: str) -> bool:
        """Add a figure to what the attacker knows; False if it is outside this universe."""
        cells = self.cells(where)
        if cells is None:
            return False
        key = np.packbits(cells).tobytes()
        seen = self.published.get(key)
        if seen is not None and seen.text != text and self.reads(text) and self.reads(seen.text):
            # The same people given two figures: each narrows the other.
            self.inconsistent.append(f"{what} reads {text!r} but {seen.what} {seen.text!r}")
        if seen is None or self.reads(seen.text) is None:
            self.published[key] = Published(cells, text, what)
        return True

    def hidden(self) -> list[Published]:
        small = disclosure.small_text()
        return [p for p in self.published.values() if p.text == small]

    def truth(self, records: Iterable[dict]) -> np.ndarray:
        """How many of `records` (dicts with every dimension) fall in each cell."""
        x = np.zeros(self.size, dtype=np.int64)
        shape = [len(self.values[d]) for d in self.names]
        for record in records:
            if all(record[d] in self.values[d] for d in self.names):
                at = [self.values[d].index(record[d]) for d in self.names]
                x[np.ravel_multi_index(at, shape)] += 1
        return x

    def recovered(self, records: Iterable[dict]) -> list[str]:
        """Each figure shown as "fewer than 5" whose count the figures together pin down."""
        rows = [p for p in self.published.values() if self.reads(p.text) is not None]
        if not rows:
            return []
        a = np.array([p.cells for p in rows], dtype=np.int64)
        bounds = np.array([self.reads(p.text) for p in rows], dtype=np.int64)
        low, high = bounds[:, 0], bounds[:, 1]
        x = self.truth(records)
        s = a @ x
        assert np.all((low <= s) & (s <= high)), "the published figures do not fit the records"
        audit = _Audit(a, low, high, x, self._neighbours())
        # A figure of no cells at all (men in a view of women) is nobody by definition.
        hidden = [p for p in self.hidden() if p.cells.any()]
        targets = np.array([p.cells for p in hidden], dtype=np.int64).reshape(len(hidden), -1)
        moved = audit.walk(targets)
        return [
            f"{p.what}: exactly {int(p.cells @ x)}"
            for p, target, changed in zip(hidden, targets, moved, strict=True)
            if not changed and audit.determined(target)
        ]

    def _neighbours(self) -> list[np.ndarray]:
        """For each cell, the cells that differ from it in one dimension: where a person
        could be moved to keep most figures as they are."""
        shape = [len(self.values[d]) for d in self.names]
        coordinates = np.array([self.coordinates[d] for d in self.names])
        out = []
        for cell in range(self.size):
            near = []
            for axis, name in enumerate(self.names):
                for v in range(len(self.values[name])):
                    if v != coordinates[axis, cell]:
                        at = coordinates[:, cell].copy()
                        at[axis] = v
                        near.append(np.ravel_multi_index(at, shape))
            out.append(np.array(near, dtype=np.int64))
        return out


@dataclass
class _Audit:
    a: np.ndarray  # figures x cells
    low: np.ndarray
    high: np.ndarray
    x: np.ndarray  # the truth
    neighbours: list[np.ndarray]

    def __post_init__(self) -> None:
        s = self.a @ self.x
        self.up = self.high - s  # how far each figure's count could rise
        self.down = s - self.low
        self.columns = np.ascontiguousarray(self.a.T)  # the figures each cell is in

    def walk(self, targets: np.ndarray, steps: int = 20_000, seed: int = 0) -> np.ndarray:
        """Which targets a random walk through fillings that fit takes away from the truth.

        Each step adds a person to a cell, takes one away, or moves one to a neighbouring
        cell, and is kept only if every figure still fits; a target whose count changes on
        the way is not pinned. One walk answers for every target at once."""
        rng = np.random.default_rng(seed)
        y, s = self.x.copy(), self.a @ self.x
        truth = targets @ self.x
        values = truth.copy()
        changed = np.zeros(len(targets), dtype=bool)
        for _ in range(steps):
            cell = int(rng.integers(len(y)))
            kind = rng.integers(3)
            if kind == 0:
                move = {cell: 1}
            elif y[cell] == 0:
                continue
            elif kind == 1:
                move = {cell: -1}
            else:
                move = {cell: -1, int(rng.choice(self.neighbours[cell])): 1}
            change = sum(d * self.columns[c] for c, d in move.items())
            if np.any(s + change > self.high) or np.any(s + change < self.low):
                continue
            s = s + change
            for c, d in move.items():
                y[c] += d
                values += d * targets[:, c]
            changed |= values != truth
        return changed

    def determined(self, target: np.ndarray) -> bool:
        """Whether every filling that fits gives the target the truth's value: none found
        by moving a person, and integer programming finds none below it nor above it."""
        if self._moved(target):
            return False
        t = int(target @ self.x)
        figures = LinearConstraint(self.a, self.low, self.high)
        below = LinearConstraint(target[None, :], -np.inf, t - 1)
        above = LinearConstraint(target[None, :], t + 1, np.inf)
        most = self.most()
        # None can be fewer than none: only more is to be looked for then.
        lower = t > 0 and _fits(most, figures, below)
        return not (lower or _fits(most, figures, above))

    def most(self) -> np.ndarray:
        """Each cell's most people: the least upper end of the figures it is in (bounds
        that let the solver rule out most fillings before it starts)."""
        if not hasattr(self, "_most"):
            ends = np.where(self.a == 1, self.high[:, None], np.inf)
            self._most = ends.min(axis=0)
        return self._most

    def _moved(self, target: np.ndarray) -> bool:
        """Whether moving a person or two from the truth gives another filling that fits
        and changes the target: then the target is not pinned."""
        return any(self._mended(target, first) for first in self._first_moves(target))

    def _first_moves(self, target: np.ndarray):
        """Changes that alter the target by one: a person added to or taken from one of its
        cells, or moved between one of its cells and a neighbouring cell outside it."""
        for cell in np.flatnonzero(target):
            yield {cell: 1}
            if self.x[cell] > 0:
                yield {cell: -1}
            for near in self.neighbours[cell]:
                if target[near]:
                    continue
                if self.x[near] > 0:
                    yield {cell: 1, near: -1}
                if self.x[cell] > 0:
                    yield {cell: -1, near: 1}

    def _mended(self, target: np.ndarray, first: dict[int, int]) -> bool:
        """Whether `first` fits as it is, or once one person outside the target is moved to a
        neighbouring cell outside it to bring back the figures it pushed out of range."""
        change = sum(d * self.columns[cell] for cell, d in first.items())
        up, down = self.up - change, self.down + change  # room left after the move
        if (up >= 0).all() and (down >= 0).all():
            return True
        if (up < -1).any() or (down < -1).any():
            return False  # one more person cannot mend a figure two out
        after = self.x.copy()
        for cell, d in first.items():
            after[cell] += d
        outside = target == 0
        # Whoever is moved must leave every figure now one too high, and arrive in every
        # figure now one too low, to a cell neighbouring where they were.
        sources = outside & (after > 0)
        destinations = outside.copy()
        for rows, chosen in ((up < 0, sources), (down < 0, destinations)):
            if rows.any():
                chosen &= np.all(self.a[rows] == 1, axis=0)
        leaving = not (down < 0).any() or (up < 0).any()
        for cell in np.flatnonzero(sources if leaving else destinations):
            near = self.neighbours[cell]
            near = near[(destinations if leaving else sources)[near]]
            if not len(near):
                continue
            moved = self.columns[near] - self.columns[cell]
            if not leaving:
                moved = -moved
            if np.all((moved <= up) & (-moved <= down), axis=1).any():
                return True
        return False


def _fits(most: np.ndarray, *constraints: LinearConstraint) -> bool:
    """Whether some filling of the cells with whole numbers of people, none above `most`,
    meets every constraint."""
    result = milp(
        np.zeros(len(most)),
        constraints=list(constraints),
        integrality=np.ones(len(most)),
        bounds=Bounds(0, most),
        options={"time_limit": SECONDS_PER_SOLVE},
    )
    # 0: found one; 2: there is none. Anything else (out of time) decides nothing.
    assert result.status in (0, 2), f"the audit could not decide in time: {result.message}"
    return result.status == 0
