"""Measures of success in a real browser: an admin defines an indicator with a baseline and
a target, its owner enters values, and the scorecard, the indicator page and its chart show
the status and trend. Every page on the way is checked with axe."""

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.periods import periods_ensure_range
from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import axe_problems

pytestmark = [pytest.mark.browser]


def _follow(page, locator) -> None:
    """Click a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def _axe_clean(axe: Axe, page) -> list[str]:
    return axe_problems(axe, page)


@pytest.fixture
def closed_periods(partnership):
    today = date.today()
    periods_ensure_range(
        partnership=partnership, first=today - timedelta(days=800), last=today + timedelta(days=90)
    )
    return list(partnership.reporting_periods.filter(end__lt=today).order_by("-start")[:3])


def test_an_indicator_from_definition_to_status(visit, personas, partnership, closed_periods):
    axe = Axe()
    problems: list[str] = []
    latest, before, baseline = closed_periods
    scorecard = reverse("measures:scorecard", kwargs={"partnership": partnership.slug})

    admin = visit()
    admin.sign_in(personas[Role.PARTNERSHIP_ADMIN.value].username)
    admin.open(scorecard)
    problems += _axe_clean(axe, admin.page)
    page = admin.page
    _follow(page, page.get_by_role("link", name="Define an indicator"))
    problems += _axe_clean(axe, page)
    page.get_by_label("Name", exact=True).fill("Referrals to the specialist service")
    page.get_by_label("Definition", exact=True).fill("Referrals received in the quarter.")
    page.get_by_label("Count", exact=True).check()
    page.get_by_label("Increase is good").check()
    page.get_by_label("Quarterly").check()
    page.get_by_label("Owner organisation").select_option(
        label=partnership.organisations.first().name
    )
    page.get_by_label("Partnership (all partnership staff)").check()
    page.get_by_label("Baseline", exact=True).fill("100")
    page.get_by_label("Baseline period").select_option(label=baseline.label)
    page.get_by_label("Tolerance").fill("10")
    _follow(page, page.get_by_role("button", name="Save indicator"))
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Referrals to the specialist service"
    )
    detail = page.url

    _follow(page, page.get_by_role("link", name="Set a target"))
    problems += _axe_clean(axe, page)
    page.get_by_label("Reporting year").fill("2020")
    page.get_by_label("An absolute value").check()
    page.get_by_label("Target", exact=True).fill("50")
    _follow(page, page.get_by_role("button", name="Set target"))
    # A target below the baseline of a rising indicator is refused, in the error summary.
    summary = page.locator(".govuk-error-summary")
    assert "is below the baseline (100)" in summary.inner_text()
    problems += _axe_clean(axe, page)
    year = latest.start.year if latest.start.month >= 4 else latest.start.year - 1
    page.get_by_label("Reporting year").fill(str(year))
    page.get_by_label("Target", exact=True).fill("200")
    _follow(page, page.get_by_role("button", name="Set target"))
    page.wait_for_load_state()
    assert page.url == detail

    owner = visit()
    owner.sign_in(personas[Role.ACTION_LEAD.value].username)
    owner.open(detail.removeprefix(owner.base_url))
    for period, value in ((before, "150"), (latest, "300")):
        _follow(owner.page, owner.page.get_by_role("link", name="Enter a value"))
        owner.page.get_by_label("Reporting period").select_option(label=period.label)
        owner.page.get_by_label("Value", exact=True).fill(value)
        problems += _axe_clean(axe, owner.page)
        _follow(owner.page, owner.page.get_by_role("button", name="Save value"))
        owner.page.wait_for_load_state()
        assert f"Value for {period.label} saved" in owner.page.inner_text("main")

    page = owner.page
    status = page.locator(".govuk-summary-list__row", has_text="Status").first
    assert "On track" in status.inner_text()
    previous = page.locator(".govuk-summary-list__row", has_text="Since the previous period")
    assert "Up 150 from 150 (improving)" in previous.inner_text()
    chart = page.locator("img.app-measures-chart")
    assert "Line chart of Referrals to the specialist service, 2 values" in (
        chart.get_attribute("alt")
    )
    assert page.evaluate("document.querySelector('img.app-measures-chart').naturalWidth") > 0
    table = page.get_by_role("table", name="The chart's figures").inner_text()
    assert "300" in table and "150" in table
    problems += _axe_clean(axe, page)
    owner.screenshot("measures--indicator-detail")

    owner.open(scorecard)
    row = page.get_by_role("row", name="Referrals to the specialist service")
    assert "On track" in row.inner_text() and "Up 150 from 150" in row.inner_text()
    problems += _axe_clean(axe, page)
    owner.screenshot("measures--scorecard")
    owner.open(reverse("measures:values-import", kwargs={"partnership": partnership.slug}))
    problems += _axe_clean(axe, page)
    assert not owner.console_errors and not owner.external
    assert not problems, "\n".join(problems)
