from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vawg.audit.models import AuditEvent
from vawg.voice import services
from vawg.voice.models import Answer, Feedback, Question, Theme
from vawg.voice.tests.factories import (
    make_feedback,
    make_plan_action,
    make_survey,
    make_theme,
)

DAY = date(2026, 5, 12)


# --- Anonymous feedback -----------------------------------------------------------


def test_it_keeps_feedback_with_the_day_only(partnership):
    feedback = services.feedback_submit(
        partnership=partnership, text="  The housing officer believed me.\r\n ", today=DAY
    )
    feedback.refresh_from_db()
    assert feedback.text == "The housing officer believed me."
    assert feedback.received_on == DAY
    assert feedback.status == Feedback.Status.NEW
    # An anonymous submission leaves nothing on the audit trail (no moment, no address).
    assert not AuditEvent.objects.exists()


def test_it_holds_feedback_encrypted_at_rest(partnership):
    feedback = make_feedback(partnership, text="Nobody asked about my children.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM voice_feedback WHERE id = %s", [feedback.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"children" not in raw
    assert raw.startswith(b"gAAAAA")  # a Fernet token
    assert Feedback.objects.get(pk=feedback.pk).text == "Nobody asked about my children."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your feedback."),
        ("   \x00 ", "Enter your feedback."),
        (
            "x" * 2001,
            "Your feedback must be 2,000 characters or fewer. It is 2,001 characters now: "
            "shorten it by 1.",
        ),
        (
            "buy http://a.example http://b.example www.c.example now",
            "Your feedback has 3 web links. Include no more than 2, or describe the page instead.",
        ),
    ],
)
def test_it_refuses_feedback_a_person_can_put_right(partnership, text, message):
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(partnership=partnership, text=text, today=DAY)
    assert error.value.messages == [message]
    assert not Feedback.objects.exists()


def test_it_strips_control_characters_that_postgresql_would_refuse(partnership):
    feedback = services.feedback_submit(partnership=partnership, text="a\x00b\x07c", today=DAY)
    assert Feedback.objects.get(pk=feedback.pk).text == "abc"


# --- Surveys ----------------------------------------------------------------------


def test_the_standard_survey_is_created_once_with_its_fixed_questions(partnership):
    first = services.survey_create_standard(partnership=partnership)
    again = services.survey_create_standard(partnership=partnership)
    assert first == again
    assert [q.topic for q in first.questions.all()] == [
        "safer",
        "believed",
        "supported",
        "involved",
        "help",
    ]
    assert first.questions.get(topic="help").kind == Question.Kind.TEXT


def test_it_keeps_a_survey_response_skipping_unanswered_questions(partnership):
    survey = make_survey(partnership)
    q = {question.topic: question for question in survey.questions.all()}
    response = services.survey_respond(
        survey=survey,
        replies={
            q["safer"].pk: services.Reply(choice="yes"),
            q["believed"].pk: services.Reply(),
            q["help"].pk: services.Reply(text="Evening appointments"),
        },
        today=DAY,
    )
    answers = {a.question.topic: a for a in response.answers.select_related("question")}
    assert set(answers) == {"safer", "help"}
    assert answers["safer"].choice == Answer.Choice.YES
    assert Answer.objects.get(pk=answers["help"].pk).text == "Evening appointments"


def test_it_refuses_an_empty_response_and_a_closed_survey(partnership):
    survey = make_survey(partnership)
    with pytest.raises(ValidationError, match="Answer at least one question"):
        services.survey_respond(survey=survey, replies={}, today=DAY)
    survey.is_open = False
    survey.save()
    question = survey.questions.first()
    with pytest.raises(ValidationError, match="closed"):
        services.survey_respond(
            survey=survey, replies={question.pk: services.Reply(choice="yes")}, today=DAY
        )


def test_it_refuses_answers_to_another_surveys_questions(partnership, other_partnership):
    survey = make_survey(partnership)
    theirs = make_survey(other_partnership).questions.first()
    with pytest.raises(ValidationError, match="do not match"):
        services.survey_respond(
            survey=survey, replies={theirs.pk: services.Reply(choice="yes")}, today=DAY
        )


# --- Triage -----------------------------------------------------------------------


