"""The partner API's token pages in Chromium: the admin finds them from the navigation, makes
a token with the keyboard, copies its secret from the one page that shows it, and revokes it;
axe finds nothing on any of the pages, nor on the form sent back with errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.api import tokens
from vawg.api.models import ApiToken
from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import DESKTOP, PHONE, axe_problems, page_problems

pytestmark = [pytest.mark.browser]

NAME = "Police nightly figures pull"


def _check(browser, axe, label: str) -> list[str]:
    return [f"{label}: {problem}" for problem in axe_problems(axe, browser.page)]


def test_an_admin_makes_and_revokes_a_token_and_every_page_passes_axe(visit, personas, partnership):
    organisation = partnership.organisations.first()
    browser = visit(DESKTOP)
    browser.sign_in(personas[Role.PARTNERSHIP_ADMIN].username)
    page, axe, failures = browser.page, Axe(), []
    listing = reverse("api-tokens:token-list", kwargs={"partnership": partnership.slug})

    # From the navigation: Admin, then its Partner API page.
    browser.open(reverse("core:partnership-home", kwargs={"partnership": partnership.slug}))
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Partner API", exact=True).click()
    page.wait_for_load_state()
    assert page.url == browser.url(listing)
    failures += _check(browser, axe, "list, empty")

    page.get_by_role("button", name="Make a token").click()
    page.wait_for_load_state()
    failures += _check(browser, axe, "add form")

    # Sent with nothing filled in but the default expiry: every problem, and axe still clean.
    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Give the token a name" in summary.inner_text()
    assert "Choose at least one thing the token may do." in summary.inner_text()
    failures += _check(browser, axe, "add form with errors")

    # By keyboard: type the name, choose the organisation, tick two scopes, press Enter.
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    page.get_by_label("Organisation", exact=True).select_option(str(organisation.pk))
    for value in ("read:plan", "read:figures"):
        page.locator(f"input[name=scopes][value='{value}']").focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Make token").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator(".govuk-panel__title").inner_text() == "Token made"
    assert "it will not be shown again" in page.content()
    secret = page.locator("#token-secret").inner_text().strip()
    assert ApiToken.objects.get(name=NAME).digest == tokens.digest_of(secret)
    assert secret in page.locator("#token-example").inner_text()
    failures += _check(browser, axe, "token made")
    browser.screenshot("api-tokens--made")

    page.get_by_role("link", name="Back to partner API").click()
    page.wait_for_load_state()
    assert NAME in page.content() and secret not in page.content()
    failures += _check(browser, axe, "list with a token")
    browser.screenshot("api-tokens--list")

    page.get_by_role("link", name=f"Revoke the token {NAME}").click()
    page.wait_for_load_state()
    failures += _check(browser, axe, "revoke confirmation")
    page.get_by_role("button", name="Revoke token").click()
    page.wait_for_load_state()
    assert page.url == browser.url(listing)
    assert "revoked. It no longer works." in page.locator(".govuk-notification-banner").inner_text()
    assert ApiToken.objects.get(name=NAME).revoked_at is not None
    failures += _check(browser, axe, "list with a revoked token")

    assert not failures, "\n".join(failures)
    assert not browser.external and not browser.console_errors


def test_the_api_documentation_passes_axe_and_fits_a_phone(visit, personas, partnership):
    """A long page of tables, one set per operation: each table's region is named apart."""
    axe = Axe()
    for viewport in (DESKTOP, PHONE):
        browser = visit(viewport)
        browser.sign_in(personas[Role.BOARD_MEMBER].username)
        response = browser.open("/api/v1/docs")
        assert (
            browser.page.get_by_role("heading", name="GET /api/v1/actions", exact=True).count() == 1
        )
        assert not page_problems(browser, response, axe)
        browser.context.close()
