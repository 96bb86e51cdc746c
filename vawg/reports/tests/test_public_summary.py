"""The public annual summary on the published plan page."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from vawg.reports.public_summary import public_summary
from vawg.reports.tests import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return w.build(actions=6, indicators=2, incidents=6)


def test_it_tells_the_year_to_the_last_finished_quarter(world):
    summary = public_summary(world.partnership, today=w.TODAY)
    assert summary.year == "2026/27"
    assert summary.to == "30 September 2026"
    assert not summary.finished
    assert summary.delivery.startswith("Of 6 actions,")
    assert summary.measures.startswith("Of 3 measures of success")
    assert any(line.startswith("Synthetic measure 1: ") for line in summary.measure_lines)
    # Nothing live or provisional: the computed measure has no finished quarter to show.
    assert not any("computed" in line for line in summary.measure_lines)


def test_it_is_nothing_before_any_quarter_has_finished(world):
    assert public_summary(world.partnership, today=date(2025, 4, 2)) is None


def test_it_shows_on_the_published_plan_with_no_count_about_people(world, client):
    response = client.get(reverse("delivery:published-plan", args=[world.partnership.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Our year: " in page
    assert "What we did" in page
    assert w.FEEDBACK_WORDS not in page
    assert w.CANARY_WARD not in page


def test_its_template_says_so_when_the_year_is_still_running(world):
    summary = public_summary(world.partnership, today=w.TODAY)
    html = render_to_string("reports/includes/public_summary.html", {"annual_summary": summary})
    assert "How the year is going so far, up to 30 September 2026" in html
    assert 'class="govuk-heading-l"' in html
