"""The public support finder in Chromium: a visitor on a phone finds the right services
and leaves with the exit control; nothing is asked of another site, no cookie is set, and
axe finds nothing. Also the admins' directory pages."""

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import DESKTOP, PHONE, axe_problems
from vawg.directory.models import Area, Audience, Language, Need
from vawg.directory.tests.factories import make_service

pytestmark = [pytest.mark.browser]

SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
EXIT = "Emergency Exit this page"


@pytest.fixture
def directory(partnership, other_partnership):
    return [
        make_service(
            partnership,
            provider="Riverside Women's Refuge (demo)",
            name="Refuge and safe accommodation",
            needs=[Need.DOMESTIC_ABUSE, Need.REFUGE],
            audiences=[Audience.WOMEN],
            languages=[Language.ENGLISH, Language.POLISH],
        ),
        make_service(
            partnership,
            provider="Wandle Advocacy Service (demo)",
            name="Advocates",
            needs=[Need.DOMESTIC_ABUSE, Need.ADVOCACY],
            interpreters=True,
        ),
        make_service(
            partnership,
            provider="Men's Advice Service (demo)",
            name="Men's advice line",
            needs=[Need.DOMESTIC_ABUSE],
            audiences=[Audience.MEN],
        ),
        make_service(
            other_partnership,
            provider="Brixton Hill Refuge Partnership (demo)",
            name="Refuge",
            needs=[Need.DOMESTIC_ABUSE, Need.REFUGE],
            area=Area.BOROUGH,
        ),
    ]


def _axe_clean(page) -> None:
    problems = axe_problems(Axe(), page)
    assert not problems, "\n".join(problems)


def _wait_until_left(browser) -> str:
    """Polled: the neutral site is unreachable here, so Playwright's own wait would fail."""
    for _ in range(100):
        if browser.page.url == settings.EXIT_PAGE_URL and browser.external:
            break
        browser.page.wait_for_timeout(50)
    return browser.page.url


def _answer(page) -> None:
    page.get_by_label("Someone close to me is hurting, controlling or frightening me").check()
    page.get_by_label("Somewhere safe to stay").check()
    page.get_by_label("A woman or girl").check()
    page.get_by_label("Wandsworth").check()
    page.get_by_label("What language would you like to use?").select_option("pl")
    page.get_by_role("button", name="Show services").click()
    page.wait_for_load_state()


def _service_names(page) -> list[str]:
    return page.locator(".directory-service h2").all_inner_texts()


def test_a_visitor_on_a_phone_finds_the_right_services_and_leaves(visit, directory):
    browser = visit(PHONE)
    page = browser.page
    browser.open(reverse("directory:finder"))
    assert page.get_by_role("button", name=EXIT).is_visible()
    assert page.get_by_text("If you are in danger now, call 999.").first.is_visible()
    _axe_clean(page)

    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    _axe_clean(page)
    _answer(page)

    # The answers travel in the POST body: the address and the title give nothing away.
    assert urlparse(page.url).path == reverse("directory:questions")
    assert urlparse(page.url).query == ""
    assert page.title() == "Find support – Partnership Platform"
    # The refuge for women that works in Polish, then the advocates with interpreters;
    # not the men's line, nor Lambeth's refuge.
    assert _service_names(page) == ["Refuge and safe accommodation", "Advocates"]
    assert page.get_by_text("works in Polish").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _axe_clean(page)
    browser.screenshot("directory--results-phone")

    # The exit stays in view at the foot of a long page.
    page.mouse.wheel(0, 5000)
    page.wait_for_timeout(200)
    box = page.get_by_role("button", name=EXIT).bounding_box()
    assert 0 <= box["y"] < PHONE["height"]
    assert browser.external == []
    assert browser.context.cookies() == []

    page.get_by_role("button", name=EXIT).click()
    assert _wait_until_left(browser) == settings.EXIT_PAGE_URL
    assert browser.external[0] == settings.EXIT_PAGE_URL
    assert [h for h in browser.external_headers if "referer" in h] == []


@pytest.mark.parametrize("viewport", SIZES)
def test_the_exit_button_leaves_the_results(visit, directory, viewport):
    browser = visit(viewport)
    browser.open(reverse("directory:questions"))
    _answer(browser.page)

    browser.page.get_by_role("button", name=EXIT).click()

    assert _wait_until_left(browser) == settings.EXIT_PAGE_URL
    assert [h for h in browser.external_headers if "referer" in h] == []


@pytest.mark.parametrize("viewport", SIZES)
def test_pressing_shift_three_times_leaves_the_results(visit, directory, viewport):
    browser = visit(viewport)
    browser.open(reverse("directory:questions"))
    _answer(browser.page)

    for _ in range(3):
        browser.page.keyboard.press("Shift")

    assert _wait_until_left(browser) in (browser.url(reverse("core:leave")), settings.EXIT_PAGE_URL)
    assert browser.external[0] == settings.EXIT_PAGE_URL
    assert [h for h in browser.external_headers if "referer" in h] == []


@pytest.mark.parametrize("viewport", SIZES)
def test_the_finder_and_the_exit_work_without_javascript(visit, directory, viewport):
    browser = visit(viewport, javascript=False)
    browser.open(reverse("directory:questions"))
    _answer(browser.page)
    assert _service_names(browser.page) == ["Refuge and safe accommodation", "Advocates"]

    browser.page.get_by_role("button", name=EXIT).click()

    assert _wait_until_left(browser) == settings.EXIT_PAGE_URL


def test_the_information_pages_pass_axe_and_ask_no_other_site(visit, db):
    browser = visit(PHONE)
    for name in ("directory:finder", "directory:covering-tracks"):
        browser.open(reverse(name))
        assert browser.page.get_by_role("button", name=EXIT).is_visible()
        _axe_clean(browser.page)
    # An answer that is not on the list gets the error summary, which axe also checks.
    browser.open(reverse("directory:questions"))
    browser.page.evaluate(
        "document.querySelector('select[name=language]').innerHTML += "
        "'<option value=\"xx\">x</option>'"
    )
    browser.page.get_by_label("What language would you like to use?").select_option("xx")
    browser.page.get_by_role("button", name="Show services").click()
    browser.page.wait_for_load_state()
    assert browser.page.title().startswith("Error: Find support")
    _axe_clean(browser.page)
    assert browser.external == []
    assert browser.context.cookies() == []


def test_the_admins_pages_pass_axe(visit, personas, partnership, directory):
    browser = visit(DESKTOP)
    browser.sign_in(personas[Role.PARTNERSHIP_ADMIN].username)
    slug = {"partnership": partnership.slug}
    for path in (
        reverse("directory:listing-list", kwargs=slug),
        reverse("directory:listing-add", kwargs=slug),
        reverse("directory:listing-edit", kwargs={**slug, "pk": directory[0].pk}),
    ):
        assert browser.open(path).status == 200
        _axe_clean(browser.page)
    # A form sent back with errors.
    browser.open(reverse("directory:listing-add", kwargs=slug))
    browser.page.get_by_role("button", name="Save listing").click()
    browser.page.wait_for_load_state()
    assert browser.page.locator(".govuk-error-summary").is_visible()
    _axe_clean(browser.page)
    assert browser.external == []
