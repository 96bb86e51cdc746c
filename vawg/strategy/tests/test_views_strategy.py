"""The strategy pages: the list of a partnership's strategies and one strategy in full."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.strategy.models import Quirk
from vawg.strategy.tests.factories import (
    make_action,
    make_measure_of_success,
    make_plan,
    make_priority,
    make_quirk,
    make_strategy,
)


def list_url(partnership) -> str:
    return reverse("strategy:strategy-list", kwargs={"partnership": partnership.slug})


def detail_url(strategy) -> str:
    return reverse(
        "strategy:strategy-detail",
        kwargs={"partnership": strategy.partnership.slug, "strategy": strategy.slug},
    )


@pytest.fixture
def plan(partnership):
    return make_plan(partnership)


# --- The list ----------------------------------------------------------------


def test_it_goes_straight_to_the_only_strategy(plan, personas, client_for):
    response = client_for(personas["board_member"]).get(list_url(plan.partnership))
    assert response.status_code == 302
    assert response.url == detail_url(plan)


def test_it_lists_several_strategies(plan, partnership, personas, client_for):
    make_strategy(partnership, "vawg-2025-28", title="Next VAWG Strategy", start_year=2025)
    response = client_for(personas["board_member"]).get(list_url(partnership))
    assert response.status_code == 200
    assert "Next VAWG Strategy" in response.text
    assert "Ending VAWG Strategy 2022–2025" in response.text


def test_it_says_when_no_strategy_is_loaded(partnership, personas, client_for):
    response = client_for(personas["action_lead"]).get(list_url(partnership))
    assert response.status_code == 200
    assert "No strategy has been loaded" in response.text


def test_the_list_requires_sign_in(client, plan):
    response = client.get(list_url(plan.partnership))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_list_is_not_shown_to_another_partnership(plan, personas, client_for):
    response = client_for(personas["outsider"]).get(list_url(plan.partnership))
    assert response.status_code == 404


def test_the_list_is_not_shown_to_a_regional_officer(plan, personas, client_for):
    # Their membership is to the region: they reach only suppressed aggregates.
    response = client_for(personas["regional_officer"]).get(list_url(plan.partnership))
    assert response.status_code == 404


def test_the_list_refuses_post(plan, personas, client_for):
    response = client_for(personas["board_member"]).post(list_url(plan.partnership))
    assert response.status_code == 405


# --- One strategy ------------------------------------------------------------


def test_it_shows_the_whole_strategy(plan, personas, client_for):
    response = client_for(personas["board_member"]).get(detail_url(plan))
    assert response.status_code == 200
    text = response.text
    assert "Ending VAWG Strategy 2022–2025" in text
    assert "2022–2025" in text
    assert "A borough where women and girls are safe and feel safe." in text
    assert "Survivor-centred" in text
    assert "Changing attitudes and behaviours" in text
    assert "Educate young people about healthy relationships" in text  # an aim
    assert "Objectives" in text and "Educate" in text
    action = plan.actions.first()
    assert action.ref in text and action.activity in text
    assert "Wandsworth Council – Community Safety" in text  # a resolved lead
    assert "Somebody unheard of" in text and "Not recognised – kept as written" in text
    assert "Strategic Partnership Board" in text and "Oversees delivery" in text
    assert "% decrease in repeat offending" in text and "Decrease" in text


def test_it_tags_a_reference_the_platform_assigned(plan, personas, client_for):
    priority = plan.priorities.get()
    make_action(priority, "AB.99", ref_assigned=True, activity="Unreferenced activity")
    response = client_for(personas["board_member"]).get(detail_url(plan))
    assert 'AB.99 <strong class="govuk-tag govuk-tag--grey">Assigned' in response.text


def test_it_says_when_the_source_states_no_direction(plan, personas, client_for):
    make_measure_of_success(plan, "Victims report feeling safer", direction="")
    response = client_for(personas["board_member"]).get(detail_url(plan))
    assert "Victims report feeling safer" in response.text
    assert "Not stated in the source" in response.text


def test_it_counts_open_quirks_and_links_admins_to_them(plan, personas, client_for):
    make_quirk(plan, Quirk.Code.OTHER, resolved_at="2025-01-01T00:00Z")  # completed: not counted
    quirk_list = reverse("strategy:quirk-list", kwargs={"partnership": plan.partnership.slug})

    admin_page = client_for(personas["partnership_admin"]).get(detail_url(plan)).text
    assert "leaves 3 things missing or unclear" in admin_page
    assert quirk_list in admin_page

    lead_page = client_for(personas["action_lead"]).get(detail_url(plan)).text
    assert "leaves 3 things missing or unclear" in lead_page
    assert quirk_list not in lead_page


def test_its_query_count_does_not_grow_with_the_plan(
    partnership, personas, client_for, django_assert_max_num_queries
):
    small = make_plan(partnership, actions=2, slug="small")
    large = make_plan(partnership, actions=30, slug="large")
    for _ in range(3):
        make_action(large.priorities.get(), leads=("Another unknown",))
    make_priority(large, "IH")
    client = client_for(personas["board_member"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(small)).status_code == 200
    with django_assert_max_num_queries(len(few)):
        assert client.get(detail_url(large)).status_code == 200


def test_the_detail_of_another_partnerships_strategy_is_404(
    plan, other_partnership, personas, client_for
):
    theirs = make_strategy(other_partnership, "lambeth-plan")
    response = client_for(personas["board_member"]).get(
        reverse(
            "strategy:strategy-detail",
            kwargs={"partnership": plan.partnership.slug, "strategy": theirs.slug},
        )
    )
    assert response.status_code == 404


def test_the_detail_is_not_shown_to_another_partnership(plan, personas, client_for):
    assert client_for(personas["outsider"]).get(detail_url(plan)).status_code == 404


def test_the_detail_requires_sign_in(client, plan):
    response = client.get(detail_url(plan))
    assert response.status_code == 302
    assert "next=" in response.url


def test_the_detail_refuses_post(plan, personas, client_for):
    assert client_for(personas["board_member"]).post(detail_url(plan)).status_code == 405
