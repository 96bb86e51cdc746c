"""The staff side: triage, themes, sessions, the route and survey results."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.voice.models import Feedback, SafeguardingRoute, Session, Survey, Theme
from vawg.voice.tests.factories import (
    answer_survey,
    make_feedback,
    make_plan_action,
    make_survey,
    make_theme,
)


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership": "wandsworth", **kwargs})


@pytest.fixture
def admin(client_for, personas):
    return client_for(personas["partnership_admin"])


# --- Triage list ---------------------------------------------------------------------


def test_the_triage_list_shows_new_feedback_and_audits_the_read(admin, partnership, personas):
    new = make_feedback(partnership, text="The police officer was kind.")
    make_feedback(partnership, text="Old and closed.", status=Feedback.Status.CLOSED)
    response = admin.get(_url("voice:triage-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The police officer was kind." in html
    assert "Old and closed." not in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_RESTRICTED)
    assert event.detail == {"feedback_ids": [new.pk]}
    assert event.actor_id == personas["partnership_admin"].pk


def test_the_triage_list_can_show_safeguarding_and_all(admin, partnership):
    make_feedback(partnership, text="Marked one.", safeguarding=True, status="triaged")
    make_feedback(partnership, text="Closed one.", status="closed")
    html = admin.get(_url("voice:triage-list") + "?show=safeguarding").content.decode()
    assert "Marked one." in html and "Closed one." not in html
    assert "Safeguarding route</strong>" in html  # said in words, not colour alone
    html = admin.get(_url("voice:triage-list") + "?show=all").content.decode()
    assert "Marked one." in html and "Closed one." in html


def test_a_bad_filter_gets_a_message_not_a_crash(admin, partnership):
    response = admin.get(_url("voice:triage-list") + "?show=everything&page=zz")
    assert response.status_code == 200
    assert "Choose which feedback to show." in response.content.decode()


def test_the_triage_list_warns_when_no_safeguarding_route_is_set(admin, partnership):
    html = admin.get(_url("voice:triage-list")).content.decode()
    assert "has not set its safeguarding route" in html


def test_the_triage_list_costs_the_same_at_any_size(admin, partnership):
    theme = make_theme(partnership)
    action = make_plan_action(partnership)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(_url("voice:triage-list")).status_code == 200
        return len(queries)

    sizes = []
    for count in (3, 20):
        Feedback.objects.all().delete()
        for n in range(count):
            feedback = make_feedback(partnership, text=f"Message {n}")
            feedback.themes.add(theme)
            feedback.actions.add(action)
        sizes.append(queries_for_list())
    assert sizes[0] == sizes[1]
    assert sizes[1] <= 17  # session, user, memberships, navigation, page, counts, audit


# --- Triage of one piece of feedback -------------------------------------------------


def test_triage_tags_links_and_marks_for_the_safeguarding_route(admin, partnership):
    SafeguardingRoute.objects.create(
        partnership=partnership, text="Phone the duty team at once.", contact="Duty line 0000"
    )
    feedback = make_feedback(partnership, text="I am scared to go home tonight.")
    theme = make_theme(partnership, "Safety at home")
    action = make_plan_action(partnership)
    response = admin.post(
        _url("voice:feedback-detail", pk=feedback.pk),
        {
            "status": "triaged",
            "safeguarding": "on",
            "themes": [theme.pk],
            "actions": [action.pk],
            "priorities": [action.priority.pk],
            "note": "Followed the route.",
        },
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.safeguarding and feedback.status == "triaged"
    assert list(feedback.themes.all()) == [theme]
    assert list(feedback.actions.all()) == [action]
    html = admin.get(response["Location"]).content.decode()
    assert "Phone the duty team at once." in html
    assert "Duty line 0000" in html
    assert "Marked for the safeguarding route" in html


def test_reading_one_piece_of_feedback_is_audited(admin, partnership):
    feedback = make_feedback(partnership)
    admin.get(_url("voice:feedback-detail", pk=feedback.pk))
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_RESTRICTED)
    assert event.object_id == str(feedback.pk)
    assert event.summary == "Read survivor feedback"


def test_triage_refuses_another_partnerships_action_with_a_message(
    admin, partnership, other_partnership
):
    feedback = make_feedback(partnership)
    theirs = make_plan_action(other_partnership)
    response = admin.post(
        _url("voice:feedback-detail", pk=feedback.pk),
        {"status": "triaged", "actions": [theirs.pk]},
    )
    assert response.status_code == 400
    assert "Choose from the actions listed." in response.content.decode()
    assert not feedback.actions.exists()


def test_triage_without_a_status_says_what_to_do(admin, partnership):
    feedback = make_feedback(partnership)
    response = admin.post(_url("voice:feedback-detail", pk=feedback.pk), {})
    assert response.status_code == 400
    assert "Choose new, triaged or closed." in response.content.decode()


def test_other_roles_cannot_triage(client_for, personas, partnership):
    feedback = make_feedback(partnership)
    for role in ("action_lead", "board_member", "analyst", "practitioner"):
        client = client_for(personas[role])
        response = client.post(_url("voice:feedback-detail", pk=feedback.pk), {"status": "closed"})
        assert response.status_code == 403, role
    feedback.refresh_from_db()
    assert feedback.status == "new"


def test_a_workstream_chair_may_triage(client_for, personas, partnership):
    feedback = make_feedback(partnership)
    client = client_for(personas["workstream_chair"])
    response = client.post(_url("voice:feedback-detail", pk=feedback.pk), {"status": "closed"})
    assert response.status_code == 302


# --- Themes ------------------------------------------------------------------------


def test_a_theme_is_written_linked_and_published(admin, partnership, client):
    action = make_plan_action(partnership)
    response = admin.post(
        _url("voice:theme-add"),
        {
            "name": "Being believed",
            "you_said": "Survivors told us first responders did not believe them.",
            "we_did": "Every officer now has trauma-informed training.",
            "actions": [action.pk],
            "published": "on",
        },
    )
    assert response.status_code == 302
    theme = Theme.objects.get()
    assert theme.published and list(theme.actions.all()) == [action]
    client.logout()
    html = client.get(reverse("voice:you-said-we-did", kwargs={"partnership": "wandsworth"}))
    assert "Every officer now has trauma-informed training." in html.content.decode()


def test_publishing_a_half_written_theme_is_refused_with_a_message(admin, partnership):
    response = admin.post(_url("voice:theme-add"), {"name": "Waiting", "published": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter what survivors said before you publish this theme." in html
    assert "Enter what the partnership did before you publish this theme." in html
    assert not Theme.objects.exists()


def test_a_theme_can_be_changed(admin, partnership):
    theme = make_theme(partnership, "Old name")
    response = admin.post(_url("voice:theme-edit", pk=theme.pk), {"name": "New name"})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "New name"
    assert "New name" in admin.get(_url("voice:theme-list")).content.decode()


# --- Sessions ------------------------------------------------------------------------


def test_a_session_is_recorded_with_its_themes(admin, partnership):
    theme = make_theme(partnership, "Housing")
    response = admin.post(
        _url("voice:session-add"),
        {
            "kind": "forum",
            "title": "Survivor forum, spring",
            "held_on_0": "14",
            "held_on_1": "3",
            "held_on_2": "2026",
            "attendance": "9",
            "summary": "Housing waits; feeling believed.",
            "themes": [theme.pk],
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.held_on == date(2026, 3, 14)
    assert list(session.themes.all()) == [theme]
    html = admin.get(_url("voice:session-list")).content.decode()
    assert "Survivor forum, spring" in html


def test_a_session_with_a_bad_date_says_which_part(admin, partnership):
    response = admin.post(
        _url("voice:session-add"),
        {
            "kind": "forum",
            "title": "Forum",
            "held_on_0": "31",
            "held_on_1": "2",
            "held_on_2": "2026",
            "summary": "x",
            "attendance": "-1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The session date must be a real date" in html
    assert "How many took part cannot be less than 0." in html
    assert not Session.objects.exists()


# --- Safeguarding route, surveys ------------------------------------------------------


def test_the_safeguarding_route_is_set_by_staff(admin, partnership):
    response = admin.post(
        _url("voice:safeguarding-route"),
        {"text": "Phone the MASH.", "contact": "MASH duty desk"},
    )
    assert response.status_code == 302
    assert partnership.safeguarding_route.contact == "MASH duty desk"
    assert AuditEvent.objects.filter(summary__startswith="Set the safeguarding route").exists()


def test_the_survey_is_started_closed_and_reopened(admin, partnership):
    assert admin.post(_url("voice:survey-start")).status_code == 302
    survey = Survey.objects.get()
    assert survey.questions.count() == 5
    admin.post(_url("voice:survey-toggle", pk=survey.pk))
    survey.refresh_from_db()
    assert not survey.is_open
    admin.post(_url("voice:survey-toggle", pk=survey.pk))
    survey.refresh_from_db()
    assert survey.is_open


def test_survey_results_are_controlled_for_staff_without_the_analyst_role(
    admin, partnership, client_for, personas
):
    survey = make_survey(partnership)
    for choice in ["yes", "yes", "no"]:
        answer_survey(survey, date(2026, 5, 1), safer=choice, help="A crèche at groups")
    html = admin.get(_url("voice:survey-results", pk=survey.pk)).content.decode()
    assert "fewer than 5" in html
    assert "66.7" not in html and "not shown" in html  # no percentage from hidden counts
    assert "OFFICIAL-SENSITIVE" not in html
    assert "A crèche at groups" in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_RESTRICTED).exists()
    # The view of figures is recorded, at the level shown, with the survey's id only.
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES)
    assert viewed.object_type == "voice.SurveyResults"
    assert viewed.actor_id == personas["partnership_admin"].pk
    assert viewed.detail["level"] == "controlled"
    assert viewed.detail["filters"]["survey"] == survey.pk
    # A workstream chair who is also an analyst sees the exact figures, marked.
    from vawg.accounts.testing import make_member

    both = client_for(make_member("analyst", partnership, user=personas["workstream_chair"]))
    html = both.get(_url("voice:survey-results", pk=survey.pk)).content.decode()
    assert "66.7" in html and "OFFICIAL-SENSITIVE" in html
    exact = AuditEvent.objects.get(
        action=AuditEvent.Action.READ_RESTRICTED, object_type="voice.SurveyResults"
    )
    assert exact.detail["level"] == "exact"


def test_the_survey_list_shows_response_counts_controlled(admin, partnership, personas):
    survey = make_survey(partnership)
    for _ in range(3):
        answer_survey(survey, date(2026, 5, 1), safer="yes")
    html = admin.get(_url("voice:survey-list")).content.decode()
    assert "fewer than 5" in html
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES)
    assert (viewed.object_type, viewed.actor_id) == (
        "voice.Surveys",
        personas["partnership_admin"].pk,
    )


def test_staff_pages_refuse_the_wrong_method(admin, partnership):
    assert admin.get(_url("voice:survey-start")).status_code == 405
    assert admin.post(_url("voice:triage-list")).status_code == 405
