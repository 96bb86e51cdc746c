"""Survivor voice in Chromium: a survivor's feedback, sent from a phone, reaches staff
triage, is tagged and linked to an action, and the response appears on the public
"You said, we did" page. axe finds nothing on any page on the way.
"""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse

from vawg.core.tests.browser.conftest import DESKTOP, PHONE, axe_problems, phone_overflow
from vawg.voice.models import Feedback, Theme
from vawg.voice.tests.factories import make_plan_action, make_session, make_survey, make_theme

pytestmark = [pytest.mark.browser]

FEEDBACK = "The advocate believed me <b>straight away</b>, but I waited months for counselling."


def _problems(browser, response, axe) -> list[str]:
    problems = []
    if response.status != 200:
        problems.append(f"answered {response.status}")
    problems += axe_problems(axe, browser.page)
    if browser.console_errors:
        problems.append(f"console errors: {browser.console_errors}")
    if browser.external:
        problems.append(f"asked another site for: {browser.external}")
    return problems


def _check(browser, response, axe, failures: dict, name: str) -> None:
    problems = _problems(browser, response, axe)
    browser.screenshot(f"voice--{name}")
    if problems:
        failures[name] = problems


def test_feedback_from_a_phone_reaches_triage_and_the_public_response(visit, partnership, personas):
    axe = Axe()
    failures: dict[str, list[str]] = {}
    action = make_plan_action(partnership)
    theme = make_theme(partnership, "Waiting for counselling")
    make_survey(partnership)
    slug = partnership.slug

    # A survivor, on a phone, with no account.
    phone = visit(PHONE)
    response = phone.open(reverse("voice:feedback-form", kwargs={"partnership": slug}))
    _check(phone, response, axe, failures, "feedback-form-phone")
    page = phone.page
    assert page.get_by_text("not monitored for emergencies").is_visible()
    assert page.get_by_role("button", name="Exit this page").is_visible()
    page.get_by_label("Your feedback").fill(FEEDBACK)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Send feedback").click()
    _check(phone, sent.value, axe, failures, "feedback-thanks-phone")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert page.title() == "Thank you – Partnership Platform"
    assert phone.context.cookies() == []
    # The text travelled in the body: the address bar says nothing of it.
    assert "counselling" not in page.url
    feedback = Feedback.objects.get()
    assert feedback.text == FEEDBACK

    response = phone.open(
        reverse("voice:survey-form", kwargs={"partnership": slug, "survey": "how-did-we-do"})
    )
    _check(phone, response, axe, failures, "survey-phone")

    # Staff triage it: tag the theme and link the action.
    staff = visit(DESKTOP)
    staff.sign_in(personas["partnership_admin"].username)
    response = staff.open(reverse("voice:triage-list", kwargs={"partnership": slug}))
    _check(staff, response, axe, failures, "triage-list")
    page = staff.page
    # Escaped, not run or rendered: the tags show as typed.
    assert page.get_by_text("<b>straight away</b>", exact=False).count() == 1
    with page.expect_navigation() as opened:
        page.get_by_role("link", name=f"(feedback {feedback.pk})").click()
    _check(staff, opened.value, axe, failures, "feedback-detail")
    page.get_by_label("Triaged").check()
    page.get_by_label(theme.name).check()
    page.get_by_label(action.ref, exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save triage").click()
    assert page.get_by_text(f"Feedback {feedback.pk} saved.").is_visible()
    assert list(feedback.themes.all()) == [theme]
    assert list(feedback.actions.all()) == [action]

    # Write the theme's response and publish it.
    response = staff.open(reverse("voice:theme-edit", kwargs={"partnership": slug, "pk": theme.pk}))
    _check(staff, response, axe, failures, "theme-edit")
    page.get_by_label("You said", exact=True).fill("Survivors waited months for counselling.")
    page.get_by_label("We did", exact=True).fill("We funded group work for people while they wait.")
    page.get_by_label(action.ref, exact=False).check()
    page.get_by_label("Publish on the public").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save theme").click()
    _check(staff, page.goto(page.url), axe, failures, "theme-list")
    assert page.locator(".app-table-scroll table").count() == 1
    assert not phone_overflow(staff.page), "the themes table widens the page on a phone"
    assert Theme.objects.get().published

    # The other staff pages, for axe.
    make_session(partnership)
    for name in ("session-list", "session-add", "survey-list", "safeguarding-route"):
        response = staff.open(reverse(f"voice:{name}", kwargs={"partnership": slug}))
        _check(staff, response, axe, failures, name)
    survey = partnership.voice_surveys.get()
    response = staff.open(
        reverse("voice:survey-results", kwargs={"partnership": slug, "pk": survey.pk})
    )
    _check(staff, response, axe, failures, "survey-results")

    # Back on the phone: the public page shows the response and the action taken.
    response = phone.open(reverse("voice:you-said-we-did", kwargs={"partnership": slug}))
    _check(phone, response, axe, failures, "you-said-we-did-phone")
    page = phone.page
    assert page.get_by_role("heading", name="Waiting for counselling").is_visible()
    assert page.get_by_text("We funded group work for people while they wait.").is_visible()
    assert page.get_by_text(action.ref).is_visible()
    assert FEEDBACK not in page.content()  # the survivor's own words stay private
    assert phone.context.cookies() == []

    assert not failures, "\n".join(f"{name}: {problems}" for name, problems in failures.items())


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_a_survivor_can_leave_the_feedback_form_at_once(visit, partnership, viewport):
    """Half-way through typing, the exit leaves for the neutral site and keeps nothing."""
    browser = visit(viewport)
    browser.open(reverse("voice:feedback-form", kwargs={"partnership": partnership.slug}))
    browser.page.get_by_label("Your feedback").fill("Something I have not sent yet")
    browser.page.get_by_role("button", name="Emergency Exit this page").click()
    for _ in range(100):
        if browser.external:
            break
        browser.page.wait_for_timeout(50)
    assert browser.external and browser.external[0] == settings.EXIT_PAGE_URL
    assert [h for h in browser.external_headers if "referer" in h] == []
    assert not Feedback.objects.exists()
    assert browser.context.cookies() == []


@pytest.mark.parametrize(
    "javascript", [pytest.param(True, id="js"), pytest.param(False, id="no-js")]
)
def test_grouped_actions_and_the_section_navigation_work_by_keyboard(
    visit, partnership, personas, javascript
):
    """The long action list is in one fieldset per priority; Tab walks through the boxes
    across the groups, Space ticks them, Enter saves; the section navigation marks the page
    being shown. With and without JavaScript."""
    from vawg.strategy.tests.factories import make_action, make_priority, make_strategy
    from vawg.voice.models import SafeguardingRoute

    strategy = make_strategy(partnership)
    first = make_priority(strategy, number="1", title="Prevention", order=1)
    second = make_priority(strategy, number="2", title="Justice", order=2)
    a1 = make_action(first, "1.1", activity="Healthy relationships lessons", order=1)
    make_action(first, "1.2", activity="Bystander training", order=2)
    b1 = make_action(second, "2.1", activity="Specialist court", order=3)
    SafeguardingRoute.objects.create(
        partnership=partnership, text="Phone the duty team.", contact="Duty team"
    )
    feedback = Feedback.objects.create(
        partnership=partnership, received_on=date(2026, 5, 1), text="I am scared tonight."
    )
    slug = partnership.slug
    axe = Axe()
    failures: dict[str, list[str]] = {}

    staff = visit(DESKTOP, javascript=javascript)
    staff.sign_in(personas["partnership_admin"].username)
    page = staff.page

    def check(response, name: str) -> None:
        # axe needs JavaScript in the page: the no-JS run is screenshotted, axe runs on the JS one.
        if javascript:
            _check(staff, response, axe, failures, name)
        else:
            staff.screenshot(f"voice--{name}-no-js")
            assert response.status == 200

    response = staff.open(reverse("voice:triage-list", kwargs={"partnership": slug}))
    check(response, "triage-nav")
    nav = page.get_by_role("navigation", name="Voice and support")
    assert nav.locator("[aria-current=page]").inner_text() == "Feedback"
    nav.get_by_role("link", name="Feedback").focus()
    page.keyboard.press("Tab")
    # A key press does not wait for the page it asks for, as a click does.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    nav = page.get_by_role("navigation", name="Voice and support")
    assert nav.locator("[aria-current=page]").inner_text() == "Themes and responses"

    response = staff.open(
        reverse("voice:feedback-detail", kwargs={"partnership": slug, "pk": feedback.pk})
    )
    check(response, "triage-grouped")
    prevention = page.get_by_role("group", name="Actions under Priority 1: Prevention")
    justice = page.get_by_role("group", name="Actions under Priority 2: Justice")
    assert prevention.get_by_role("checkbox").count() == 2
    assert justice.get_by_role("checkbox").count() == 1
    page.get_by_label("Triaged").check()
    page.get_by_label("This suggests someone may be in danger").check()
    prevention.get_by_role("checkbox").first.focus()
    page.keyboard.press("Space")  # 1.1
    page.keyboard.press("Tab")  # 1.2, left unticked
    page.keyboard.press("Tab")  # into the next group: 2.1
    assert page.locator("#id_actions_3").get_attribute("value") == str(b1.pk)
    assert page.locator("#id_actions_3:focus").count() == 1
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save triage").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text(f"Feedback {feedback.pk} saved.").is_visible()
    assert set(feedback.actions.all()) == {a1, b1}
    feedback.refresh_from_db()
    assert feedback.safeguarding
    assert page.get_by_text("No mailbox is set for the route").is_visible()

    assert not failures, "\n".join(f"{name}: {problems}" for name, problems in failures.items())
