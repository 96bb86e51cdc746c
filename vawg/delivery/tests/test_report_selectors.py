"""What reports read from delivery: each action's latest approved update, and the plan
running on a day."""

from datetime import date

import pytest

from vawg.delivery.models import Status
from vawg.delivery.selectors import latest_approved_updates, strategy_on
from vawg.delivery.tests.factories import approved, make_world, post
from vawg.strategy.tests.factories import make_strategy

pytestmark = pytest.mark.django_db


def test_it_gives_each_action_its_latest_approved_update_by_a_date(partnership, personas):
    world = make_world(partnership, personas)
    q1, q2, q3 = world.periods[:3]
    approved(world.action, q1, Status.ON_TRACK, world.lead, world.chair, today=date(2025, 7, 5))
    second = approved(
        world.action, q2, Status.AT_RISK, world.lead, world.chair, today=date(2025, 10, 5)
    )
    post(world.action, q3, world.lead, status=Status.OFF_TRACK)  # submitted, not approved
    found = latest_approved_updates(
        partnership=partnership, strategy=world.strategy, until=q3.start
    )
    assert found == {world.action.pk: second}
    earlier = latest_approved_updates(
        partnership=partnership, strategy=world.strategy, until=q1.start
    )
    assert earlier[world.action.pk].period == q1


def test_the_plan_on_a_day_is_the_one_whose_reporting_years_hold_it(partnership):
    old = make_strategy(partnership, "old", start_year=2019, end_year=2021)
    new = make_strategy(partnership, "new", start_year=2022, end_year=2025)
    assert strategy_on(partnership=partnership, day=date(2026, 2, 1)) == new  # 2025/26
    assert strategy_on(partnership=partnership, day=date(2022, 3, 1)) == old  # 2021/22
    assert strategy_on(partnership=partnership, day=date(2030, 1, 1)) == new  # the newest
