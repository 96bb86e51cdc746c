"""The survey figures registered in core.metrics, and their suppression on the way out."""

from datetime import date
from decimal import Decimal

from vawg.core import metrics
from vawg.core.models import ReportingPeriod
from vawg.voice import selectors
from vawg.voice.tests.factories import answer_survey, make_survey


def _quarter(partnership) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        partnership=partnership,
        label="2026/27 Q1",
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        update_deadline=date(2026, 7, 14),
    )


def test_both_measures_of_success_are_registered():
    assert metrics.get("voice.feeling_safer").unit == metrics.Unit.PERCENTAGE
    assert metrics.get("voice.feeling_involved").unit == metrics.Unit.PERCENTAGE


def test_feeling_safer_is_the_share_of_yes_among_answers_in_the_period(
    partnership, other_partnership
):
    survey = make_survey(partnership)
    in_q1 = date(2026, 5, 1)
    # In the quarter: 4 yes, 2 no, 1 not sure, 1 skipped -> 4 / 7 = 57.1%.
    for choice in ["yes", "yes", "yes", "yes", "no", "no", "not_sure"]:
        answer_survey(survey, in_q1, safer=choice)
    answer_survey(survey, in_q1, involved="yes")
    # Outside the quarter, and another partnership's: not counted.
    answer_survey(survey, date(2026, 3, 31), safer="no")
    answer_survey(survey, date(2026, 7, 1), safer="no")
    answer_survey(make_survey(other_partnership), in_q1, safer="no")

    value = metrics.get("voice.feeling_safer").compute(partnership, _quarter(partnership))

    assert (value.numerator, value.denominator) == (4, 7)
    assert value.value == Decimal("57.1")


def test_feeling_involved_counts_its_own_question(partnership):
    survey = make_survey(partnership)
    for choice in ["yes", "no", "no", "no", "no"]:
        answer_survey(survey, date(2026, 4, 2), involved=choice, safer="yes")
    value = metrics.get("voice.feeling_involved").compute(partnership, _quarter(partnership))
    assert (value.numerator, value.denominator, value.value) == (1, 5, Decimal("20.0"))


def test_no_answers_gives_no_value(partnership):
    value = selectors.feeling_safer(partnership, _quarter(partnership))
    assert value.value is None
    assert selectors.disclosed_share(value).text == "no data"


def test_a_share_from_few_answers_is_suppressed_on_the_way_out(partnership):
    survey = make_survey(partnership)
    for choice in ["yes", "yes", "no"]:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    value = selectors.feeling_safer(partnership, _quarter(partnership))
    assert value.value == Decimal("66.7")  # the raw figure, for the analyst
    shown = selectors.disclosed_share(value)
    assert shown.suppressed and shown.text == "fewer than 5"
    assert selectors.disclosed_share(value, unsuppressed=True).text == "66.7"


def test_survey_results_suppress_small_counts_and_no_rate_from_them(partnership):
    survey = make_survey(partnership)
    # Safer: 6 yes, 2 no, 0 not sure, 8 answered. "No" is suppressed; with the total
    # shown it would be 8 - 6 - 0, so "yes" is hidden too, and no rate is given.
    for choice in ["yes"] * 6 + ["no"] * 2:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    # Involved: 6 yes, 5 no -> all shown, 6 / 11 = 54.5%.
    for choice in ["yes"] * 6 + ["no"] * 5:
        answer_survey(survey, date(2026, 5, 1), involved=choice)
    results = {r.question.topic: r for r in selectors.survey_results(survey=survey)}
    safer = results["safer"]
    assert (safer.yes.text, safer.no.text, safer.not_sure.text) == (
        "not shown",
        "fewer than 5",
        "0",
    )
    assert safer.answered.text == "8"
    assert safer.percent_yes.suppressed
    involved = results["involved"]
    assert (involved.yes.text, involved.no.text, involved.answered.text) == ("6", "5", "11")
    assert involved.percent_yes.text == "54.5"
    # Believed: nobody answered -> zeros and no rate.
    assert results["believed"].percent_yes.text == "no data"
    # The free-text question has no row.
    assert "help" not in results
    unsuppressed = {
        r.question.topic: r for r in selectors.survey_results(survey=survey, unsuppressed=True)
    }
    assert (unsuppressed["safer"].yes.text, unsuppressed["safer"].no.text) == ("6", "2")
    assert unsuppressed["safer"].percent_yes.text == "75.0"


def test_survey_results_take_one_query_for_the_counts(partnership, django_assert_num_queries):
    survey = make_survey(partnership)
    for _ in range(3):
        answer_survey(survey, date(2026, 5, 1), safer="yes", involved="no")
    survey = selectors.survey_for_staff(partnership=partnership, pk=survey.pk)
    with django_assert_num_queries(1):
        selectors.survey_results(survey=survey)
