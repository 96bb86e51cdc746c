from decimal import Decimal

import pytest

from vawg.core import metrics
from vawg.core.metrics import MetricValue, Unit


@pytest.fixture
def clean_registry():
    yield
    metrics.unregister("test.incidents")


def count_calculator(partnership, period):
    return MetricValue(Decimal(7), numerator=7)


def test_it_registers_and_computes_a_figure(clean_registry, partnership):
    metrics.register(
        "test.incidents", label="Incidents", unit=Unit.COUNT, calculator=count_calculator
    )
    metric = metrics.get("test.incidents")
    assert metric.label == "Incidents"
    assert metric.compute(partnership, None).value == Decimal(7)
    assert "test.incidents" in [m.key for m in metrics.registered()]


def test_it_refuses_a_second_calculator_under_the_same_key(clean_registry):
    metrics.register("test.incidents", label="A", unit=Unit.COUNT, calculator=count_calculator)
    with pytest.raises(metrics.MetricAlreadyRegistered):
        metrics.register("test.incidents", label="B", unit=Unit.COUNT, calculator=lambda p, q: None)


def test_it_refuses_badly_formed_keys_and_units():
    with pytest.raises(ValueError, match="must be"):
        metrics.register("nodot", label="x", unit=Unit.COUNT, calculator=count_calculator)
    with pytest.raises(ValueError, match="unknown unit"):
        metrics.register("test.x", label="x", unit="furlongs", calculator=count_calculator)


def test_it_says_which_key_is_missing():
    with pytest.raises(KeyError, match="test.absent"):
        metrics.get("test.absent")


def test_percentage_keeps_its_parts_and_refuses_a_zero_denominator():
    assert metrics.percentage(1, 3) == MetricValue(Decimal("33.3"), 1, 3)
    assert metrics.percentage(2, 0).value is None
