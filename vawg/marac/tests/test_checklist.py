"""The DASH checklist and the MARAC criteria, with hand-worked cases."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from vawg.marac import dash, services
from vawg.marac.dash import Criterion
from vawg.marac.models import LocalCriterion, MaracSettings, Screening
from vawg.marac.tests.factories import answers, make_assessment, stored

pytestmark = pytest.mark.django_db


def test_the_checklist_has_24_questions_and_a_version():
    assert len(dash.QUESTIONS) == 24
    assert "2009" in dash.VERSION
    assert "SafeLives" in dash.ATTRIBUTION


@pytest.mark.parametrize(("yes", "high"), [(13, False), (14, True), (24, True)])
def test_14_or_more_yes_answers_is_visible_high_risk(partnership, yes, high):
    assessment = make_assessment(partnership, yes=yes)
    assert assessment.yes_count == yes
    assert assessment.high_risk is high
    assert (Criterion.VISIBLE_HIGH_RISK in assessment.criteria) is high
    assert assessment.checklist_version == dash.VERSION


def test_not_known_answers_do_not_count_as_yes(partnership):
    assessment = make_assessment(partnership, answers=answers(13, not_known=5))
    assert assessment.yes_count == 13
    assert assessment.criteria == []


def test_professional_judgement_can_be_the_sole_reason_and_needs_its_reason(partnership):
    with pytest.raises(ValidationError):
        make_assessment(partnership, yes=3, professional_judgement=True, judgement_reason=" ")
    assessment = make_assessment(
        partnership, yes=3, professional_judgement=True, judgement_reason="Recent threats"
    )
    assert assessment.criteria == [Criterion.PROFESSIONAL_JUDGEMENT]
    assert assessment.judgement_reason == "Recent threats"
    assert b"Recent threats" not in stored(assessment, "judgement_reason")


def test_professional_judgement_never_downgrades_a_score(partnership):
    # 16 yes answers and no judgement recorded: still high risk; nothing can take it away.
    assessment = make_assessment(partnership, yes=16, professional_judgement=False)
    assert assessment.criteria == [Criterion.VISIBLE_HIGH_RISK]
    with_judgement = make_assessment(
        partnership, yes=16, professional_judgement=True, judgement_reason="Concern"
    )
    assert with_judgement.criteria[0] == Criterion.VISIBLE_HIGH_RISK


@pytest.mark.parametrize(("incidents", "met"), [(2, False), (3, True)])
def test_potential_escalation_defaults_to_3_incidents_in_12_months(partnership, incidents, met):
    assessment = make_assessment(partnership, yes=2, police_incidents=incidents)
    assert (Criterion.POTENTIAL_ESCALATION in assessment.criteria) is met


def test_a_partnership_sets_its_own_escalation_threshold(partnership):
    MaracSettings.objects.create(
        partnership=partnership, escalation_incidents=5, escalation_crimes=3
    )
    assert make_assessment(partnership, yes=2, police_incidents=4).criteria == []
    five = make_assessment(partnership, yes=2, police_incidents=5)
    assert five.criteria == [Criterion.POTENTIAL_ESCALATION]
    three_crimes = make_assessment(partnership, yes=2, police_incidents=1, police_crimes=3)
    assert three_crimes.criteria == [Criterion.POTENTIAL_ESCALATION]
    assert make_assessment(partnership, yes=2, police_crimes=2).criteria == []


def test_the_threshold_of_another_partnership_does_not_apply(partnership, other_partnership):
    MaracSettings.objects.create(partnership=other_partnership, escalation_incidents=5)
    assessment = make_assessment(partnership, yes=2, police_incidents=3)
    assert assessment.criteria == [Criterion.POTENTIAL_ESCALATION]


def test_honour_based_abuse_as_a_local_automatic_criterion(partnership, other_partnership):
    hba = LocalCriterion.objects.create(
        partnership=partnership, code="hba", label="So-called honour-based abuse"
    )
    assessment = make_assessment(partnership, yes=4, local_criteria=[hba])
    assert assessment.criteria == ["local:hba"]
    note_only = LocalCriterion.objects.create(
        partnership=partnership, code="fgm", label="FGM concern", automatic_referral=False
    )
    assert make_assessment(partnership, yes=4, local_criteria=[note_only]).criteria == []
    theirs = LocalCriterion.objects.create(partnership=other_partnership, code="x", label="X")
    with pytest.raises(ValidationError):
        make_assessment(partnership, yes=4, local_criteria=[theirs])


def test_every_question_must_be_answered(partnership):
    partial = answers(15)
    del partial[24]
    with pytest.raises(ValidationError):
        make_assessment(partnership, answers=partial)
    wrong = answers(15) | {3: "maybe"}
    with pytest.raises(ValidationError):
        make_assessment(partnership, answers=wrong)


@pytest.mark.parametrize(
    ("disclosed", "agrees", "outcome"),
    [
        (False, False, Screening.Outcome.SIGNPOST),
        (False, True, Screening.Outcome.SIGNPOST),
        (True, True, Screening.Outcome.CHECKLIST),
        (True, False, Screening.Outcome.SPECIALIST),
    ],
)
def test_screening_leads_to_the_right_next_step(partnership, disclosed, agrees, outcome):
    screening = services.screening_record(
        partnership=partnership,
        practitioner=None,
        organisation=None,
        screened_on=date(2026, 1, 2),
        disclosed=disclosed,
        immediate_danger=False,
        agrees_to_checklist=agrees,
    )
    assert screening.outcome == outcome
