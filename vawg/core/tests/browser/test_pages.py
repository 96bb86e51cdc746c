"""Every page, as each kind of user sees it, checked with axe in Chromium.

To add a page, add a line to PAGES: who looks at it, its URL name, and its URL
arguments. An argument in braces is filled in from the test's world (below),
so "{action.pk}" is the pk of an action in Wandsworth's seed strategy.

Each page is also checked for what axe cannot see (conftest.page_problems):
that it answered 200, that its styles and scripts loaded under the Content
Security Policy, that it asked nothing of any other site, and that it does
not scroll sideways on a phone. A screenshot of each page is saved
in test-artifacts/screenshots/.
"""

from collections import defaultdict

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse

from vawg.accounts.models import Membership
from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import page_problems
from vawg.strategy.loader import load_strategy_file
from vawg.strategy.models import Action, Quirk, Strategy

pytestmark = [pytest.mark.browser]

ANONYMOUS = "anonymous"
P = {"partnership": "{partnership.slug}"}
PARTNERSHIP_ROLES = [role.value for role in Role if role is not Role.REGIONAL_OFFICER]
ADMIN = Role.PARTNERSHIP_ADMIN.value

PAGES: list[tuple[str, str, dict[str, str]]] = [
    # Public pages, and signing in.
    (ANONYMOUS, "core:home", {}),
    (ANONYMOUS, "core:accessibility", {}),
    (ANONYMOUS, "core:privacy", {}),
    (ANONYMOUS, "accounts:sign-in", {}),
    # Where each role lands after signing in (the navigation differs by role).
    *[(role, "core:partnership-home", P) for role in PARTNERSHIP_ROLES],
    (Role.REGIONAL_OFFICER.value, "core:region-home", {"region": "{partnership.region.slug}"}),
    (
        Role.REGIONAL_OFFICER.value,
        "core:region-borough",
        {"region": "{partnership.region.slug}", "partnership": "{partnership.slug}"},
    ),
    ("two_partnerships", "core:partnership-list", {}),
    # Every other page, seen by the partnership admin, who may see them all.
    (ADMIN, "strategy:strategy-list", P),
    (ADMIN, "strategy:strategy-detail", {**P, "strategy": "{strategy.slug}"}),
    (ADMIN, "strategy:action-search", P),
    (ADMIN, "strategy:action-detail", {**P, "pk": "{action.pk}"}),
    (ADMIN, "strategy:quirk-list", P),
    (ADMIN, "strategy:quirk-resolve", {**P, "pk": "{quirk.pk}"}),
    (ADMIN, "accounts:member-list", P),
    (ADMIN, "accounts:member-add", P),
    (ADMIN, "accounts:member-edit", {**P, "pk": "{membership.pk}"}),
    (ADMIN, "audit:event-list", P),
    (ADMIN, "accounts:account", {}),
    (ADMIN, "accounts:password-change", {}),
    (ADMIN, "accounts:two-factor-setup", {}),
]

PAGES_BY_PERSONA: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
for _persona, _url_name, _kwargs in PAGES:
    PAGES_BY_PERSONA[_persona].append((_url_name, _kwargs))


@pytest.fixture
def world(personas, partnership, other_partnership):
    """Wandsworth's seed strategy, and one of each thing a page can be about."""
    load_strategy_file(settings.SEED_STRATEGY_FILES[0])
    strategy = Strategy.objects.get(partnership=partnership)
    two_partnerships = personas[Role.BOARD_MEMBER.value]
    Membership.objects.create(
        user=two_partnerships,
        role=Role.BOARD_MEMBER,
        partnership=other_partnership,
        organisation=other_partnership.organisations.first(),
    )
    return {
        "partnership": partnership,
        "strategy": strategy,
        "action": Action.objects.filter(strategy=strategy).first(),
        "quirk": Quirk.objects.filter(strategy=strategy, resolved_at__isnull=True).first(),
        "membership": Membership.objects.get(
            user=personas[Role.ACTION_LEAD.value], partnership=partnership
        ),
        "people": {**personas, "two_partnerships": two_partnerships},
    }


def _path(url_name: str, kwargs: dict[str, str], world: dict) -> str:
    return reverse(url_name, kwargs={k: v.format(**world) for k, v in kwargs.items()})


def test_every_page_passes_axe(visit, world):
    # The world is built once and each persona signs in once, in a browser
    # context of its own: per-page set-up would make the run several times slower.
    axe = Axe()
    screenshots_taken = set()
    failures = {}
    for persona, pages in PAGES_BY_PERSONA.items():
        browser = visit()
        if persona != ANONYMOUS:
            browser.sign_in(world["people"][persona].username)
        for url_name, kwargs in pages:
            path = _path(url_name, kwargs, world)
            browser.console_errors.clear()
            response = browser.open(path)
            if url_name not in screenshots_taken:
                browser.screenshot(url_name.replace(":", "--"))
                screenshots_taken.add(url_name)
            problems = page_problems(browser, response, axe)
            if problems:
                failures[f"{url_name} {path} as {persona}"] = problems
        browser.context.close()
    assert not failures, "\n\n".join(
        f"{page}:\n  " + "\n  ".join(problems) for page, problems in failures.items()
    )
