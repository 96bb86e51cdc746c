"""The admin's home page says when the plan has ended with nothing loaded after it."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.strategy.tests.factories import make_strategy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


def test_the_admin_is_told_an_ended_plan_needs_a_successor(partnership, personas, client_for):
    ended = make_strategy(partnership, "plan-2022", start_year=2022, end_year=2025)
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert f"{ended.title} ended in March 2026: roll it over or load its successor" in shown
    rollover = reverse(
        "strategy:rollover", kwargs={"partnership": "wandsworth", "strategy": "plan-2022"}
    )
    assert f'href="{rollover}"' in shown
    make_strategy(partnership, "plan-2026", start_year=2026, end_year=2029)
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "roll it over" not in shown


def test_a_current_plan_says_nothing(partnership, personas, client_for):
    make_strategy(partnership, "plan-2026", start_year=2026, end_year=2029)
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "roll it over" not in shown


def test_only_the_admin_is_told(partnership, personas, client_for):
    make_strategy(partnership, "plan-2022", start_year=2022, end_year=2025)
    for role in (Role.BOARD_MEMBER, Role.ACTION_LEAD, Role.ANALYST):
        assert "roll it over" not in client_for(personas[role]).get(HOME).content.decode()
