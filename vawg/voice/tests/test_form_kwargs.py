"""The staff forms fill themselves from what they change, and give the services the
chosen themes, actions and priorities as the partnership's own objects."""

from datetime import date

import pytest

from vawg.voice.forms import SafeguardingRouteForm, SessionForm, ThemeForm, TriageForm
from vawg.voice.models import SafeguardingRoute
from vawg.voice.tests.factories import make_feedback, make_plan_action, make_session, make_theme

pytestmark = pytest.mark.django_db


def _pks(objects) -> list[int]:
    return sorted(o.pk for o in objects)


def test_the_triage_form_starts_from_the_feedback(partnership):
    action = make_plan_action(partnership)
    theme = make_theme(partnership)
    feedback = make_feedback(partnership, status="triaged", safeguarding=True, triage_note="n")
    feedback.themes.add(theme)
    feedback.actions.add(action)
    feedback.priorities.add(action.priority)
    form = TriageForm(partnership=partnership, feedback=feedback)
    assert not form.is_bound
    assert form.initial == {
        "status": "triaged",
        "safeguarding": True,
        "themes": [theme.pk],
        "actions": [action.pk],
        "priorities": [action.priority.pk],
        "note": "n",
    }


def test_a_sent_triage_form_ignores_what_the_feedback_held(partnership):
    feedback = make_feedback(partnership, status="closed")
    form = TriageForm({"status": "new"}, partnership=partnership, feedback=feedback)
    assert form.initial == {}
    assert form.is_valid() and form.cleaned_data["status"] == "new"


def test_the_triage_form_gives_the_chosen_links_as_objects(partnership):
    action, other = make_plan_action(partnership), make_plan_action(partnership)
    theme = make_theme(partnership)
    make_theme(partnership)  # not chosen
    data = {
        "status": "triaged",
        "safeguarding": "on",
        "themes": [theme.pk],
        "actions": [action.pk],
        "priorities": [other.priority.pk],
        "note": " why ",
    }
    form = TriageForm(data, partnership=partnership)
    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs()
    assert set(kwargs) == {"status", "safeguarding", "note", "themes", "actions", "priorities"}
    assert (kwargs["status"], kwargs["safeguarding"]) == ("triaged", True)
    assert _pks(kwargs["themes"]) == [theme.pk]
    assert _pks(kwargs["actions"]) == [action.pk]
    assert _pks(kwargs["priorities"]) == [other.priority.pk]


def test_the_links_come_only_from_the_partnerships_own(partnership, other_partnership):
    theirs = make_plan_action(other_partnership)
    form = TriageForm({"status": "new"}, partnership=partnership)
    assert form.is_valid()
    # Even were an id of theirs to reach the cleaned data, it is looked up among ours.
    form.cleaned_data["actions"] = [theirs.pk]
    assert not form.service_kwargs()["actions"].exists()


def test_the_theme_form_starts_from_the_theme_and_gives_what_theme_save_takes(partnership):
    action = make_plan_action(partnership)
    theme = make_theme(partnership, name="Waiting", you_said="Said", we_did="Did")
    theme.actions.add(action)
    form = ThemeForm(partnership=partnership, theme=theme)
    assert form.initial["name"] == "Waiting" and form.initial["actions"] == [action.pk]
    assert ThemeForm(partnership=partnership).initial == {}
    sent = ThemeForm(
        {"name": "Courts", "you_said": "a", "we_did": "b", "priorities": [action.priority.pk]},
        partnership=partnership,
        theme=theme,
    )
    assert sent.is_valid(), sent.errors
    kwargs = sent.service_kwargs()
    assert (kwargs["name"], kwargs["published"]) == ("Courts", False)
    assert not kwargs["actions"].exists()
    assert _pks(kwargs["priorities"]) == [action.priority.pk]


def test_the_session_form_starts_from_the_session_and_gives_what_session_save_takes(
    partnership,
):
    theme = make_theme(partnership)
    session = make_session(partnership, attendance=8)
    session.themes.add(theme)
    form = SessionForm(partnership=partnership, session=session)
    assert form.initial["attendance"] == 8 and form.initial["themes"] == [theme.pk]
    sent = SessionForm(
        {
            "kind": session.kind,
            "title": "Panel",
            "held_on_0": "3",
            "held_on_1": "5",
            "held_on_2": "2026",
            "summary": "Courts",
            "themes": [theme.pk],
        },
        partnership=partnership,
    )
    assert sent.is_valid(), sent.errors
    kwargs = sent.service_kwargs()
    assert kwargs["held_on"] == date(2026, 5, 3) and kwargs["attendance"] is None
    assert _pks(kwargs["themes"]) == [theme.pk]


def test_the_route_form_starts_from_the_route_when_there_is_one(partnership):
    assert SafeguardingRouteForm(route=None).initial == {}
    route = SafeguardingRoute(
        partnership=partnership, text="Call", contact="Duty", notify_email="d@example.org"
    )
    assert SafeguardingRouteForm(route=route).initial == {
        "text": "Call",
        "contact": "Duty",
        "notify_email": "d@example.org",
    }
    assert SafeguardingRouteForm({"text": "x"}, route=route).initial == {}
