"""The learning figures, worked out by hand: confidence, coverage, overdue and embedded."""

from datetime import date
from decimal import Decimal

import pytest

from vawg.core import disclosure, metrics
from vawg.core.models import ReportingPeriod
from vawg.core.testing import make_organisation
from vawg.learning import selectors
from vawg.learning.models import Initiative, Participant, Recommendation
from vawg.learning.tests.factories import (
    make_attendance,
    make_initiative,
    make_participant,
    make_recommendation,
    make_review,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(partnership):
    return {
        "police": make_organisation(partnership, "Metropolitan Police", kind="police"),
        "health": make_organisation(partnership, "St Elsewhere NHS Trust", kind="health"),
        "housing": make_organisation(partnership, "Borough Homes", kind="housing"),
    }


@pytest.fixture
def quarter(partnership):
    return ReportingPeriod.objects.create(
        partnership=partnership,
        label="2025/26 Q1",
        start=date(2025, 4, 1),
        end=date(2025, 6, 30),
        update_deadline=date(2025, 7, 14),
    )


def test_it_reports_improved_confidence_per_organisation(partnership, orgs, quarter):
    assert selectors.MIN_STAFF_FOR_IMPROVED == 3
    session = make_session(partnership, held_on=date(2025, 5, 1))
    # Police, three staff: befores 2,3,1 = 2.0; afters 4,3,2 = 3.0: improved.
    make_attendance(session, "P1", organisation=orgs["police"], before=2, after=4)
    make_attendance(session, "P2", organisation=orgs["police"], before=3, after=3)
    make_attendance(session, "P3", organisation=orgs["police"], before=1, after=2)
    # Health, three staff: befores 4,3,3 = 3.33; afters 3,3,3 = 3.0: fell. A one-sided answer
    # is not counted.
    make_attendance(session, "H1", organisation=orgs["health"], before=4, after=3)
    make_attendance(session, "H2", organisation=orgs["health"], before=3, after=3)
    make_attendance(session, "H4", organisation=orgs["health"], before=3, after=3)
    make_attendance(session, "H5", organisation=orgs["health"], before=1, after=None)
    # Housing: only two staff answered both (one of them at two sessions, counted once):
    # improved, but too few to count, so left out of both parts of the figure.
    make_attendance(session, "B1", organisation=orgs["housing"], before=1, after=5)
    make_attendance(session, "B2", organisation=orgs["housing"], before=1, after=5)
    second = make_session(partnership, held_on=date(2025, 6, 1))
    make_attendance(second, "b1", organisation=orgs["housing"], before=2, after=5)
    # Outside the quarter: ignored for the quarter.
    later = make_session(partnership, held_on=date(2025, 7, 1))
    make_attendance(later, "H3", organisation=orgs["health"], before=1, after=5)

    value = metrics.get("learning.organisations_improved_confidence").compute(partnership, quarter)
    basis = selectors.improved_confidence(
        partnership=partnership, start=quarter.start, end=quarter.end
    )

    assert (value.value, value.numerator, value.denominator) == (Decimal("50.0"), 1, 2)
    # Organisations, not people: no cell key, and the page's share is the same figure.
    assert (value.numerator_key, value.denominator_key) == (None, None)
    assert (basis.counted, basis.left_out, basis.minimum) == (2, 1, 3)
    assert (str(basis.share.percent), str(basis.share.part), str(basis.share.whole)) == (
        "50.0",
        "1",
        "2",
    )


def test_an_organisation_with_no_change_has_not_improved(partnership, orgs):
    session = make_session(partnership)
    for n in range(3):
        make_attendance(session, f"P{n}", organisation=orgs["police"], before=3, after=3)
    value = selectors.organisations_improved_confidence(
        partnership=partnership, start=None, end=None
    )
    assert (value.value, value.numerator, value.denominator) == (Decimal("0.0"), 0, 1)


def test_an_organisation_counts_from_the_minimum_number_of_staff(partnership, orgs):
    session = make_session(partnership)
    make_attendance(session, "P1", organisation=orgs["police"], before=1, after=4)
    make_attendance(session, "P2", organisation=orgs["police"], before=1, after=4)
    below = selectors.improved_confidence(partnership=partnership, start=None, end=None)
    assert (below.figure.value, below.counted, below.left_out) == (None, 0, 1)
    assert below.share.percent.value is None and "3 or more staff" in below.share.note

    make_attendance(session, "P3", organisation=orgs["police"], before=1, after=4)
    at = selectors.improved_confidence(partnership=partnership, start=None, end=None)
    assert (at.figure.value, at.counted, at.left_out) == (Decimal("100.0"), 1, 0)


def test_it_has_no_value_when_nobody_answered(partnership, orgs, quarter):
    make_attendance(make_session(partnership, held_on=date(2025, 5, 1)), "P1")
    value = metrics.get("learning.organisations_improved_confidence").compute(partnership, quarter)
    assert value.value is None


def test_it_hides_averages_of_fewer_than_five_people(partnership, orgs):
    session = make_session(partnership)
    for n, (before, after) in enumerate([(1, 2), (2, 4), (3, 3), (2, 2)]):
        make_attendance(session, f"P{n}", organisation=orgs["police"], before=before, after=after)
    for n in range(5):
        make_attendance(session, f"H{n}", organisation=orgs["health"], before=2, after=4 - n % 2)

    rows = {
        r.label: r
        for r in selectors.confidence_by(
            partnership=partnership, by="organisation", audience=disclosure.CONTROLLED
        )
    }

    police, health = rows["Metropolitan Police"], rows["St Elsewhere NHS Trust"]
    # Police: 4 people, so "fewer than 5", and no average over them, nor whether they improved.
    assert (str(police.attendances), str(police.paired)) == ("fewer than 5", "fewer than 5")
    assert police.answered and not police.shown
    assert (police.mean_before, police.mean_after, police.improved, police.change) == (
        None,
        None,
        None,
        None,
    )
    # Health: 5 is a multiple of 5, so it reads 5 whatever its cell key.
    # Befores all 2; afters 4,3,4,3,4 = 18/5 = 3.6.
    assert (str(health.paired), health.shown) == ("5", True)
    assert (health.mean_before, health.mean_after, health.change) == (
        Decimal("2.0"),
        Decimal("3.6"),
        Decimal("1.6"),
    )
    assert health.improved is True


def test_an_analyst_sees_averages_of_small_groups(partnership, orgs):
    session = make_session(partnership)
    make_attendance(session, "P1", organisation=orgs["police"], before=1, after=2)
    (row,) = selectors.confidence_by(
        partnership=partnership, by="course", audience=disclosure.EXACT
    )
    assert (row.shown, row.mean_before, row.mean_after) == (True, Decimal("1.0"), Decimal("2.0"))
    assert (str(row.attendances), str(row.paired)) == ("1", "1")


def test_controlled_counts_are_multiples_of_five_or_in_words(partnership, orgs):
    """Every controlled count of people is 0, "fewer than 5" or a multiple of 5; and it is
    the core rule's figure for exactly those records, so it reads the same everywhere."""
    session = make_session(partnership)
    made = {}
    for key, n in (("police", 3), ("health", 7), ("housing", 12)):
        made[key] = [
            make_attendance(session, organisation=orgs[key], before=2, after=3).pk for _ in range(n)
        ]
    table = selectors.confidence_table(
        partnership=partnership, by="organisation", audience=disclosure.CONTROLLED
    )
    rows = {row.key: row for row in table.rows}
    for key, ids in made.items():
        figure = rows[orgs[key].pk].attendances
        assert figure == disclosure.count(
            disclosure.tally("learning.Attendance", ids), disclosure.CONTROLLED
        )
        assert str(figure) == "fewer than 5" or figure.value % 5 == 0
    assert str(rows[orgs["police"].pk].attendances) == "fewer than 5"
    everyone = [pk for ids in made.values() for pk in ids]
    assert table.total == disclosure.count(
        disclosure.tally("learning.Attendance", everyone), disclosure.CONTROLLED
    )
    assert table.total.value % 5 == 0 and table.total.value in (20, 25)

    exact = selectors.confidence_table(
        partnership=partnership, by="organisation", audience=disclosure.EXACT
    )
    assert sorted(row.attendances.value for row in exact.rows) == [3, 7, 12]
    assert exact.total.value == 22


def test_training_attendances_count_sessions_in_the_period(partnership, quarter):
    inside = make_session(partnership, held_on=date(2025, 6, 30))
    ids = [make_attendance(inside).pk, make_attendance(inside).pk]
    make_attendance(make_session(partnership, held_on=date(2025, 3, 31)))
    value = metrics.get("learning.training_attendances").compute(partnership, quarter)
    # A count of people, with the cell key of exactly those attendances.
    assert value == metrics.people(disclosure.tally("learning.Attendance", ids))
    assert value.value == 2 and value.numerator_tally.n == 2


def test_coverage_counts_participants_in_place_on_the_last_day(partnership, quarter):
    schools = make_initiative(
        partnership,
        "School VAWG policies",
        kind=Initiative.Kind.SCHOOL_POLICY,
        coverage_denominator=8,
    )
    make_participant(schools, "Alpha Primary", started_on=date(2024, 9, 1))
    make_participant(schools, "Beta Academy", renewal_due=date(2025, 6, 30))
    # Not counted: lapsed before the end, starts after it, renewal passed, working towards.
    make_participant(schools, "Gamma School", renewal_due=date(2025, 6, 29))
    make_participant(schools, "Delta School", started_on=date(2025, 7, 1))
    make_participant(
        schools,
        "Epsilon School",
        status=Participant.Status.LAPSED,
        ended_on=date(2025, 5, 1),
    )
    make_participant(schools, "Zeta School", status=Participant.Status.WORKING_TOWARDS)

    value = metrics.get("learning.coverage_school_policy").compute(partnership, quarter)
    count = metrics.get("learning.participants_school_policy").compute(partnership, quarter)

    assert (value.value, value.numerator, value.denominator) == (Decimal("25.0"), 2, 8)
    # Schools, not people: shown as they are.
    assert count.value == 2 and count.numerator_key is None


def test_coverage_needs_a_denominator(partnership, quarter):
    make_participant(make_initiative(partnership, kind=Initiative.Kind.DAHA))
    value = metrics.get("learning.coverage_daha").compute(partnership, quarter)
    assert value.value is None
    assert metrics.get("learning.participants_daha").compute(partnership, quarter).value == 1


def test_recommendations_overdue_and_embedded_at_the_period_end(partnership, quarter):
    review = make_review(partnership)
    done = Recommendation.Status.COMPLETED
    embedded = Recommendation.Status.EMBEDDED
    # Due and completed in time, and embedded: counts as embedded.
    make_recommendation(
        review,
        "1",
        due_on=date(2025, 4, 30),
        status=embedded,
        completed_on=date(2025, 4, 20),
        embedded_on=date(2025, 6, 1),
        evidence="Audit of 20 case files",
    )
    # Due, still open: overdue.
    make_recommendation(review, "2", due_on=date(2025, 5, 31))
    # Due, completed only after the period ended: overdue at the period end.
    make_recommendation(
        review, "3", due_on=date(2025, 6, 1), status=done, completed_on=date(2025, 7, 2)
    )
    # Due on the last day: not yet overdue, in the denominator.
    make_recommendation(review, "4", due_on=date(2025, 6, 30))
    # Due after the period: not counted at all.
    make_recommendation(review, "5", due_on=date(2025, 9, 30))

    overdue = metrics.get("learning.recommendations_overdue").compute(partnership, quarter)
    embedded_value = metrics.get("learning.recommendations_embedded").compute(partnership, quarter)

    assert (overdue.value, overdue.numerator, overdue.denominator) == (Decimal("50.0"), 2, 4)
    assert (embedded_value.numerator, embedded_value.denominator) == (1, 4)
    assert embedded_value.value == Decimal("25.0")


def test_figures_never_include_another_partnership(partnership, other_partnership, quarter):
    make_recommendation(make_review(other_partnership), due_on=date(2025, 4, 1))
    make_attendance(make_session(other_partnership, held_on=date(2025, 5, 1)), before=1, after=5)
    assert (
        metrics.get("learning.recommendations_overdue").compute(partnership, quarter).value is None
    )
    assert metrics.get("learning.training_attendances").compute(partnership, quarter).value == 0


def test_the_figures_are_registered_for_the_scorecard():
    keys = {m.key for m in metrics.registered()}
    assert {
        "learning.organisations_improved_confidence",
        "learning.recommendations_embedded",
        "learning.recommendations_overdue",
        "learning.coverage_school_policy",
        "learning.coverage_white_ribbon",
    } <= keys
