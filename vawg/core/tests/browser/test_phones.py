"""Every page at phone width, once for each navigation a user can have: axe finds nothing,
and the page does not scroll sideways (a wide table scrolls in its own region instead).

The pages are the URL sweep's (test_url_sweep.py), with the objects its apps' url_rules
make, so a page is checked here as soon as its URL is declared there. Roles that see the
same top-level navigation see the same page furniture, so one of them stands for all:
the first role, in the order core.permissions declares them, with that navigation. A
page none of them may see is looked at by the first role that may (see `visits`).
"""

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from vawg.core.navigation import PARTNERSHIP_NAV, REGION_NAV
from vawg.core.permissions import Role, roles_grant
from vawg.core.tests.browser.conftest import LOCAL_HOSTS, PHONE, page_problems, phone_overflow
from vawg.core.tests.test_url_sweep import EXPECTED, allowed, url_for, url_names
from vawg.core.tests.test_url_sweep import world as world  # the sweep's objects, as a fixture

pytestmark = [pytest.mark.browser]

ANONYMOUS = "anonymous"
REDIRECTS = {301, 302, 303, 307, 308}


def navigation_set(role: str) -> tuple[str, ...]:
    """The top-level items `role` sees (the groups it may open any page of)."""
    groups = REGION_NAV if role == Role.REGIONAL_OFFICER else PARTNERSHIP_NAV
    return tuple(
        group.label
        for group in groups
        if any(roles_grant({role}, item.permission) for item in group.items)
    )


def one_role_per_navigation() -> dict[tuple[str, ...], str]:
    chosen: dict[tuple[str, ...], str] = {(): ANONYMOUS}
    for role in Role:
        chosen.setdefault(navigation_set(role.value), role.value)
    return chosen


def pages_for(persona: str) -> list[str]:
    """The URL names `persona` may GET, by the sweep's rules (a URL with no rule fails the
    sweep itself)."""
    rules = {name: EXPECTED[name] for name in sorted(url_names()) if name in EXPECTED}
    return [name for name, rule in rules.items() if not rule.post_only and allowed(rule, persona)]


def visits() -> dict[str, list[str]]:
    """Who looks at which pages: each navigation's stand-in at all of theirs, then a page
    none of them may see (a MARAC case, for the coordinator) by the first role that may."""
    plan = {persona: pages_for(persona) for persona in one_role_per_navigation().values()}
    covered = {name for names in plan.values() for name in names}
    for role in Role:
        missed = [name for name in pages_for(role.value) if name not in covered]
        if missed:
            plan.setdefault(role.value, []).extend(missed)
            covered.update(missed)
    return plan


def _html_at(browser, path: str) -> tuple[str | None, str]:
    """Where a GET of `path` ends on this site as a page, or None (a download, a page
    elsewhere, a refusal), with why."""
    for _ in range(5):
        answer = browser.context.request.get(browser.url(path), max_redirects=0)
        if answer.status in REDIRECTS:
            target = urlparse(answer.headers.get("location", ""))
            if target.hostname and target.hostname not in LOCAL_HOSTS:
                return None, "leaves the site"
            path = target.path + (f"?{target.query}" if target.query else "")
            continue
        if answer.status >= 500:
            return path, ""  # checked as a page, so that the failure is reported
        if answer.status != 200:
            return None, f"answered {answer.status}"
        if "text/html" not in answer.headers.get("content-type", ""):
            return None, "not a page"
        return path, ""
    return None, "redirects too often"


def test_the_roles_are_grouped_by_the_navigation_they_see():
    chosen = one_role_per_navigation()
    # More than one group, or the sweep below would check one navigation only; fewer
    # than one per role, or grouping saved nothing.
    assert 2 < len(chosen) <= len(Role)
    assert chosen[navigation_set(Role.PARTNERSHIP_ADMIN)] == Role.PARTNERSHIP_ADMIN
    assert navigation_set(Role.REGIONAL_OFFICER) in chosen


def test_every_page_passes_axe_and_fits_a_phone_for_each_navigation(visit, world, personas):
    axe = Axe()
    failures: dict[str, list[str]] = {}
    checked: dict[str, int] = {}
    for persona, names in visits().items():
        browser = visit(PHONE)
        if persona != ANONYMOUS:
            browser.sign_in(personas[persona].username)
        checked[persona] = 0
        for name in names:
            path, _why_not = _html_at(browser, url_for(name, world))
            if path is None:
                continue
            browser.console_errors.clear()
            browser.external.clear()
            response = browser.open(path)
            checked[persona] += 1
            problems = page_problems(browser, response, axe)
            if problems:
                failures[f"{name} {path} as {persona}"] = problems
        browser.context.close()

    # Each navigation's stand-in reached its pages (not just an error page or two).
    for persona in one_role_per_navigation().values():
        assert checked[persona] > (3 if persona == ANONYMOUS else 10), (persona, checked)
    assert not failures, f"{len(failures)} pages:\n\n" + "\n\n".join(
        f"{page}:\n  " + "\n  ".join(problems) for page, problems in failures.items()
    )


def test_the_overflow_check_names_what_widens_the_page(chromium):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.set_content('<main><p id="fits">Fits</p></main>')
        assert phone_overflow(page) == []
        # A table scrolling in its own box is fine; a wide paragraph is not, nor is text
        # positioned against the page from inside a box that scrolls but is not positioned.
        page.set_content(
            "<main>"
            '<div style="overflow-x: auto"><table><tr><td id="cell" style="min-width: 900px">'
            "Wide</td></tr></table></div>"
            '<p id="wide" style="width: 600px">Wide paragraph</p>'
            '<div style="overflow-x: auto"><span id="loose" style="position: absolute; '
            'left: 500px">Hidden text</span></div>'
            "</main>"
        )
        (problem,) = phone_overflow(page)
    finally:
        context.close()
    assert "608 px wide at 375 px" in problem  # 600 px and the body's margin
    assert "p#wide" in problem
    assert "span#loose" in problem
    assert "td#cell" not in problem
