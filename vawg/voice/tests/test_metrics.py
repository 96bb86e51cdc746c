"""The survey figures registered in core.metrics, and how each audience is shown them."""

from datetime import date
from decimal import Decimal

from vawg.core import disclosure, metrics
from vawg.core.models import ReportingPeriod
from vawg.voice import selectors
from vawg.voice.models import Answer
from vawg.voice.tests.factories import answer_survey, make_feedback, make_survey


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


def test_the_shares_parts_are_tallies_of_the_answers_counted(partnership):
    survey = make_survey(partnership)
    for choice in ["yes", "yes", "no", "not_sure"]:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    value = selectors.feeling_safer(partnership, _quarter(partnership))
    answers = Answer.objects.filter(question__topic="safer")
    yes = answers.filter(choice="yes").values_list("pk", flat=True)
    assert value.numerator_tally == disclosure.tally("voice.Answer", yes)
    assert value.denominator_tally == disclosure.tally(
        "voice.Answer", answers.values_list("pk", flat=True)
    )


def test_no_answers_gives_no_value(partnership):
    value = selectors.feeling_safer(partnership, _quarter(partnership))
    assert value.value is None
    # None answered reads as a few would: "fewer than 5" answers, so the share is not shown.
    assert selectors.shown_share(value, disclosure.CONTROLLED).text == "not shown"
    assert selectors.shown_share(value, disclosure.EXACT).text == "no data"


def test_a_share_with_a_hidden_part_is_not_shown(partnership):
    survey = make_survey(partnership)
    for choice in ["yes", "yes", "no"]:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    value = selectors.feeling_safer(partnership, _quarter(partnership))
    assert value.value == Decimal("66.7")  # the exact figure, for the analyst
    shown = selectors.shown_share(value, disclosure.CONTROLLED)
    # A percentage never reads "fewer than 5": its hidden part makes it "not shown".
    assert shown.suppressed and shown.text == "not shown"
    assert selectors.shown_share(value, disclosure.EXACT).text == "66.7"


def test_a_shown_share_is_worked_from_the_shown_parts(partnership):
    survey = make_survey(partnership)
    for choice in ["yes"] * 7 + ["no"] * 6:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    quarter = _quarter(partnership)
    value = selectors.feeling_safer(partnership, quarter)
    top = disclosure.count(value.numerator_tally, disclosure.CONTROLLED)
    bottom = disclosure.count(value.denominator_tally, disclosure.CONTROLLED)
    assert top.value % 5 == 0 and bottom.value % 5 == 0
    shown = selectors.shown_share(value, disclosure.CONTROLLED)
    assert shown.value == (Decimal(top.value) * 100 / bottom.value).quantize(Decimal("0.1"))
    rows = selectors.measures_of_success(
        partnership=partnership, period=quarter, audience=disclosure.CONTROLLED
    )
    assert rows[0] == ("Survivors feeling safer (%)", shown)


def _controlled(figure) -> bool:
    """A controlled count: zero, "fewer than 5", or a multiple of the rounding base."""
    if figure.suppressed:
        return figure.text == "fewer than 5"
    return figure.value % 5 == 0 and figure.text == f"{figure.value:,}"


def test_survey_results_are_controlled_by_cell_key_and_rates_from_shown_counts(partnership):
    survey = make_survey(partnership)
    # Safer: 6 yes, 2 no, nobody not sure. "No" is too few to show; the rest are rounded
    # to a multiple of 5 by their cell keys, and the share is worked from those.
    for choice in ["yes"] * 6 + ["no"] * 2:
        answer_survey(survey, date(2026, 5, 1), safer=choice)
    # Involved: 3 yes, 9 no -> "yes" hidden, so the share is "not shown".
    for choice in ["yes"] * 3 + ["no"] * 9:
        answer_survey(survey, date(2026, 5, 1), involved=choice)
    results = {
        r.question.topic: r
        for r in selectors.survey_results(survey=survey, audience=disclosure.CONTROLLED)
    }
    safer = results["safer"]
    cells = [safer.yes, safer.no, safer.not_sure, safer.answered]
    assert all(_controlled(f) for f in cells), [f.text for f in cells]
    # None at all reads as a few do, so that "fewer than 5" never means "at least one".
    assert (safer.no.text, safer.not_sure.text) == ("fewer than 5", "fewer than 5")
    yes = Answer.objects.filter(question__topic="safer", choice="yes").values_list("pk", flat=True)
    # The cell reads as its records' tally does anywhere else.
    yes_tally = disclosure.tally("voice.Answer", yes)
    assert safer.yes == disclosure.count(yes_tally, disclosure.CONTROLLED)
    assert safer.percent_yes == disclosure.rate(safer.yes, safer.answered)
    involved = results["involved"]
    assert involved.yes.text == "fewer than 5"
    assert involved.percent_yes.text == "not shown"
    # Believed: nobody answered, which reads as a few answering would: no rate.
    assert results["believed"].answered.text == "fewer than 5"
    assert results["believed"].percent_yes.text == "not shown"
    # The free-text question has no row.
    assert "help" not in results
    exact = {
        r.question.topic: r
        for r in selectors.survey_results(survey=survey, audience=disclosure.EXACT)
    }
    assert (exact["safer"].yes.text, exact["safer"].no.text) == ("6", "2")
    assert (exact["safer"].answered.text, exact["safer"].percent_yes.text) == ("8", "75.0")
    assert exact["involved"].percent_yes.text == "25.0"


def test_survey_results_take_one_query_for_the_counts(partnership, django_assert_num_queries):
    survey = make_survey(partnership)
    for _ in range(3):
        answer_survey(survey, date(2026, 5, 1), safer="yes", involved="no")
    survey = selectors.survey_for_staff(partnership=partnership, pk=survey.pk)
    with django_assert_num_queries(1):
        selectors.survey_results(survey=survey, audience=disclosure.CONTROLLED)


def test_feedback_received_is_a_tally_of_the_feedback_counted(partnership):
    feedback = [make_feedback(partnership) for _ in range(7)]
    make_feedback(partnership, received_on=date(2026, 7, 1))  # outside the dates
    figure = selectors.feedback_received_count(
        partnership=partnership,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        audience=disclosure.CONTROLLED,
    )
    tally = disclosure.tally("voice.Feedback", [f.pk for f in feedback])
    assert figure == disclosure.count(tally, disclosure.CONTROLLED)
    assert figure.value in (5, 10)
    exact = selectors.feedback_received_count(
        partnership=partnership,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        audience=disclosure.EXACT,
    )
    assert exact.text == "7"


def test_the_survey_report_has_measures_only_for_a_current_period(partnership):
    survey = make_survey(partnership)
    answer_survey(survey, date(2026, 5, 1), safer="yes", help="A quicker reply")
    report = selectors.survey_report(
        partnership=partnership, survey=survey, period=None, audience=disclosure.EXACT
    )
    assert report.measures is None
    assert [a.text for a in report.texts] == ["A quicker reply"]
    safer = next(r for r in report.results if r.question.topic == "safer")
    assert safer.yes.value == 1
    quarter = _quarter(partnership)
    report = selectors.survey_report(
        partnership=partnership, survey=survey, period=quarter, audience=disclosure.EXACT
    )
    assert report.measures == selectors.measures_of_success(
        partnership=partnership, period=quarter, audience=disclosure.EXACT
    )
    assert [label for label, _ in report.measures] == [
        "Survivors feeling safer (%)",
        metrics.get("voice.feeling_involved").label,
    ]
