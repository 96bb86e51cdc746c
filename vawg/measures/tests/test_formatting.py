"""A measure's figures are written in its own unit, with the sign of a change, the same
on the scorecard, the indicator page and the published plan."""

import io
import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.urls import reverse

from vawg.core.metrics import Unit
from vawg.measures import demo
from vawg.measures.formatting import (
    format_change,
    format_difference,
    format_percent_change,
    format_target_basis,
    format_value,
)
from vawg.measures.models import Indicator, IndicatorValue, Target
from vawg.measures.services import _seed_name
from vawg.measures.tests.factories import make_indicator, make_periods


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (D("27.4"), Unit.PERCENTAGE, "27.4%"),
        (D("27.44"), Unit.PERCENTAGE, "27.4%"),
        (D("30.000"), Unit.PERCENTAGE, "30%"),
        (D(1235), Unit.COUNT, "1,235"),
        (D("8.25"), Unit.RATE_PER_1000, "8.2 per 1,000"),
        (D("12.3"), Unit.RATE_PER_10000, "12.3 per 10,000"),
        (None, Unit.PERCENTAGE, "No value"),
    ],
)
def test_it_writes_a_value_in_its_unit(value, unit, words):
    assert format_value(value, unit) == words


@pytest.mark.parametrize(
    ("value", "earlier", "unit", "words"),
    [
        (D("27.4"), D("28.1"), Unit.PERCENTAGE, "down 0.7 percentage points from 28.1%"),
        (D("22.5"), D("22.1"), Unit.PERCENTAGE, "up 0.4 percentage points from 22.1%"),
        (D(117), D(105), Unit.COUNT, "up 12 from 105"),
        (D(1100), D(1250), Unit.COUNT, "down 150 from 1,250"),
        (D("9.6"), D("8.4"), Unit.RATE_PER_1000, "up 1.2 per 1,000 from 8.4 per 1,000"),
        (D("28.1"), D("28.1"), Unit.PERCENTAGE, "no change from 28.1%"),
        # Moved, but by less than the figures are written to: never "up 0".
        (D("28.12"), D("28.14"), Unit.PERCENTAGE, "down slightly from 28.1%"),
        (None, D(3), Unit.COUNT, ""),
    ],
)
def test_it_writes_a_change_with_its_sign_and_unit(value, earlier, unit, words):
    assert format_change(value, earlier, unit) == words


def test_it_writes_targets_set_as_a_change_and_distances_in_the_unit():
    assert format_percent_change(D(10)) == "+10%"
    assert format_percent_change(D(-8)) == "-8%"
    assert format_target_basis(D(30), D(310), Unit.COUNT) == ("30% above the baseline of 310")
    assert format_target_basis(D(-10), D(50), Unit.PERCENTAGE) == ("10% below the baseline of 50%")
    assert format_target_basis(D(5), None, Unit.COUNT) == ""
    assert format_difference(D("1.5"), Unit.PERCENTAGE) == "1.5 percentage points"
    assert format_difference(D(1), Unit.PERCENTAGE) == "1 percentage point"


def test_a_measure_worded_as_a_percentage_change_is_named_for_what_it_counts():
    text = "% increase in self-referrals and referrals from a wider range of services"
    assert _seed_name(text) == "Self-referrals and referrals from a wider range of services"
    assert _seed_name("% decrease in repeat offending") == "Repeat offending"
    assert _seed_name("% increase VAWG offences reported") == "VAWG offences reported"
    assert _seed_name("There is an increase in referrals") == "There is an increase in referrals"


@pytest.fixture
def closed(partnership):
    today = date.today()
    make_periods(partnership, today - timedelta(days=800), today + timedelta(days=100))
    return list(partnership.reporting_periods.filter(end__lt=today).order_by("-start"))[:2]


def test_the_scorecard_and_indicator_page_show_a_percentage_as_a_percentage(
    client_for, personas, partnership, closed
):
    latest, before = closed
    indicator = make_indicator(
        partnership,
        name="Women who feel unsafe",
        unit=Unit.PERCENTAGE,
        direction="decrease",
        baseline_value=D(30),
        baseline_period=before,
    )
    Target.objects.create(indicator=indicator, year=latest.end.year, kind="change", amount=-10)
    Target.objects.create(indicator=indicator, year=latest.end.year - 1, kind="change", amount=-10)
    IndicatorValue.objects.create(
        indicator=indicator, period=before, value="28.1", source="entered"
    )
    IndicatorValue.objects.create(
        indicator=indicator, period=latest, value="27.4", source="entered"
    )
    client = client_for(personas["analyst"])
    kwargs = {"partnership": partnership.slug}
    card = client.get(reverse("measures:scorecard", kwargs=kwargs)).content.decode()
    assert "27.4%" in card
    assert "Down 0.7 percentage points from 28.1% (improving)" in card
    page = client.get(
        reverse("measures:indicator-detail", kwargs={**kwargs, "pk": indicator.pk})
    ).content.decode()
    assert "27.4%" in page and "Down 0.7 percentage points from 28.1%" in page
    assert "30%" in page  # the baseline, in its unit
    assert "10% below the baseline of 30%" in page


def test_the_demo_gives_each_measure_an_owner_who_would_report_it(db):
    from vawg.accounts import demo as accounts_demo
    from vawg.core import demo as core_demo
    from vawg.strategy.loader import load_strategy_file

    for path in settings.SEED_STRATEGY_FILES:
        load_strategy_file(path)
    quiet = io.StringIO()
    today = date(2025, 11, 20)
    core_demo.load(today=today, rng=random.Random(1), stdout=quiet)  # noqa: S311 - synthetic data
    accounts_demo.load(today=today, rng=random.Random(1), stdout=quiet)  # noqa: S311 - synthetic data
    demo.load(today=today, rng=random.Random(7), stdout=quiet)  # noqa: S311 - synthetic data
    waits = Indicator.objects.get(name="Women waiting for counselling")
    assert waits.owner.kind == "health"
    marac = Indicator.objects.get(name="MARAC repeat referral rate")
    assert "Community Safety" in marac.owner.name
    referrals = Indicator.objects.get(source_measure__text__startswith="% increase in self-ref")
    assert referrals.name.startswith("Self-referrals and referrals")
    assert referrals.unit == Unit.COUNT
    assert referrals.targets.filter(kind="change").exists()
    assert "% change" in referrals.definition