def test_triage_marks_for_the_safeguarding_route_tags_and_links(partnership, personas):
    admin = personas["partnership_admin"]
    feedback = make_feedback(partnership)
    theme = make_theme(partnership, "Being believed")
    action = make_plan_action(partnership)
    services.feedback_triage(
        feedback=feedback,
        actor=admin,
        status=Feedback.Status.TRIAGED,
        safeguarding=True,
        themes=[theme],
        actions=[action],
        priorities=[action.priority],
        note="Passed to the duty team.",
    )
    feedback.refresh_from_db()
    assert feedback.safeguarding
    assert feedback.safeguarding_marked_by == admin
    assert feedback.safeguarding_marked_at is not None
    assert list(feedback.themes.all()) == [theme]
    assert list(feedback.actions.all()) == [action]
    event = AuditEvent.objects.get()
    assert event.summary == "Marked survivor feedback for the safeguarding route"
    assert event.actor_id == admin.pk
    assert event.detail["action_ids"] == [action.pk]


def test_unmarking_clears_who_marked_it(partnership, personas):
    admin = personas["partnership_admin"]
    feedback = make_feedback(partnership)
    for safeguarding in (True, False):
        services.feedback_triage(
            feedback=feedback, actor=admin, status="triaged", safeguarding=safeguarding
        )
    feedback.refresh_from_db()
    assert not feedback.safeguarding
    assert feedback.safeguarding_marked_by is None
    assert AuditEvent.objects.order_by("pk").last().summary == (
        "Removed survivor feedback from the safeguarding route"
    )


def test_triage_refuses_another_partnerships_theme_or_action(
    partnership, other_partnership, personas
):
    feedback = make_feedback(partnership)
    for links in (
        {"themes": [make_theme(other_partnership)]},
        {"actions": [make_plan_action(other_partnership)]},
    ):
        with pytest.raises(ValidationError, match="of this partnership"):
            services.feedback_triage(
                feedback=feedback,
                actor=personas["partnership_admin"],
                status="triaged",
                safeguarding=False,
                **links,
            )
    assert not feedback.themes.exists()
    assert not AuditEvent.objects.exists()


# --- Themes, sessions, the route -----------------------------------------------------


def test_a_theme_cannot_be_published_half_written(partnership, personas):
    with pytest.raises(ValidationError) as error:
        services.theme_save(
            partnership=partnership,
            actor=personas["partnership_admin"],
            name="Waiting times",
            you_said="Counselling waits are too long.",
            published=True,
        )
    assert error.value.message_dict == {
        "we_did": ["Enter what the partnership did before you publish this theme."]
    }
    assert not Theme.objects.exists()


def test_a_theme_name_is_unique_in_the_partnership_whatever_its_case(partnership, personas):
    admin = personas["partnership_admin"]
    services.theme_save(partnership=partnership, actor=admin, name="Waiting times")
    with pytest.raises(ValidationError, match="already a theme"):
        services.theme_save(partnership=partnership, actor=admin, name="waiting TIMES")


def test_a_published_theme_links_the_actions_taken(partnership, personas):
    action = make_plan_action(partnership)
    theme = services.theme_save(
        partnership=partnership,
        actor=personas["workstream_chair"],
        name="Waiting times",
        you_said="Counselling waits are too long.",
        we_did="We funded two more counsellors.",
        published=True,
        actions=[action],
    )
    assert theme.published
    assert list(theme.actions.all()) == [action]
    assert AuditEvent.objects.get().summary == "Added a survivor voice theme"


def test_a_session_records_themes_not_names(partnership, personas):
    theme = make_theme(partnership)
    session = services.session_save(
        partnership=partnership,
        actor=personas["partnership_admin"],
        kind="panel",
        held_on=DAY,
        title="Expert-by-experience panel, May",
        summary="Reviewed the new leaflet.",
        attendance=7,
        themes=[theme],
    )
    assert list(session.themes.all()) == [theme]
    assert AuditEvent.objects.get().summary == "Recorded a session: Expert-by-experience panel"


def test_the_safeguarding_route_is_one_per_partnership(partnership, personas):
    admin = personas["partnership_admin"]
    services.safeguarding_route_set(
        partnership=partnership, actor=admin, text="Tell the duty team.", contact="Duty line"
    )
    route = services.safeguarding_route_set(
        partnership=partnership, actor=admin, text="Phone MASH.", contact="MASH"
    )
    assert route.text == "Phone MASH."
    assert partnership.safeguarding_route == route
    with pytest.raises(ValidationError):
        services.safeguarding_route_set(partnership=partnership, actor=admin, text="", contact="")
