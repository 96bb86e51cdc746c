"""The indicator chart shows the periods its table shows: the same reporting periods
(financial quarters, not calendar months), with the same labels, in the same order, and
a y axis that names the unit."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vawg.core.metrics import Unit
from vawg.measures.models import IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def url(name: str, **kwargs) -> str:
    return reverse(f"measures:{name}", kwargs={"partnership": "wandsworth", **kwargs})


@pytest.fixture
def closed(partnership):
    """The last four closed quarters, oldest first."""
    today = date.today()
    make_periods(partnership, today - timedelta(days=800), today + timedelta(days=100))
    ended = partnership.reporting_periods.filter(end__lt=today).order_by("-start")[:4]
    return list(reversed(ended))


def table_periods(page: str) -> list[str]:
    """The period labels of the page's table of the chart's figures, in order (the
    baseline row is drawn as a line across the chart, not as a period)."""
    table = re.search(r"The chart's figures</caption>.*?</table>", page, re.S).group(0)
    rows = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', table, re.S)
    labels = [html.unescape(re.sub(r"<[^>]+>", "", r)).strip() for r in rows]
    return [label for label in labels if not label.startswith("Baseline (")]


def _parse(svg: bytes) -> ET.Element:
    # The platform's own drawing, not a file from outside.
    return ET.fromstring(svg)  # noqa: S314


def _texts(group) -> list[str]:
    return [t.text for t in group.iter(f"{SVG}text") if t.text]


def x_tick_labels(svg: bytes) -> list[str]:
    root = _parse(svg)
    ticks = [g for g in root.iter(f"{SVG}g") if re.fullmatch(r"xtick_\d+", g.get("id", ""))]
    return [" ".join(_texts(g)) for g in ticks]


def y_axis_label(svg: bytes) -> str:
    """The y axis's own label: its text that is not a tick's."""
    root = _parse(svg)
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "matplotlib.axis_2")
    ticks = {
        id(t)
        for g in axis.iter(f"{SVG}g")
        if g.get("id", "").startswith("ytick_")
        for t in g.iter(f"{SVG}text")
    }
    (label,) = [t.text for t in axis.iter(f"{SVG}text") if id(t) not in ticks]
    return label


def test_the_chart_plots_the_table_s_quarters_with_their_labels_and_the_unit(
    client_for, personas, partnership, closed
):
    indicator = make_indicator(
        partnership,
        name="Women who feel safer after support",
        unit=Unit.PERCENTAGE,
        denominator="Women supported",
        baseline_value=60,
        baseline_period=closed[0],
    )
    Target.objects.create(
        indicator=indicator, year=closed[-1].start.year, kind="absolute", amount=D(75)
    )
    for period, value in zip(closed[1:], (62, 64.5, 70), strict=True):
        IndicatorValue.objects.create(
            indicator=indicator, period=period, value=D(str(value)), source="entered"
        )
    client = client_for(personas["board_member"])
    page = client.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    svg = client.get(url("indicator-chart", pk=indicator.pk, fmt="svg")).content
    periods = table_periods(page)
    assert periods == [p.label for p in closed[1:]]
    assert all(re.fullmatch(r"\d{4}/\d{2} Q[1-4]", p) for p in periods)  # quarters, not months
    assert x_tick_labels(svg) == periods
    assert y_axis_label(svg) == "Percentage (%)"
    assert "Women who feel safer after support" in _texts(_parse(svg))


def test_a_hidden_count_keeps_its_period_on_the_axis_with_no_point(
    client_for, personas, partnership, closed
):
    indicator = make_indicator(partnership)
    for period, value in zip(closed, (20, 3, 40, 38), strict=True):
        IndicatorValue.objects.create(
            indicator=indicator, period=period, value=D(value), source="entered"
        )
    client = client_for(personas["board_member"])
    page = client.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    svg = client.get(url("indicator-chart", pk=indicator.pk, fmt="svg")).content
    assert "fewer than 5" in page
    assert x_tick_labels(svg) == table_periods(page) == [p.label for p in closed]
    assert y_axis_label(svg) == "Number"
    # The value line has a marker for each figure shown and none for the hidden one.
    values = next(g for g in _parse(svg).iter(f"{SVG}g") if g.get("id") == "values")
    assert len(list(values.iter(f"{SVG}use"))) == 3
