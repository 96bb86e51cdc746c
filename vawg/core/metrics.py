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


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    RATE_PER_1000 = "rate_per_1000", "Rate per 1,000 population"
    RATE_PER_10000 = "rate_per_10000", "Rate per 10,000 population"


@dataclass(frozen=True)
class MetricValue:
    """A computed figure with what it was computed from.

    `value` is None when it cannot be computed (for example no denominator).
    """

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""


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


def percentage(numerator: int, denominator: int, places: int = 1) -> MetricValue:
    """A percentage with its parts; no value when the denominator is zero."""
    if denominator <= 0:
        return MetricValue(None, numerator, denominator, "No denominator")
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal(1).scaleb(-places))
    return MetricValue(value, numerator, denominator)
