"""Small factories for survivor voice tests."""

import itertools
from datetime import date

from vawg.core.models import Partnership
from vawg.strategy.models import Action
from vawg.strategy.tests.factories import make_action, make_priority, make_strategy
from vawg.voice import services
from vawg.voice.models import Answer, Feedback, Session, Survey, SurveyResponse, Theme

_seq = itertools.count(1)


def make_feedback(partnership: Partnership, text: str = "The IDVA listened to me.", **extra):
    extra.setdefault("received_on", date(2026, 5, 1))
    return Feedback.objects.create(partnership=partnership, text=text, **extra)


def make_theme(partnership: Partnership, name: str | None = None, **extra) -> Theme:
    return Theme.objects.create(
        partnership=partnership, name=name or f"Theme {next(_seq)}", **extra
    )


def make_plan_action(partnership: Partnership) -> Action:
    strategy = make_strategy(partnership)
    return make_action(make_priority(strategy))


def make_session(partnership: Partnership, **extra) -> Session:
    extra.setdefault("kind", Session.Kind.FORUM)
    extra.setdefault("held_on", date(2026, 4, 20))
    extra.setdefault("title", f"Survivor forum {next(_seq)}")
    extra.setdefault(
        "summary", "Waiting times for counselling; being believed by first responders."
    )
    return Session.objects.create(partnership=partnership, **extra)


def make_survey(partnership: Partnership) -> Survey:
    return services.survey_create_standard(partnership=partnership)


def answer_survey(survey: Survey, on: date, **choices: str) -> SurveyResponse:
    """answer_survey(survey, day, safer="yes", involved="no"): one response by topic."""
    response = SurveyResponse.objects.create(survey=survey, received_on=on)
    for question in survey.questions.all():
        value = choices.get(question.topic)
        if value is None:
            continue
        if value in Answer.Choice.values:
            Answer.objects.create(response=response, question=question, choice=value)
        else:
            Answer.objects.create(response=response, question=question, text=value)
    return response
