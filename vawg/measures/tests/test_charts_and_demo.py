import io
import random
from datetime import date
from decimal import Decimal as D

from django.conf import settings
from django.template.loader import render_to_string

from vawg.core import disclosure
from vawg.core.metrics import Unit
from vawg.core.permissions import Role
from vawg.measures import charts, demo, selectors
from vawg.measures.models import Indicator, IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods

TODAY = date(2026, 2, 10)


def _summary(indicator):
    indicator = selectors.indicator_for_detail(
        partnership=indicator.partnership, roles={Role.ANALYST}, pk=indicator.pk
    )
    return selectors.summarise(indicator, today=TODAY, audience=disclosure.CONTROLLED, period=None)


def test_a_range_chart_and_an_empty_chart_render_the_same_every_time(partnership):
    periods = make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))
    ranged = make_indicator(partnership, direction="range", unit=Unit.PERCENTAGE, denominator="X")
    Target.objects.create(indicator=ranged, year=2025, kind="absolute", amount=D(28), upper=D(40))
    for label, value in (("2025/26 Q1", 25), ("2025/26 Q2", 31)):
        IndicatorValue.objects.create(
            indicator=ranged, period=periods[label], value=D(value), source="entered"
        )
    summary = _summary(ranged)
    svg = charts.indicator_chart(summary)
    assert b"Target range" in svg and svg == charts.indicator_chart(summary)
    assert charts.chart_alt_text(summary).startswith(
        "Line chart of Referrals to specialist support, 2 values from 2025/26 Q1 to 2025/26 Q2"
    )
    empty = _summary(make_indicator(partnership, name="Nothing yet"))
    assert b"No values yet" in charts.indicator_chart(empty)
    assert charts.chart_alt_text(empty).endswith("no values to show yet.")
    assert charts.indicator_chart(empty, "png").startswith(b"\x89PNG")


def test_a_hidden_value_has_no_point_on_the_chart_and_is_said_in_words(partnership):
    periods = make_periods(partnership, date(2025, 4, 1), date(2025, 9, 30))
    indicator = make_indicator(partnership)
    for label, value in (("2025/26 Q1", 20), ("2025/26 Q2", 3)):
        IndicatorValue.objects.create(
            indicator=indicator, period=periods[label], value=D(value), source="entered"
        )
    board = _summary(indicator)
    assert [(p.shown, p.value) for p in board.points] == [("20", D(20)), ("fewer than 5", None)]
    assert charts.chart_alt_text(board).startswith(
        "Line chart of Referrals to specialist support, 1 value from 2025/26 Q1 to 2025/26 Q1"
    )
    fetched = selectors.indicator_for_detail(
        partnership=partnership, roles={Role.ANALYST}, pk=indicator.pk
    )
    analyst = selectors.summarise(
        fetched,
        today=TODAY,
        audience=disclosure.EXACT,
        period=None,
    )
    assert charts.chart_alt_text(analyst).startswith(
        "Line chart of Referrals to specialist support, 2 values"
    )
    assert charts.indicator_chart(board) != charts.indicator_chart(analyst)


def test_the_public_include_renders_controlled_figures(partnership):
    periods = make_periods(partnership, date(2025, 4, 1), date(2025, 6, 30))
    public = make_indicator(partnership, name="Offences reported", disclosure="public")
    IndicatorValue.objects.create(
        indicator=public, period=periods["2025/26 Q1"], value=D(3), source="entered"
    )
    html = render_to_string(
        "measures/includes/public_indicators.html",
        {"indicators": selectors.public_indicators(partnership, today=TODAY)},
    )
    assert "Offences reported" in html and "fewer than 5" in html
    assert "No measures of success have been published yet" in render_to_string(
        "measures/includes/public_indicators.html", {"indicators": []}
    )


def test_the_demo_is_synthetic_deterministic_and_can_run_twice(db):
    from vawg.accounts import demo as accounts_demo
    from vawg.core import demo as core_demo
    from vawg.strategy.loader import load_strategy_file

    for path in settings.SEED_STRATEGY_FILES:
        load_strategy_file(path)
    quiet = io.StringIO()
    core_demo.load(today=TODAY, rng=random.Random(1), stdout=quiet)  # noqa: S311 - synthetic data, not a secret
    accounts_demo.load(today=TODAY, rng=random.Random(1), stdout=quiet)  # noqa: S311 - synthetic data, not a secret
    demo.load(today=TODAY, rng=random.Random(7), stdout=quiet)  # noqa: S311 - synthetic data, not a secret
    first = list(IndicatorValue.objects.order_by("pk").values_list("indicator__name", "value"))
    assert Indicator.objects.filter(partnership__slug="lambeth").count() == 17
    assert Indicator.objects.filter(partnership__slug="lambeth", direction="").count() == 5
    assert Indicator.objects.filter(partnership__slug="wandsworth").count() == 3
    assert len(first) > 100
    demo.load(today=TODAY, rng=random.Random(7), stdout=quiet)  # noqa: S311 - synthetic data, not a secret
    assert list(IndicatorValue.objects.order_by("pk").values_list("indicator__name", "value")) == (
        first
    )
    assert Indicator.objects.count() == 20
