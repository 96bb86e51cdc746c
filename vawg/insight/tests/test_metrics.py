from datetime import date
from decimal import Decimal

import pytest

from vawg.core import metrics
from vawg.core.models import ReportingPeriod
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db


def test_the_figures_are_registered_and_computed_from_the_store(partnership):
    make_wards(partnership)
    same = {"Victim ID": "p1"}
    import_rows(
        partnership,
        [
            row("M1", "2025-04-02", **same),
            row("M2", "2025-05-02", **same, **{"Crime Outcome": "Charged or summonsed"}),
            row("M3", "2025-06-02", **{"Crime Outcome": "Evidential difficulties"}),
            row("M4", "2025-07-02"),  # after the period
        ],
    )
    period = ReportingPeriod.objects.create(
        partnership=partnership,
        label="2025/26 Q1",
        start=date(2025, 4, 1),
        end=date(2025, 6, 30),
        update_deadline=date(2025, 7, 14),
    )
    assert metrics.get("insight.incidents").compute(partnership, period).value == Decimal(3)
    repeat = metrics.get("insight.repeat_victimisation_rate").compute(partnership, period)
    assert (repeat.value, repeat.numerator, repeat.denominator) == (Decimal("33.3"), 1, 3)
    recorded = metrics.get("insight.outcome_recorded_rate").compute(partnership, period)
    assert (recorded.numerator, recorded.denominator) == (2, 3)
    charged = metrics.get("insight.charge_rate").compute(partnership, period)
    assert (charged.value, charged.numerator, charged.denominator) == (Decimal("50.0"), 1, 2)
