"""The quarter's MARAC figures, worked by hand, and the figures registered in core.metrics."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from vawg.core import disclosure, metrics
from vawg.core.models import Organisation
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.marac import services
from vawg.marac.models import CaseAction, MaracSettings, Meeting, Referral
from vawg.marac.national import national_figures
from vawg.marac.selectors import CASE_ACTION, PERPETRATOR, REFERRAL, marac_counts
from vawg.marac.statistics import EXACT_PERMISSIONS, last_ended, periods_for, statistics_rows
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral, police

pytestmark = pytest.mark.django_db
Q1 = (date(2026, 4, 1), date(2026, 6, 30))
YOUNG_VICTIM = {"victim": "Test Victim 020", "victim_dob": date(2008, 9, 1)}
YOUNG_PERPETRATOR = (("Test Perpetrator 020", date(2009, 12, 1)),)


@pytest.fixture
def quarter(partnership):
    """Hand-worked: one meeting held in the quarter with three cases (one a repeat)."""
    MaracSettings.objects.create(partnership=partnership, women_16_plus=100_000)
    health = make_organisation(partnership, "Test Health Trust", kind=Organisation.Kind.HEALTH)
    housing = make_organisation(partnership, "Test Housing", kind=Organisation.Kind.HOUSING)
    # Last year: the first referral of the pair that comes back as a repeat.
    make_referral(partnership, on=date(2025, 9, 20), perpetrators=YOUNG_PERPETRATOR, **YOUNG_VICTIM)
    hold_meeting(make_meeting(partnership, on=date(2025, 10, 14)))
    make_referral(
        partnership,
        on=date(2026, 4, 10),
        organisation=police(partnership),
        victim="Test Victim 021",
        children_in_household=2,
    )
    repeat = make_referral(
        partnership,
        on=date(2026, 5, 1),
        organisation=health,
        perpetrators=YOUNG_PERPETRATOR,
        victim_sex=Referral.Sex.MALE,
        victim_ethnicity=Referral.Ethnicity.BLACK,
        victim_sexual_orientation=Referral.Orientation.BISEXUAL,
        victim_disability="yes",
        **YOUNG_VICTIM,
    )
    assert repeat.is_repeat and repeat.victim_age == 17
    make_referral(
        partnership,
        on=date(2026, 5, 2),
        organisation=housing,
        victim="Test Victim 022",
        victim_ethnicity=Referral.Ethnicity.ASIAN,
        victim_trans="yes",
        children_in_household=1,
    )
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 5, 12)))
    # Referred after that meeting, on a meeting not yet held: not counted.
    make_referral(partnership, on=date(2026, 5, 20), victim="Test Victim 023")
    make_meeting(partnership, on=date(2026, 6, 30))
    services.agenda_build(
        meeting=partnership.marac_meetings.get(held_on=date(2026, 6, 30)), actor=None
    )
    items = list(meeting.agenda.all())
    agency = partnership.organisations.first()

    def action(due, done=None):
        a = services.case_action_add(
            item=items[0], organisation=agency, description="Test action", due_on=due, actor=None
        )
        if done:
            services.case_action_complete(
                action=a,
                actor=None,
                agencies=set(),
                coordinator=True,
                completed_on=done,
                note="",
                today=date(2026, 7, 31),
            )

    action(date(2026, 5, 26), date(2026, 5, 26))  # on time (the due day itself)
    action(date(2026, 6, 9), date(2026, 6, 10))  # a day late
    action(date(2026, 6, 30))  # still open
    action(date(2026, 7, 15), date(2026, 7, 1))  # due next quarter: not counted here
    return partnership


def test_the_quarters_counts_match_the_hand_worked_figures(quarter):
    counts = marac_counts(quarter, *Q1)
    assert counts.meetings == 1
    assert counts.cases.n == 3
    assert counts.repeats.n == 1
    assert counts.non_police.n == 2
    assert counts.minoritised.n == 2  # Black, Asian
    assert counts.lgbt.n == 2  # bisexual; gender identity differs from sex at birth
    assert counts.disabled.n == 1
    assert counts.male.n == 1
    assert counts.aged_16_17.n == 1
    assert counts.children.n == 3
    assert counts.perpetrators_under_18.n == 1
    assert (counts.actions_due.n, counts.actions_on_time.n) == (3, 1)
    # 12 months to 30 June 2026: last October's case and this quarter's three.
    assert counts.cases_12_months.n == 4


def test_each_count_is_keyed_by_the_records_it_counts(quarter):
    """The cell key comes from the records counted, so a count reads the same everywhere."""
    counts = marac_counts(quarter, *Q1)
    discussed = Referral.objects.filter(
        agenda_item__meeting__status=Meeting.Status.HELD, agenda_item__meeting__held_on__range=Q1
    )
    ids = sorted(discussed.values_list("pk", flat=True))
    assert counts.cases == disclosure.tally(REFERRAL, ids)
    repeat = discussed.get(is_repeat=True)
    assert counts.repeats == disclosure.tally(REFERRAL, [repeat.pk])
    assert counts.male == counts.repeats  # the same one case
    children = [discussed.get(pk=pk).children_in_household for pk in ids]
    assert counts.children == disclosure.tally(REFERRAL, ids, weights=children)
    young = repeat.perpetrators.get()
    assert counts.perpetrators_under_18 == disclosure.tally(PERPETRATOR, [young.pk])
    due = CaseAction.objects.filter(due_on__range=Q1).order_by("due_on")
    assert counts.actions_due == disclosure.tally(CASE_ACTION, [a.pk for a in due])
    assert counts.actions_on_time == disclosure.tally(CASE_ACTION, [due[0].pk])
    last_october = Referral.objects.get(agenda_item__meeting__held_on=date(2025, 10, 14))
    assert counts.cases_12_months == disclosure.tally(REFERRAL, [*ids, last_october.pk])


def test_the_figures_are_exact_for_the_coordinator_and_analyst(quarter):
    for role in (Role.MARAC_COORDINATOR, Role.ANALYST):
        assert disclosure.audience_for({role}, *EXACT_PERMISSIONS).exact, role
    for role in (Role.BOARD_MEMBER, Role.PARTNERSHIP_ADMIN):
        assert not disclosure.audience_for({role}, *EXACT_PERMISSIONS).exact, role
    rows = {
        r.key: r
        for r in statistics_rows(
            marac_counts(quarter, *Q1), audience=disclosure.EXACT, shares={"male_rate": "48.5"}
        )
    }
    assert rows["cases"].local.value == 3
    assert rows["cases_per_10000"].local.value == Decimal("0.4")  # 4 × 10,000 / 100,000
    assert rows["repeat_rate"].local.value == Decimal("33.3")
    assert rows["non_police_rate"].local.value == Decimal("66.7")
    assert rows["male_rate"].local.value == Decimal("33.3")
    assert rows["male_rate"].population == Decimal("48.5")
    national = national_figures().figures
    assert rows["male_rate"].national == national["male_rate"]
    assert rows["children"].local.text == "3"
    assert rows["actions_on_time"].local.value == Decimal("33.3")
    assert rows["repeat_rate"].national == national["repeat_rate"]


def test_the_figures_pass_disclosure_control_for_everyone_else(quarter):
    rows = {
        r.key: r.local
        for r in statistics_rows(
            marac_counts(quarter, *Q1), audience=disclosure.CONTROLLED, shares={}
        )
    }
    assert rows["cases"].text == "fewer than 5" and rows["cases"].value is None
    assert rows["children"].text == "fewer than 5"
    assert rows["perpetrators_under_18"].text == "fewer than 5"
    # Never a rate from a hidden count, and a rate never reads "fewer than 5".
    for key in ("repeat_rate", "non_police_rate", "male_rate", "actions_on_time"):
        assert (rows[key].value, rows[key].text) == (None, "not shown"), key
    assert rows["cases_per_10000"].text == "not shown"  # 4 cases in 12 months
    assert rows["meetings"].text == "1"  # meetings are not people


def test_the_registered_metrics_carry_the_cell_keys(quarter):
    period = SimpleNamespace(start=Q1[0], end=Q1[1])
    counts = marac_counts(quarter, *Q1)
    repeat = metrics.get("marac.repeat_rate").compute(quarter, period)
    assert (repeat.value, repeat.numerator, repeat.denominator) == (Decimal("33.3"), 1, 3)
    assert (repeat.numerator_tally, repeat.denominator_tally) == (counts.repeats, counts.cases)
    rate = metrics.get("marac.cases_per_10000_women").compute(quarter, period)
    assert (rate.value, rate.numerator, rate.denominator) == (Decimal("0.4"), 4, 100_000)
    assert rate.numerator_tally == counts.cases_12_months
    assert rate.denominator_key is None  # the population is public
    on_time = metrics.get("marac.actions_on_time").compute(quarter, period)
    assert (on_time.numerator, on_time.denominator) == (1, 3)
    assert (on_time.numerator_tally, on_time.denominator_tally) == (
        counts.actions_on_time,
        counts.actions_due,
    )


def test_no_population_means_no_rate(partnership):
    period = SimpleNamespace(start=Q1[0], end=Q1[1])
    rate = metrics.get("marac.cases_per_10000_women").compute(partnership, period)
    assert rate.value is None
    assert rate.numerator_tally == disclosure.Tally(0, 0)


def test_periods_follow_the_partnerships_reporting_year(partnership):
    periods = periods_for(partnership, date(2026, 11, 23))
    assert [p.key for p in periods[:4]] == [
        "2026-10-01:q",
        "2026-07-01:q",
        "2026-04-01:q",
        "2026-04-01:y",
    ]
    # A quarter or year still under way says so; one that is over does not.
    assert periods[0].label == "2026/27 Q3 (October to December 2026, under way: day 54 of 92)"
    assert periods[1].label == "2026/27 Q2 (July to September 2026)"
    assert periods[3].label == "2026/27 (whole year, under way: day 237 of 365)"
    assert last_ended(periods, date(2026, 11, 23)) == periods[1]
    assert periods[3].end == date(2027, 3, 31)
    assert periods[4].key == "2026-01-01:q"  # last year's Q4, January to March 2026
