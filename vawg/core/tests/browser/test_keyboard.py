"""Keyboard use and leaving quickly, in Chromium, at phone and desktop sizes."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from vawg.core.tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser]

SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
# GOV.UK Frontend's focus style: a yellow background behind the focused text.
FOCUS_YELLOW = "rgb(255, 221, 0)"


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, id: el.id, text: el.textContent.trim(),
                    background: getComputedStyle(el).backgroundColor};
        }"""
    )


def _wait_until_left(visit_) -> str:
    """Where the tab ended up, once it has asked for the neutral site.

    Polled rather than awaited: the neutral site is unreachable here, and a
    failed navigation would end Playwright's own wait with an error.
    """
    for _ in range(100):
        if visit_.page.url == settings.EXIT_PAGE_URL and visit_.external:
            break
        visit_.page.wait_for_timeout(50)
    return visit_.page.url


@pytest.mark.parametrize("viewport", SIZES)
def test_the_first_tab_reaches_skip_to_main_content_which_moves_focus_to_main(visit, db, viewport):
    browser = visit(viewport)
    browser.open(reverse("core:home"))

    browser.page.keyboard.press("Tab")
    focused = _focused(browser.page)
    assert focused["text"] == "Skip to main content"
    assert focused["background"] == FOCUS_YELLOW

    browser.page.keyboard.press("Enter")
    assert _focused(browser.page)["id"] == "main-content"
    # The next Tab from main reaches the first control in it: Exit this page.
    browser.page.keyboard.press("Tab")
    assert _focused(browser.page)["text"] == "Emergency Exit this page"


@pytest.mark.parametrize("viewport", SIZES)
def test_pressing_shift_three_times_leaves_the_page(visit, db, viewport):
    browser = visit(viewport)
    browser.open(reverse("core:privacy"))
    assert browser.page.get_by_role("button", name="Emergency Exit this page").is_visible()

    for _ in range(3):
        browser.page.keyboard.press("Shift")

    ended_at = _wait_until_left(browser)
    assert ended_at in (browser.url(reverse("core:leave")), settings.EXIT_PAGE_URL)
    # The neutral site is not told where the visitor came from.
    assert browser.external[0] == settings.EXIT_PAGE_URL
    assert [h for h in browser.external_headers if "referer" in h] == []


@pytest.mark.parametrize("viewport", SIZES)
def test_the_exit_button_leaves_without_javascript_too(visit, db, viewport):
    browser = visit(viewport, javascript=False)
    browser.open(reverse("core:accessibility"))

    browser.page.get_by_role("button", name="Emergency Exit this page").click()

    assert _wait_until_left(browser) == settings.EXIT_PAGE_URL
    assert browser.external[0] == settings.EXIT_PAGE_URL


def test_sign_out_can_be_reached_and_used_with_the_keyboard(visit, personas):
    browser = visit(DESKTOP)
    browser.sign_in(personas["action_lead"].username)

    for _ in range(15):
        browser.page.keyboard.press("Tab")
        if _focused(browser.page)["text"] == "Sign out":
            break
    focused = _focused(browser.page)
    assert focused == {"tag": "BUTTON", "id": "", "text": "Sign out", "background": FOCUS_YELLOW}
    browser.screenshot("keyboard--sign-out-focused")

    browser.page.keyboard.press("Enter")
    browser.page.wait_for_url(re.compile(re.escape(reverse("accounts:sign-in")) + "$"))
    assert browser.page.get_by_text("You have signed out.").is_visible()


def test_on_a_phone_the_menu_opens_with_its_button(visit, personas, partnership):
    browser = visit(PHONE)
    browser.sign_in(personas["partnership_admin"].username)
    browser.open(reverse("core:partnership-home", kwargs={"partnership": partnership.slug}))
    # Members is the first page of the Admin group.
    members = browser.page.get_by_role("link", name="Admin", exact=True)
    assert not members.is_visible()

    browser.page.get_by_role("button", name="Menu").click()

    assert members.is_visible()
    browser.screenshot("phone--menu-open")


def test_without_javascript_the_navigation_is_all_there(visit, personas, partnership):
    browser = visit(PHONE, javascript=False)
    browser.sign_in(personas["partnership_admin"].username)
    browser.open(reverse("core:partnership-home", kwargs={"partnership": partnership.slug}))

    assert not browser.page.get_by_role("button", name="Menu").is_visible()
    browser.page.get_by_role("link", name="Admin", exact=True).click()

    # The click returns once the new page starts; wait until it has loaded.
    members = reverse("accounts:member-list", kwargs={"partnership": partnership.slug})
    browser.page.wait_for_url(re.compile(re.escape(members) + "$"))
    assert browser.page.get_by_role("heading", level=1).is_visible()
    browser.screenshot("phone--no-javascript")
