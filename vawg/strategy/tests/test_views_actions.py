"""Finding actions (search, filters, pages) and reading one action in full."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.core.testing import make_body, make_organisation
from vawg.strategy.models import Quirk
from vawg.strategy.tests.factories import (
    make_action,
    make_objective,
    make_plan,
    make_priority,
    make_quirk,
    make_strategy,
)
from vawg.strategy.views import ACTIONS_PER_PAGE


def search_url(partnership) -> str:
    return reverse("strategy:action-search", kwargs={"partnership": partnership.slug})


def detail_url(action) -> str:
    return reverse(
        "strategy:action-detail",
        kwargs={"partnership": action.strategy.partnership.slug, "pk": action.pk},
    )


@pytest.fixture
def plan(partnership):
    """Two priorities: AB with a schools action and a police-led action, IH with a forum action."""
    strategy = make_strategy(partnership, "vawg-2022-25")
    ab = make_priority(strategy, "AB", title="Changing attitudes and behaviours")
    ih = make_priority(strategy, "IH", title="Early identification and help")
    council = partnership.organisations.get()
    police = make_organisation(partnership, "Metropolitan Police Service")
    forum = make_body(partnership, "Practitioners' Forum")
    make_action(
        ab,
        "AB.01",
        activity="Work together with schools on healthy relationships",
        measures=("Pupils recognise healthy relationships",),
        leads=(council,),
    )
    make_action(
        ab,
        "AB.02",
        activity="Run a communications campaign",
        sub_activities=[{"label": "(a)", "text": "White Ribbon accreditation"}],
        measures=("Increased public awareness",),
        leads=(police, "Key partners"),
    )
    make_action(
        ih,
        "IH.01",
        activity="Develop a coordinated community response",
        measures=("Fewer reports of abuse in public spaces",),
        leads=(forum,),
    )
    return strategy


def refs_in(response) -> list[str]:
    return [action.ref for action in response.context["page"]]


# --- Search ------------------------------------------------------------------


def test_it_lists_every_action_without_a_search(plan, personas, client_for):
    response = client_for(personas["action_lead"]).get(search_url(plan.partnership))
    assert response.status_code == 200
    assert refs_in(response) == ["AB.01", "AB.02", "IH.01"]
    assert "3 actions" in response.text
    assert "Work together with schools on healthy relationships" in response.text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ab.02", ["AB.02"]),  # the reference
        ("schools", ["AB.01"]),  # the activity
        ("white ribbon", ["AB.02"]),  # a sub-activity, every word must match
        ("public spaces", ["IH.01"]),  # a measure
        ("metropolitan", ["AB.02"]),  # a lead's organisation
        ("key partners", ["AB.02"]),  # a lead as written, not recognised
        ("forum", ["IH.01"]),  # a lead that is a partnership body
        ("nothing-like-this", []),
    ],
)
def test_it_searches_refs_activities_measures_and_leads(plan, personas, client_for, q, expected):
    response = client_for(personas["action_lead"]).get(search_url(plan.partnership), {"q": q})
    assert response.status_code == 200
    assert refs_in(response) == expected


def test_it_says_when_nothing_matches(plan, personas, client_for):
    response = client_for(personas["action_lead"]).get(
        search_url(plan.partnership), {"q": "nothing-like-this"}
    )
    assert "No actions match this search." in response.text


def test_it_filters_by_priority_and_lead(plan, personas, client_for):
    client = client_for(personas["action_lead"])
    url = search_url(plan.partnership)
    assert refs_in(client.get(url, {"priority": "IH"})) == ["IH.01"]
    police = plan.partnership.organisations.get(name="Metropolitan Police Service")
    assert refs_in(client.get(url, {"lead": police.pk})) == ["AB.02"]
    assert refs_in(client.get(url, {"priority": "IH", "lead": police.pk})) == []


def test_it_filters_by_strategy(plan, partnership, personas, client_for):
    later = make_strategy(partnership, "vawg-2025-28", start_year=2025)
    make_action(make_priority(later, "AB"), "AB.01", activity="Later plan's first action")
    client = client_for(personas["action_lead"])
    response = client.get(search_url(partnership), {"strategy": "vawg-2025-28"})
    assert [a.activity for a in response.context["page"]] == ["Later plan's first action"]
    assert "Strategy" in response.text  # the filter shows once there are two strategies


def test_a_filter_value_not_offered_gives_a_specific_error(plan, personas, client_for):
    response = client_for(personas["action_lead"]).get(
        search_url(plan.partnership), {"priority": "ZZ", "lead": "not-a-number"}
    )
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Choose one of the options for “Priority”." in response.text
    assert "Choose one of the options for “Lead”." in response.text
    assert "govuk-error-summary" in response.text


def test_it_does_not_offer_another_partnerships_lead(plan, other_partnership, personas, client_for):
    theirs = other_partnership.organisations.get()
    response = client_for(personas["action_lead"]).get(
        search_url(plan.partnership), {"lead": theirs.pk}
    )
    assert response.context["page"] is None
    assert "Choose one of the options for “Lead”." in response.text


def test_it_pages_through_many_actions(partnership, personas, client_for):
    make_plan(partnership, actions=ACTIONS_PER_PAGE + 2)
    client = client_for(personas["action_lead"])
    first = client.get(search_url(partnership))
    assert len(first.context["page"]) == ACTIONS_PER_PAGE
    assert 'class="govuk-pagination"' in first.text
    assert "?page=2" in first.text
    second = client.get(search_url(partnership), {"page": 2})
    assert len(second.context["page"]) == 2


def test_a_search_keeps_its_terms_in_the_page_links(partnership, personas, client_for):
    make_plan(partnership, actions=ACTIONS_PER_PAGE + 1)
    response = client_for(personas["action_lead"]).get(search_url(partnership), {"q": "activity"})
    assert "?q=activity&amp;page=2" in response.text


def test_the_search_query_count_does_not_grow_with_the_actions(
    partnership, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas["action_lead"])
    make_plan(partnership, actions=2, slug="small")
    with CaptureQueriesContext(connection) as few:
        assert client.get(search_url(partnership), {"q": "activity"}).status_code == 200
    make_plan(partnership, actions=ACTIONS_PER_PAGE * 2, slug="large")
    with django_assert_max_num_queries(len(few)):
        response = client.get(search_url(partnership), {"q": "activity"})
    assert len(response.context["page"]) == ACTIONS_PER_PAGE


def test_the_search_requires_sign_in(client, plan):
    response = client.get(search_url(plan.partnership))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_search_is_not_shown_to_another_partnership(plan, personas, client_for):
    assert client_for(personas["outsider"]).get(search_url(plan.partnership)).status_code == 404


def test_the_search_is_not_shown_to_a_regional_officer(plan, personas, client_for):
    response = client_for(personas["regional_officer"]).get(search_url(plan.partnership))
    assert response.status_code == 404


def test_the_search_refuses_post(plan, personas, client_for):
    assert client_for(personas["action_lead"]).post(search_url(plan.partnership)).status_code == 405


# --- One action --------------------------------------------------------------


def test_it_shows_everything_the_source_says_about_an_action(plan, personas, client_for):
    action = plan.actions.get(ref="AB.02")
    action.measures_intro = "Young adults:"
    action.leads_as_written = "Police and key partners"
    action.save()
    make_objective(action.priority, "Raise awareness", number="1")
    make_quirk(plan, Quirk.Code.UNRESOLVED_LEAD, action=action, detail="'Key partners' unknown")
    response = client_for(personas["board_member"]).get(detail_url(action))
    assert response.status_code == 200
    text = response.text
    assert "Action AB.02" in text
    assert "AB – Changing attitudes and behaviours" in text
    assert "1. Raise awareness" in text
    assert "Run a communications campaign" in text
    assert "(a) White Ribbon accreditation" in text
    assert "Young adults:" in text and "Increased public awareness" in text
    assert "Metropolitan Police Service" in text
    assert 'Key partners <strong class="govuk-tag govuk-tag--grey">Not recognised' in text
    assert "Police and key partners" in text
    assert "Not given in the source" in text  # no deliver-by date
    assert "Lead not recognised" in text and "&#x27;Key partners&#x27; unknown" in text
    assert "Open" in text


def test_it_shows_a_date_the_partnership_added(plan, personas, client_for):
    action = plan.actions.get(ref="AB.01")
    action.deliver_by = "2026-03-31"
    action.save()
    response = client_for(personas["board_member"]).get(detail_url(action))
    assert "31 March 2026" in response.text
    assert "Added by the partnership: the source gives no date." in response.text


def test_it_offers_admins_a_link_to_complete_a_quirk(plan, personas, client_for):
    action = plan.actions.get(ref="AB.01")
    quirk = make_quirk(plan, Quirk.Code.NO_DELIVER_BY, action=action)
    link = reverse(
        "strategy:quirk-resolve", kwargs={"partnership": plan.partnership.slug, "pk": quirk.pk}
    )
    assert link in client_for(personas["partnership_admin"]).get(detail_url(action)).text
    assert link not in client_for(personas["action_lead"]).get(detail_url(action)).text


def test_an_action_of_another_partnership_is_404(plan, other_partnership, personas, client_for):
    theirs = make_plan(other_partnership).actions.first()
    url = reverse(
        "strategy:action-detail", kwargs={"partnership": plan.partnership.slug, "pk": theirs.pk}
    )
    assert client_for(personas["board_member"]).get(url).status_code == 404


def test_the_action_is_not_shown_to_another_partnership(plan, personas, client_for):
    action = plan.actions.first()
    assert client_for(personas["outsider"]).get(detail_url(action)).status_code == 404


def test_the_action_requires_sign_in(client, plan):
    response = client.get(detail_url(plan.actions.first()))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_action_refuses_post(plan, personas, client_for):
    response = client_for(personas["board_member"]).post(detail_url(plan.actions.first()))
    assert response.status_code == 405


def test_the_action_query_count_does_not_grow_with_its_leads_and_measures(
    plan, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas["board_member"])
    small = plan.actions.get(ref="IH.01")
    large = make_action(
        small.priority,
        measures=tuple(f"Measure {n}" for n in range(20)),
        leads=tuple(f"Unknown lead {n}" for n in range(20)),
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(small)).status_code == 200
    with django_assert_max_num_queries(len(few)):
        assert client.get(detail_url(large)).status_code == 200


def test_the_action_page_lists_the_learning_linked_to_it(plan, personas, client_for):
    from vawg.learning.tests.factories import make_course

    action = plan.actions.first()
    course = make_course(action.strategy.partnership, "Healthy relationships for teachers")
    course.actions.add(action)

    page = client_for(personas["board_member"]).get(detail_url(action)).content.decode()

    assert "Partnership learning for this action" in page
    assert "Healthy relationships for teachers" in page
