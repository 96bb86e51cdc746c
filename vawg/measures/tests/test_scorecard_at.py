"""The scorecard as it stood at a report's period end (selectors.scorecard_at)."""

from datetime import date
from decimal import Decimal

import pytest

from vawg.core import disclosure
from vawg.core.permissions import Role
from vawg.measures.models import IndicatorValue, ValueSource
from vawg.measures.selectors import baseline_shown, scorecard_at
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))


def value(indicator, period, n):
    IndicatorValue.objects.create(
        indicator=indicator, period=period, value=Decimal(n), source=ValueSource.ENTERED
    )


def summaries(partnership, until, *, public=False, roles=frozenset({Role.BOARD_MEMBER})):
    card = scorecard_at(
        partnership=partnership,
        roles=roles,
        audience=disclosure.CONTROLLED,
        until=until,
        today=date(2026, 6, 1),
        public=public,
    )
    return {s.indicator.name: s for g in card.groups for s in g.summaries}


def test_it_leaves_out_values_of_later_periods(partnership, periods):
    indicator = make_indicator(partnership, disclosure="public")
    value(indicator, periods["2025/26 Q1"], 100)
    value(indicator, periods["2025/26 Q2"], 120)
    found = summaries(partnership, date(2025, 6, 30))[indicator.name]
    assert [p.label for p in found.points] == ["2025/26 Q1"]
    assert found.latest_shown == "100"


def test_it_shows_small_counts_in_words(partnership, periods):
    indicator = make_indicator(partnership, disclosure="public")
    value(indicator, periods["2025/26 Q1"], 3)
    found = summaries(partnership, date(2025, 6, 30))[indicator.name]
    assert found.latest_shown == "fewer than 5"


def test_public_means_the_public_measures_only(partnership, periods):
    make_indicator(partnership, name="Public one", disclosure="public")
    make_indicator(partnership, name="Staff one", disclosure="partnership")
    make_indicator(partnership, name="Restricted one", disclosure="restricted")
    assert set(summaries(partnership, date(2025, 6, 30), public=True)) == {"Public one"}
    assert set(summaries(partnership, date(2025, 6, 30))) == {"Public one", "Staff one"}


def test_the_baseline_is_written_with_its_period(partnership, periods):
    indicator = make_indicator(
        partnership, baseline_value=310, baseline_period=periods["2025/26 Q1"]
    )
    assert baseline_shown(indicator) == "310 (2025/26 Q1)"
    assert baseline_shown(make_indicator(partnership, name="No baseline")) == "Not set"
