"""Headless Chromium for the browser tests, driven by Playwright's sync API.

We use Debian's Chromium (`make browser-deps`), never `playwright install`,
so the tests download nothing. Without it, or with VAWG_SKIP_BROWSER set,
every browser test is skipped with the reason.
"""

import importlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from vawg.accounts.testing import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
SCREENSHOTS = settings.BASE_DIR / "test-artifacts" / "screenshots"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
MAX_SCREENSHOT_HEIGHT = 2400


def _skip_reason() -> str | None:
    if os.environ.get("VAWG_SKIP_BROWSER"):
        return "Browser tests skipped: VAWG_SKIP_BROWSER is set."
    if not CHROMIUM.exists():
        return f"Chromium not installed: {CHROMIUM} is missing (run `make browser-deps` as root)."
    return None


@pytest.fixture(scope="module")
def chromium():
    """One Chromium per test module.

    Playwright's sync API keeps an asyncio loop running on this thread, and
    Django refuses ORM calls while a loop runs; the tests here still call the
    ORM synchronously (test data, the live server's shared connection), so the
    guard is lifted for the module's lifetime only, and the loop stopped after.
    """
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is slow on purpose; these tests sign in through the real form many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Visit:
    """A browser tab on the live server that reaches no other site.

    Requests to other hosts get a blank page instead (the sandbox has no
    internet, and a page that loads third-party content should fail anyway).
    Playwright does not route a request that follows a redirect, so that one
    fails to resolve instead; either way it never leaves the machine.
    `external` lists every request made to another host, with its headers.
    """

    def __init__(self, context, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.external: list[str] = []
        self.external_headers: list[dict[str, str]] = []
        self.console_errors: list[str] = []
        context.route("**/*", self._route)
        context.on("request", self._note_external)
        self.page = context.new_page()
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )

    def _note_external(self, request) -> None:
        if urlparse(request.url).hostname not in LOCAL_HOSTS:
            self.external.append(request.url)
            self.external_headers.append(request.headers)

    def _route(self, route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
            return
        route.fulfill(status=200, content_type="text/html", body="<title>Elsewhere</title>")

    def url(self, path: str) -> str:
        return self.base_url + path

    def open(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        return response

    def sign_in(self, username: str, password: str = TEST_PASSWORD) -> None:
        """Signs in through the real sign-in form, as a person would."""
        self.open(reverse("accounts:sign-in"))
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert urlparse(self.page.url).path != reverse("accounts:sign-in"), (
            f"{username} could not sign in"
        )

    def screenshot(self, name: str) -> Path:
        """The whole page, down to a limit: a long table is slow to capture and adds nothing."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        width, height = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_SCREENSHOT_HEIGHT)}
        self.page.screenshot(path=str(path), full_page=True, clip=clip)
        return path


# The elements that stick out past the right edge of the viewport and are not clipped by a
# scrolling box (a table's own region), innermost first: the ones to fix. An absolutely
# positioned element (visually hidden text) escapes a scrolling box unless that box, or one
# inside it, is positioned, so it counts as sticking out unless such a box holds it.
WIDEST_ELEMENTS = """
() => {
  const edge = document.documentElement.clientWidth;
  const clipped = (el) => {
    const loose = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    let positioned = false;
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== 'visible' && (!loose || positioned || style.position !== 'static')) {
        return true;
      }
      positioned = positioned || style.position !== 'static';
    }
    return false;
  };
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > edge + 1 && !clipped(el);
  };
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + [...el.classList].slice(0, 3).join('.');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `${name} "${text}" to ${Math.round(el.getBoundingClientRect().right)} px`;
  };
  const found = [...document.body.querySelectorAll('*')].filter(
    (el) => sticksOut(el) && ![...el.children].some(sticksOut)
  );
  found.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
  return found.slice(0, 5).map(describe);
}
"""


def phone_overflow(page) -> list[str]:
    """The page's own horizontal scroll at phone width, as a problem; empty if none.

    A wide table may scroll inside its own container, but the page itself must
    fit: the viewport is narrowed for the measurement and then put back. The
    problem names the widest elements, which are what to fix.
    """
    before = page.viewport_size
    if before != PHONE:
        page.set_viewport_size(PHONE)
    try:
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        widest = page.evaluate(WIDEST_ELEMENTS) if width > inner else []
    finally:
        if before != PHONE:
            page.set_viewport_size(before)
    if width <= inner:
        return []
    return [
        f"{page.url}: {width} px wide at {inner} px (the page scrolls sideways); widest: "
        + "; ".join(widest or ["(none found)"])
    ]


def axe_problems(axe, page) -> list[str]:
    """What axe finds on the page, and whether the page scrolls sideways on a phone: the
    check every browser test makes of each page it looks at."""
    results = axe.run(page)
    problems = []
    violations = results.response["violations"]
    if violations:
        problems.append(
            f"{page.url}: axe: "
            + ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes)" for v in violations)
        )
        problems.append(results.generate_report())
    return problems + phone_overflow(page)


def page_problems(visit: "Visit", response, axe) -> list[str]:
    """axe_problems, and what axe cannot see: that the page answered 200, that its
    styles and scripts loaded under the Content Security Policy, that nothing went
    wrong in the console, and that it asked nothing of any other site."""
    problems = []
    if response.status != 200:
        problems.append(f"answered {response.status}")
    problems += axe_problems(axe, visit.page)
    page = visit.page
    font = page.evaluate(
        "(document.querySelector('h1') && getComputedStyle(document.querySelector('h1'))"
        ".fontFamily) || ''"
    )
    if "arial" not in font.lower():
        problems.append("the stylesheet did not load (or the page has no h1)")
    if not page.evaluate("document.body.classList.contains('govuk-frontend-supported')"):
        problems.append("the nonced start-up script did not run (check the CSP)")
    if visit.console_errors:
        problems.append(f"console errors: {visit.console_errors}")
    if visit.external:
        problems.append(f"asked another site for: {visit.external}")
    return problems


@pytest.fixture
def audit_rows_removable(transactional_db):
    """Lets the test database be emptied after a test that signed someone in.

    The live server needs a transactional test, which is undone by deleting
    every row; on SQLite that fires the audit trail's append-only trigger.
    (PostgreSQL empties tables with TRUNCATE, which the row trigger ignores.)
    """
    yield
    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("vawg.audit.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditevent")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def visit(chromium, live_server, audit_rows_removable):
    """visit(viewport=DESKTOP, javascript=True) opens a fresh browser context."""
    contexts = []

    def open_context(viewport: dict = DESKTOP, javascript: bool = True) -> Visit:
        context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
        contexts.append(context)
        return Visit(context, live_server.url)

    yield open_context
    for context in contexts:
        context.close()
