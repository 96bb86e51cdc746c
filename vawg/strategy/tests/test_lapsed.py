"""A lapsed strategy says so on every page that shows or uses it, with what an admin can do.

Lapsed plans end in 2020 and current ones in 2090, so the tests hold whatever today is."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.testing import make_partnership
from vawg.delivery.tests.factories import make_world
from vawg.strategy.tests.factories import make_strategy

pytestmark = pytest.mark.django_db

BANNER = 'data-lapsed-strategy="plan"'
ADMIN_ONLY = "As a partnership admin you can"


def _rollover_url(strategy) -> str:
    return reverse(
        "strategy:rollover",
        kwargs={"partnership": strategy.partnership.slug, "strategy": strategy.slug},
    )


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


def _ending(world, end_year: int):
    world.strategy.start_year = min(2018, end_year)
    world.strategy.end_year = end_year
    world.strategy.save(update_fields=["start_year", "end_year"])
    return world


def _pages(world) -> dict[str, str]:
    """Every staff page that shows or uses the strategy, by name."""
    p = {"partnership": world.strategy.partnership.slug}
    plan = {**p, "strategy": world.strategy.slug}
    update = {**p, "pk": world.action.pk, "period": world.q3.pk}
    return {
        "strategy": reverse("strategy:strategy-detail", kwargs=plan),
        "action": reverse("strategy:action-detail", kwargs={**p, "pk": world.action.pk}),
        "plan-edit": reverse("strategy:plan-edit", kwargs=plan),
        "plan-history": reverse("strategy:plan-history", kwargs=plan),
        "dashboard": reverse("delivery:dashboard", kwargs=plan),
        "changes": reverse("delivery:changes", kwargs=plan),
        "update-edit": reverse("delivery:update-edit", kwargs=update),
        "my-actions": reverse("delivery:my-actions", kwargs=p),
    }


# --- The rule --------------------------------------------------------------------------


def test_it_ends_at_the_end_of_its_last_reporting_year(partnership):
    strategy = make_strategy(partnership, start_year=2022, end_year=2025)
    assert strategy.ends_on == date(2026, 3, 31)
    assert not strategy.lapsed_on(date(2026, 3, 31))
    assert strategy.lapsed_on(date(2026, 4, 1))


def test_a_calendar_year_strategy_ends_in_december(db):
    partnership = make_partnership(reporting_year_start_month=1)
    strategy = make_strategy(partnership, start_year=2022, end_year=2025)
    assert strategy.ends_on == date(2025, 12, 31)
    assert strategy.lapsed_on(date(2026, 1, 1))


def test_lapsed_reads_today(partnership):
    assert make_strategy(partnership, end_year=2020).lapsed
    assert not make_strategy(partnership, end_year=2090).lapsed


# --- The banner ----------------------------------------------------------------------------


def test_every_page_tells_the_admin_it_has_lapsed_and_what_to_do(world, client_for, personas):
    _ending(world, 2020)
    client = client_for(personas[Role.PARTNERSHIP_ADMIN.value])
    for name, address in _pages(world).items():
        if name == "update-edit" or name == "my-actions":
            continue  # the admin leads no action: the lead's pages are tested below
        body = client.get(address).content.decode()
        assert BANNER in body, name
        assert "ended in March 2021" in body, name
        assert ADMIN_ONLY in body, name
        assert _rollover_url(world.strategy) in body, name


def test_the_lead_is_told_it_has_lapsed_without_the_admin_s_actions(world, client_for):
    _ending(world, 2020)
    client = client_for(world.lead)
    for name, address in _pages(world).items():
        if name in ("plan-edit", "plan-history"):
            continue  # admins only
        response = client.get(address)
        body = response.content.decode()
        assert response.status_code == 200, name
        assert BANNER in body, name
        assert _rollover_url(world.strategy) not in body, name
        assert ADMIN_ONLY not in body, name
        assert "Your partnership admin can roll it over" in body, name


def test_the_admin_is_pointed_to_a_successor(world, client_for, personas):
    _ending(world, 2020)
    make_strategy(world.strategy.partnership, "next-plan", title="The next plan", start_year=2026)
    body = client_for(personas[Role.PARTNERSHIP_ADMIN.value]).get(_pages(world)["strategy"])
    assert "The next plan" in body.content.decode()


def test_a_current_strategy_shows_no_banner(world, client_for, personas):
    _ending(world, 2090)
    for user in (personas[Role.PARTNERSHIP_ADMIN.value], world.lead):
        client = client_for(user)
        for name, address in _pages(world).items():
            response = client.get(address)
            if response.status_code == 200:
                assert "govuk-notification-banner" not in response.content.decode(), name


def test_the_strategy_list_marks_the_ended_one(world, client_for, personas):
    _ending(world, 2020)
    make_strategy(world.strategy.partnership, "next-plan", title="The next plan", end_year=2090)
    address = reverse("strategy:strategy-list", kwargs={"partnership": "wandsworth"})
    body = client_for(personas[Role.BOARD_MEMBER.value]).get(address).content.decode()
    assert body.count("Ended March 2021") == 1


def test_the_published_plan_tells_the_public_without_the_admin_s_actions(world, client):
    _ending(world, 2020)
    address = reverse("delivery:published-plan", kwargs={"partnership": "wandsworth"})
    body = client.get(address).content.decode()
    assert BANNER in body
    assert "This plan covered 2018–2020 and ended in March 2021" in body
    assert ADMIN_ONLY not in body
    assert "partnership admin" not in body


def test_the_published_plan_of_a_current_strategy_has_no_banner(world, client):
    _ending(world, 2090)
    address = reverse("delivery:published-plan", kwargs={"partnership": "wandsworth"})
    assert BANNER not in client.get(address).content.decode()
