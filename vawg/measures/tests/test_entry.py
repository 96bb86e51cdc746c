"""Who may enter a measure's values, and what entering and importing them tell the person:
the rules the value, import and indicator pages ask of the selectors, services and forms."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from vawg.accounts.models import Membership
from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.measures import selectors, services
from vawg.measures.forms import IndicatorForm
from vawg.measures.models import IndicatorValue
from vawg.measures.tests.factories import make_indicator, make_periods
from vawg.strategy.models import Priority, Strategy

pytestmark = pytest.mark.django_db
TODAY = date(2026, 2, 10)


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))


def _enter(user, partnership, indicator, roles) -> bool:
    return selectors.may_enter(user=user, partnership=partnership, roles=roles, indicator=indicator)


def test_the_owners_action_lead_may_enter_values_and_another_agencys_may_not(partnership):
    indicator = make_indicator(partnership)  # owned by the partnership's first organisation
    owner = make_member(Role.ACTION_LEAD, partnership, organisation=indicator.owner)
    elsewhere = make_member(
        Role.ACTION_LEAD, partnership, organisation=make_organisation(partnership, "Police")
    )
    assert _enter(owner, partnership, indicator, {Role.ACTION_LEAD})
    assert not _enter(elsewhere, partnership, indicator, {Role.ACTION_LEAD})


def test_an_admin_may_enter_any_indicators_values(partnership):
    indicator = make_indicator(partnership, owner=make_organisation(partnership, "Police"))
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    assert _enter(admin, partnership, indicator, {Role.PARTNERSHIP_ADMIN})


def test_a_role_without_the_permission_may_not_enter_even_for_its_own_organisation(partnership):
    indicator = make_indicator(partnership)
    board = make_member(Role.BOARD_MEMBER, partnership, organisation=indicator.owner)
    assert not _enter(board, partnership, indicator, {Role.BOARD_MEMBER})


def test_an_ended_membership_no_longer_counts_for_the_owner_rule(partnership):
    indicator = make_indicator(partnership)
    lead = make_member(Role.ACTION_LEAD, partnership, organisation=indicator.owner)
    assert selectors.member_organisation_ids(lead, partnership) == {indicator.owner_id}
    Membership.objects.filter(user=lead).update(ended_at=timezone.now())
    assert selectors.member_organisation_ids(lead, partnership) == set()
    assert not _enter(lead, partnership, indicator, {Role.ACTION_LEAD})


def test_the_indicator_for_entry_is_refused_to_another_agency(partnership):
    indicator = make_indicator(partnership)
    owner = make_member(Role.ACTION_LEAD, partnership, organisation=indicator.owner)
    elsewhere = make_member(
        Role.ACTION_LEAD, partnership, organisation=make_organisation(partnership, "Police")
    )
    found = selectors.indicator_for_entry(
        partnership=partnership, roles={Role.ACTION_LEAD}, user=owner, pk=indicator.pk
    )
    assert found == indicator
    with pytest.raises(PermissionDenied, match="Only the owner organisation"):
        selectors.indicator_for_entry(
            partnership=partnership, roles={Role.ACTION_LEAD}, user=elsewhere, pk=indicator.pk
        )


def test_values_are_offered_for_the_quarter_just_ended(partnership, periods):
    offered = selectors.periods_for_entry(partnership=partnership, today=TODAY)
    # 10 February 2026 is in 2025/26 Q4, which has not ended: Q3 has.
    assert selectors.period_just_ended(offered, today=TODAY) == periods["2025/26 Q3"]
    assert selectors.period_just_ended(offered, today=date(2024, 5, 1)) is None


def _row(period, version: int) -> IndicatorValue:
    return IndicatorValue(period=period, version=version, value=D(1))


@pytest.mark.parametrize(
    ("version", "changed", "level", "text"),
    [
        (1, True, messages.SUCCESS, "Value for 2025/26 Q3 saved."),
        (3, True, messages.SUCCESS, "Value for 2025/26 Q3 corrected (version 3)."),
        (2, False, messages.INFO, "2025/26 Q3 already has this value: nothing changed."),
    ],
)
def test_entering_a_value_says_what_happened(periods, version, changed, level, text):
    row = _row(periods["2025/26 Q3"], version)
    assert services.value_record_message(row, changed) == (level, text)


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ((1, 1, 0), "Imported: 1 new value, 1 correction, 0 unchanged."),
        ((0, 2, 5), "Imported: 0 new values, 2 corrections, 5 unchanged."),
    ],
)
def test_an_import_says_what_it_did(counts, text):
    recorded, corrected, unchanged = counts
    result = services.ImportResult(recorded=recorded, corrected=corrected, unchanged=unchanged)
    assert result.message == text


def test_a_new_indicator_form_starts_from_the_defaults():
    assert IndicatorForm.initial_for(None) == {
        "tolerance": 0,
        "unit": "count",
        "frequency": "quarterly",
        "disclosure": "partnership",
    }


def test_an_indicator_form_starts_from_the_indicator_as_it_is(partnership, periods):
    strategy = Strategy.objects.create(
        partnership=partnership, slug="plan", title="Plan", start_year=2025, end_year=2027
    )
    priority = Priority.objects.create(strategy=strategy, code="P1", title="Prevention", order=1)
    indicator = make_indicator(
        partnership,
        baseline_value=D("31.000"),
        baseline_period=periods["2024/25 Q1"],
        tolerance=D("2.500"),
    )
    indicator.priorities.add(priority)
    initial = IndicatorForm.initial_for(indicator)
    assert initial["name"] == indicator.name
    assert initial["baseline_value"] == "31"  # as typed, not 31.000
    assert initial["tolerance"] == "2.5"
    assert initial["baseline_period"] == periods["2024/25 Q1"]
    assert initial["priorities"] == [priority]
    assert initial["goals"] == []
