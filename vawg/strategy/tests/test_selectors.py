"""Reading the strategy: scoping, search terms, filters and quirk grouping."""

import pytest
from django.http import Http404
from django.utils import timezone

from vawg.core.testing import make_organisation
from vawg.strategy.models import Quirk
from vawg.strategy.selectors import (
    QuirkStatus,
    action_search_options,
    actions_matching,
    quirks_by_strategy,
    strategy_for_detail,
)
from vawg.strategy.tests.factories import (
    make_action,
    make_plan,
    make_priority,
    make_quirk,
    make_strategy,
)


def refs(actions) -> list[str]:
    return [a.ref for a in actions]


@pytest.fixture
def priority(partnership):
    return make_priority(make_strategy(partnership, "vawg-2022-25"), "IH")


def test_search_never_reaches_another_partnership(partnership, other_partnership):
    make_action(make_priority(make_strategy(other_partnership), "AB"), "AB.01", activity="Schools")
    assert refs(actions_matching(partnership=partnership, q="schools")) == []
    assert refs(actions_matching(partnership=other_partnership, q="schools")) == ["AB.01"]


def test_every_word_must_match(priority):
    make_action(priority, "IH.01", activity="Safe spaces in parks")
    make_action(priority, "IH.02", activity="Safe night-time economy")
    assert refs(actions_matching(partnership=priority.strategy.partnership, q="safe parks")) == [
        "IH.01"
    ]


def test_it_finds_words_with_non_ascii_letters_in_sub_activities(priority):
    make_action(
        priority,
        "IH.05",
        sub_activities=[{"label": "1.", "text": "Children’s services – screening tool"}],
    )
    make_action(priority, "IH.06")
    partnership = priority.strategy.partnership
    assert refs(actions_matching(partnership=partnership, q="Children’s")) == ["IH.05"]
    assert refs(actions_matching(partnership=partnership, q="screening")) == ["IH.05"]


def test_it_searches_the_words_of_sub_activities_not_how_they_are_stored(priority):
    make_action(priority, "IH.05", sub_activities=[{"label": "1.", "text": "Family Hubs"}])
    partnership = priority.strategy.partnership
    assert refs(actions_matching(partnership=partnership, q="hubs")) == ["IH.05"]
    assert refs(actions_matching(partnership=partnership, q="label")) == []
    assert refs(actions_matching(partnership=partnership, q="text")) == []


def test_an_action_with_several_matching_leads_is_listed_once(priority):
    make_action(priority, "IH.01", leads=("Police team A", "Police team B"))
    partnership = priority.strategy.partnership
    assert refs(actions_matching(partnership=partnership, q="police")) == ["IH.01"]


def test_the_lead_filter_offers_only_organisations_that_lead_an_action(priority):
    partnership = priority.strategy.partnership
    police = make_organisation(partnership, "Metropolitan Police Service")
    make_organisation(partnership, "Leads nothing")
    make_action(priority, "IH.01", leads=(police, police))
    options = action_search_options(partnership=partnership)
    assert options.leads == [(police.pk, "Metropolitan Police Service")]
    assert options.priorities == [("IH", f"IH – {priority.title}")]


def test_quirks_are_grouped_by_strategy_with_open_ones_first(partnership):
    older = make_strategy(partnership, "older", start_year=2018)
    newer = make_strategy(partnership, "newer", start_year=2022)
    done = make_quirk(newer, Quirk.Code.OTHER, resolved_at=timezone.now())
    open_newer = make_quirk(newer, Quirk.Code.NO_REF)
    open_older = make_quirk(older, Quirk.Code.NO_LEAD)
    groups = quirks_by_strategy(partnership=partnership)
    assert [(s.slug, [q.pk for q in qs]) for s, qs in groups] == [
        ("newer", [open_newer.pk, done.pk]),
        ("older", [open_older.pk]),
    ]
    completed = quirks_by_strategy(partnership=partnership, status=QuirkStatus.COMPLETED)
    assert [(s.slug, [q.pk for q in qs]) for s, qs in completed] == [("newer", [done.pk])]


def test_the_strategy_counts_its_open_quirks(partnership):
    plan = make_plan(partnership, actions=2)
    make_quirk(plan, Quirk.Code.OTHER, resolved_at=timezone.now())
    assert strategy_for_detail(partnership=partnership, slug=plan.slug).open_quirk_count == 2


def test_another_partnerships_strategy_is_not_found(partnership, other_partnership):
    theirs = make_strategy(other_partnership, "theirs")
    with pytest.raises(Http404):
        strategy_for_detail(partnership=partnership, slug=theirs.slug)
