"""The registry of figures a module can compute for a partnership and period.

A module registers a named calculator once (at import, from its AppConfig.ready):

    register("insight.repeat_victimisation_rate", label="Repeat victimisation rate",
             unit=Unit.PERCENTAGE, calculator=repeat_rate)

The calculator takes (partnership, period) and returns a MetricValue. The
indicators capability lists the registered figures for admins to attach to
an indicator; nothing else needs to know which module computes what.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from vawg.core.disclosure import Tally


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    RATE_PER_1000 = "rate_per_1000", "Rate per 1,000 population"
    RATE_PER_10000 = "rate_per_10000", "Rate per 10,000 population"


@dataclass(frozen=True)
class MetricValue:
    """A computed figure with what it was computed from.

    `value` is None when it cannot be computed (for example no denominator). Where the
    numerator or denominator counts people, its cell key comes with it (core.disclosure),
    so that the figure reads the same on the scorecard as on its own module's pages; a
    part with no key counts no one (registers, recommendations) and is shown as it is.
    """

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""
    numerator_key: int | None = None
    denominator_key: int | None = None

    @property
    def numerator_tally(self) -> Tally | None:
        if self.numerator is None or self.numerator_key is None:
            return None
        return Tally(self.numerator, self.numerator_key)

    @property
    def denominator_tally(self) -> Tally | None:
        if self.denominator is None or self.denominator_key is None:
            return None
        return Tally(self.denominator, self.denominator_key)


Calculator = Callable[..., MetricValue]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    calculator: Calculator
    description: str = ""

    def compute(self, partnership, period) -> MetricValue:
        return self.calculator(partnership, period)


class MetricAlreadyRegistered(ValueError):
    pass


_registry: dict[str, Metric] = {}


def register(
    key: str, *, label: str, unit: str, calculator: Calculator, description: str = ""
) -> Metric:
    """Register a figure under a dotted key ("<app>.<name>"). Keys are unique."""
    if "." not in key:
        raise ValueError(f"Metric key {key!r} must be '<app>.<name>'.")
    if unit not in Unit.values:
        raise ValueError(f"Metric {key!r} has unknown unit {unit!r}.")
    existing = _registry.get(key)
    if existing is not None and existing.calculator is not calculator:
        raise MetricAlreadyRegistered(f"A different calculator is already registered as {key!r}.")
    metric = Metric(key, label, unit, calculator, description)
    _registry[key] = metric
    return metric


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> Metric:
    try:
        return _registry[key]
    except KeyError:
        raise KeyError(f"No figure is registered as {key!r}.") from None


def registered() -> list[Metric]:
    """All registered figures, ordered by label for admins to choose from."""
    return sorted(_registry.values(), key=lambda m: m.label)


def _parts(part: int | Tally) -> tuple[int, int | None]:
    return (part.n, part.key) if isinstance(part, Tally) else (part, None)


def percentage(numerator: int | Tally, denominator: int | Tally, places: int = 1) -> MetricValue:
    """A percentage with its parts (Tallies when they count people); no value when the
    denominator is zero."""
    top, top_key = _parts(numerator)
    bottom, bottom_key = _parts(denominator)
    if bottom <= 0:
        return MetricValue(None, top, bottom, "No denominator", top_key, bottom_key)
    value = (Decimal(top) * 100 / Decimal(bottom)).quantize(Decimal(1).scaleb(-places))
    return MetricValue(value, top, bottom, "", top_key, bottom_key)


def people(t: Tally) -> MetricValue:
    """A count of people as a figure, with its cell key."""
    return MetricValue(Decimal(t.n), t.n, None, "", t.key, None)
