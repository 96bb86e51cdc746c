"""The admin's and the board member's home pages count the measures off track."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vawg.core.metrics import Unit
from vawg.core.permissions import Role
from vawg.measures.models import IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


@pytest.fixture
def value(partnership):
    """A share kept between 28% and 40%, measured at 20% in 2025/26 Q1: off track."""
    periods = make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))
    indicator = make_indicator(
        partnership, direction="range", unit=Unit.PERCENTAGE, denominator="Cases", tolerance=3
    )
    Target.objects.create(
        indicator=indicator, year=2025, kind="absolute", amount=D(28), upper=D(40)
    )
    return IndicatorValue.objects.create(
        indicator=indicator, period=periods["2025/26 Q1"], value=D(20), source="entered"
    )


def page(client_for, user, url=HOME) -> str:
    return client_for(user).get(url).content.decode()


def test_the_admin_and_the_board_see_a_measure_off_track_until_it_recovers(
    value, personas, client_for
):
    for role in (Role.PARTNERSHIP_ADMIN, Role.BOARD_MEMBER):
        shown = page(client_for, personas[role])
        assert "1 measure of success off track" in shown
        scorecard = reverse("measures:scorecard", kwargs={"partnership": "wandsworth"})
        assert f'href="{scorecard}?status=off_track"' in shown
    IndicatorValue.objects.filter(pk=value.pk).update(value=D(30))
    assert "off track" not in page(client_for, personas[Role.BOARD_MEMBER])


def test_roles_whose_job_it_is_not_do_not_see_it(value, personas, client_for):
    for role in (Role.PRACTITIONER, Role.ACTION_LEAD):
        assert "measure of success off track" not in page(client_for, personas[role])


def test_another_partnerships_measures_never_count(value, personas, client_for):
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "measure of success off track" not in page(client_for, personas["outsider"], home)
