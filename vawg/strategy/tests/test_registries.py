"""What other apps add to strategy's pages and rollover comes through its registries."""

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.strategy import editing
from vawg.strategy.registries import (
    ActionPanel,
    PlanPanel,
    RolloverStep,
    action_panels,
    plan_panels,
    rollover_steps,
)
from vawg.strategy.tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(partnership):
    return make_plan(partnership, actions=3)


@pytest.fixture
def panel_template(tmp_path, settings):
    """A template folder of the test's own, for panels no app ships."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    return tmp_path


@pytest.fixture
def contribute():
    """Register an entry for one test, and take it out afterwards."""
    added = []

    def add(registry, key, entry, order=100):
        registry.register(key, entry, order=order)
        added.append((registry, key))

    yield add
    for registry, key in added:
        registry.unregister(key)


def detail_url(action) -> str:
    return reverse(
        "strategy:action-detail",
        kwargs={"partnership": action.strategy.partnership.slug, "pk": action.pk},
    )


def test_the_apps_contribute_from_their_ready():
    # Delivery's progress comes before learning's links, as the page has always shown them.
    assert action_panels.keys() == ["delivery.progress", "learning.links"]
    # The year in plain English comes before the table of measures.
    assert plan_panels.keys() == ["reports.annual_summary", "measures.indicators"]
    assert rollover_steps.keys() == ["delivery.complete"]


def test_a_contributed_panel_shows_on_the_action_page_in_its_place(
    plan, personas, client_for, panel_template, contribute
):
    (panel_template / "witness.html").write_text("<p>Witness for {{ action.ref }}: {{ seen }}</p>")
    contribute(
        action_panels,
        "test.witness",
        ActionPanel("witness.html", lambda request, action: {"seen": request.user.username}),
        order=15,
    )
    action = plan.actions.first()
    viewer = personas[Role.BOARD_MEMBER.value]

    page = client_for(viewer).get(detail_url(action)).content.decode()

    assert f"<p>Witness for {action.ref}: {viewer.username}</p>" in page
    assert page.index("Progress across periods") < page.index("<p>Witness") < page.index("Source")


def test_a_panel_is_shown_only_to_roles_its_permission_grants(
    plan, personas, client_for, panel_template, contribute
):
    (panel_template / "managers.html").write_text("<p>For managers only</p>")
    contribute(
        action_panels,
        "test.managers",
        ActionPanel("managers.html", lambda request, action: {}, permission="strategy.manage"),
    )
    url = detail_url(plan.actions.first())

    admin_page = client_for(personas[Role.PARTNERSHIP_ADMIN.value]).get(url).content.decode()
    board_page = client_for(personas[Role.BOARD_MEMBER.value]).get(url).content.decode()

    assert "For managers only" in admin_page
    assert "For managers only" not in board_page


def test_a_contributed_section_shows_on_the_published_plan(
    plan, client, panel_template, contribute
):
    (panel_template / "public.html").write_text("<p>Public section for {{ who }}</p>")
    contribute(plan_panels, "test.public", PlanPanel("public.html", lambda p: {"who": p.name}))

    response = client.get(
        reverse("delivery:published-plan", kwargs={"partnership": plan.partnership.slug})
    )

    assert f"<p>Public section for {plan.partnership.name}</p>" in response.content.decode()


def test_the_rollover_leaves_behind_what_any_step_counts_as_complete(plan, personas, contribute):
    first, second, third = plan.actions.order_by("order")
    contribute(rollover_steps, "test.done", RolloverStep(lambda actions: [second.pk]))

    result = editing.strategy_rollover(
        strategy=plan,
        slug="next-plan",
        title="Next plan",
        start_year=2026,
        end_year=2027,
        actor=personas[Role.PARTNERSHIP_ADMIN.value],
    )

    assert (result.carried, result.left_complete) == (2, 1)
    assert [a.carried_from for a in result.strategy.actions.order_by("order")] == [first, third]
