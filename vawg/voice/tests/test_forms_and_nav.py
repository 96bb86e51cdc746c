"""The long action lists grouped by priority (GOV.UK fieldsets, no JavaScript), and the
section's own navigation with aria-current on the page being shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.strategy.tests.factories import make_action, make_priority, make_strategy
from vawg.voice.tests.factories import make_feedback, make_theme

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership": "wandsworth", **kwargs})


@pytest.fixture
def admin(client_for, personas):
    return client_for(personas["partnership_admin"])


@pytest.fixture
def plan(partnership):
    strategy = make_strategy(partnership)
    first = make_priority(strategy, number="1", title="Prevention", order=1)
    second = make_priority(strategy, number="2", title="Justice", order=2)
    return {
        "a1": make_action(first, "1.1", activity="Healthy relationships lessons", order=1),
        "a2": make_action(first, "1.2", activity="Bystander training", order=2),
        "b1": make_action(second, "2.1", activity="Specialist court", order=3),
    }


def _groups(html: str) -> dict[str, list[tuple[str, str, bool]]]:
    """{legend: [(input id, value, checked)]} for each fieldset of action checkboxes."""
    groups = {}
    for fieldset in re.findall(r"<fieldset\b.*?</fieldset>", html, re.S):
        inputs = re.findall(r'<input[^>]*name="actions"[^>]*>', fieldset)
        if not inputs:
            continue
        legend = re.search(r"<legend[^>]*>(.*?)</legend>", fieldset, re.S).group(1)
        legend = re.sub(r"<[^>]+>", "", legend).strip()
        groups[legend] = [
            (
                re.search(r'id="([^"]+)"', tag).group(1),
                re.search(r'value="([^"]+)"', tag).group(1),
                " checked" in tag,
            )
            for tag in inputs
        ]
    return groups


def test_triage_groups_actions_by_priority_in_fieldsets(admin, partnership, plan):
    feedback = make_feedback(partnership)
    feedback.actions.set([plan["b1"]])
    html = admin.get(_url("voice:feedback-detail", pk=feedback.pk)).content.decode()
    a1, a2, b1 = (str(plan[k].pk) for k in ("a1", "a2", "b1"))
    assert _groups(html) == {
        "Actions under Priority 1: Prevention": [
            ("id_actions", a1, False),  # the field's id: where the error summary links
            ("id_actions_2", a2, False),
        ],
        "Actions under Priority 2: Justice": [("id_actions_3", b1, True)],
    }
    assert "1.2 – Bystander training" in html


def test_ticks_survive_a_refused_save_and_are_saved(admin, partnership, plan):
    feedback = make_feedback(partnership)
    url = _url("voice:feedback-detail", pk=feedback.pk)
    refused = admin.post(url, {"status": "", "actions": [plan["a2"].pk, plan["b1"].pk]})
    assert refused.status_code == 400
    html = refused.content.decode()
    ticked = {v for group in _groups(html).values() for _, v, checked in group if checked}
    assert ticked == {str(plan["a2"].pk), str(plan["b1"].pk)}
    saved = admin.post(url, {"status": "triaged", "actions": [plan["a1"].pk]})
    assert saved.status_code == 302
    assert list(feedback.actions.all()) == [plan["a1"]]


def test_an_unknown_action_is_refused_with_a_link_to_the_first_box(admin, partnership, plan):
    feedback = make_feedback(partnership)
    response = admin.post(
        _url("voice:feedback-detail", pk=feedback.pk), {"status": "triaged", "actions": [999999]}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_actions">Choose from the actions listed.</a>' in html
    assert 'id="id_actions"' in html


def test_the_theme_form_groups_its_actions_too(admin, partnership, plan):
    theme = make_theme(partnership)
    theme.actions.set([plan["a1"]])
    html = admin.get(_url("voice:theme-edit", pk=theme.pk)).content.decode()
    groups = _groups(html)
    assert list(groups) == [
        "Actions under Priority 1: Prevention",
        "Actions under Priority 2: Justice",
    ]
    assert groups["Actions under Priority 1: Prevention"][0] == (
        "id_actions",
        str(plan["a1"].pk),
        True,
    )


def test_the_grouped_form_costs_the_same_at_any_plan_size(admin, partnership, plan):
    feedback = make_feedback(partnership)
    url = _url("voice:feedback-detail", pk=feedback.pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        return len(captured)

    small = queries()
    strategy = plan["a1"].strategy
    for n in range(3, 8):
        priority = make_priority(strategy, number=str(n), title=f"Priority {n}", order=n)
        for _ in range(4):
            make_action(priority)
    assert queries() == small


NAV = re.compile(r'<nav aria-label="Voice and support".*?</nav>', re.S)


@pytest.mark.parametrize(
    ("name", "kwargs", "current", "aria"),
    [
        ("voice:triage-list", {}, "Feedback", "page"),
        ("voice:theme-list", {}, "Themes and responses", "page"),
        ("voice:session-list", {}, "Sessions", "page"),
        ("voice:survey-list", {}, "Surveys", "page"),
        ("voice:safeguarding-route", {}, "Safeguarding route", "page"),
    ],
)
def test_the_section_navigation_marks_the_current_page(
    admin, partnership, name, kwargs, current, aria
):
    html = admin.get(_url(name, **kwargs)).content.decode()
    nav = NAV.search(html).group(0)
    # The section's pages are a sub-navigation, not a second GOV.UK service navigation.
    assert 'class="app-sub-navigation__list"' in nav
    assert "govuk-service-navigation" not in nav
    marked = re.findall(r'<a [^>]*aria-current="([^"]+)"[^>]*>(.*?)</a>', nav, re.S)
    assert [(a, re.sub(r"<[^>]+>", "", label).strip()) for a, label in marked] == [(aria, current)]
    # The current item is also shown in bold text, not by colour alone.
    assert f"<strong>{current}</strong>" in nav
    assert nav.count("app-sub-navigation__item--active") == 1
    # The five voice pages, and the support directory the admin also keeps.
    assert nav.count("<li ") == 6
