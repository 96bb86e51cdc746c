"""The dashboard's trend is honest about time: the latest months end at the last complete
one, a month still under way is marked wherever it is shown, and the chart has axes."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from vawg.core.periods import add_months, reporting_year_start
from vawg.core.permissions import Role
from vawg.insight import selectors
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db


def dashboard_url(partnership) -> str:
    return reverse("insight:dashboard", kwargs={"partnership": partnership.slug})


@pytest.fixture
def held(partnership):
    """Incidents in each of the last 14 months, this one (part-finished) included."""
    make_wards(partnership)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    rows = [
        row(f"T{k}-{i}", when=add_months(this_month, -k).isoformat())
        for k in range(14)
        for i in range(6)
    ]
    import_rows(partnership, rows, today=today)
    return this_month


def test_the_latest_12_months_end_at_the_last_complete_month(partnership):
    today = date(2026, 12, 7)
    first, last = selectors.period_months("12", (partnership.pk,), 4, today)
    assert (first, last) == (date(2025, 12, 1), date(2026, 11, 1))


def test_the_default_view_leaves_out_the_month_under_way(client_for, personas, partnership, held):
    page = client_for(personas[Role.ANALYST]).get(dashboard_url(partnership))
    trend = page.context["board"].trend
    months = [p.month for p in trend.points]
    assert months[-1] == add_months(held, -1)
    assert held not in months
    assert len(months) == 12
    assert "Part month" not in page.content.decode()


def test_a_year_with_the_month_under_way_marks_it(client_for, personas, partnership, held):
    year = reporting_year_start(partnership, held)
    page = client_for(personas[Role.ANALYST]).get(
        dashboard_url(partnership), {"period": f"year:{year:%Y}"}
    )
    trend = page.context["board"].trend
    assert [p.month for p in trend.points if p.partial] == [held]
    body = page.content.decode()
    assert "Part month" in body
    assert f"{held:%b %y} (part)" in body
    assert "not yet over" in trend.summary


def test_the_trend_chart_has_axes_labelled_with_the_table_s_months(
    client_for, personas, partnership, held
):
    page = client_for(personas[Role.ANALYST]).get(dashboard_url(partnership))
    body = page.content.decode()
    svg = re.search(r'<svg class="app-trend".*?</svg>\s*</svg>', body, re.S).group(0)
    assert "Incidents a month" in svg
    assert ">Month<" in svg
    labels = re.findall(r'font-size="11">([^<]+)</text>', svg)
    shown = [f"{p.month:%b %y}" for p in page.context["board"].trend.points]
    assert labels == shown  # twelve months: every one is labelled, and no other
    assert len(re.findall(r'text-anchor="end">[0-9,]+</text>', svg)) == 3


def trend_csv(client, partnership, params: dict) -> list[list[str]]:
    url = reverse(
        "insight:dashboard-csv", kwargs={"partnership": partnership.slug, "chart": "trend"}
    )
    response = client.get(url, params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_trend_download_marks_the_month_under_way_as_the_page_does(
    client_for, personas, partnership, held
):
    client = client_for(personas[Role.BOARD_MEMBER])
    year = reporting_year_start(partnership, held)
    params = {"period": f"year:{year:%Y}"}
    page = client.get(dashboard_url(partnership), params)
    points = page.context["board"].trend.points
    header, *rows = trend_csv(client, partnership, params)
    assert header[:2] == ["Month", "Complete month"]
    assert [r[0] for r in rows] == [f"{p.month:%Y-%m}" for p in points]
    # Complete up to the month under way; that month, and any after it the year reaches,
    # are not.
    assert [r[1] for r in rows] == ["Yes" if p.month < held else "No" for p in points]
    assert [p.month for p in points if p.partial] == [held]
    assert [r[1] for r in rows if r[0] == f"{held:%Y-%m}"] == ["No"]
    # The figures are the page's, as shown.
    assert [r[2] for r in rows] == [p.figure.text for p in points]


def test_the_default_trend_download_has_only_complete_months(
    client_for, personas, partnership, held
):
    header, *rows = trend_csv(client_for(personas[Role.BOARD_MEMBER]), partnership, {})
    assert len(rows) == 12
    assert {r[1] for r in rows} == {"Yes"}
    assert f"{held:%Y-%m}" not in [r[0] for r in rows]
