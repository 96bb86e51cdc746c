"""The admin's home page counts the case review recommendations that are overdue."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.learning.tests.factories import make_recommendation, make_review

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


def test_the_admin_sees_an_overdue_recommendation_until_it_is_done(
    partnership, personas, client_for
):
    review = make_review(partnership)
    overdue = make_recommendation(review, due_on=date(2025, 12, 31))
    make_recommendation(review, due_on=date(2026, 6, 30))
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "1 case review recommendation overdue" in shown
    listed = reverse("learning:recommendation-list", kwargs={"partnership": "wandsworth"})
    assert f'href="{listed}?show=overdue"' in shown
    overdue.completed_on = date(2026, 1, 15)
    overdue.save()
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "recommendation overdue" not in shown


def test_only_the_admin_sees_it(partnership, personas, client_for):
    make_recommendation(make_review(partnership), due_on=date(2025, 12, 31))
    for role in (Role.BOARD_MEMBER, Role.ACTION_LEAD, Role.PRACTITIONER):
        shown = client_for(personas[role]).get(HOME).content.decode()
        assert "recommendation overdue" not in shown


def test_another_partnerships_recommendations_never_count(partnership, personas, client_for):
    make_recommendation(make_review(partnership), due_on=date(2025, 12, 31))
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    shown = client_for(personas["outsider"]).get(home).content.decode()
    assert "recommendation overdue" not in shown
