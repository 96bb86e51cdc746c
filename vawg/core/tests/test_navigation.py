"""Navigation grouped by the jobs people do: never more than seven top-level items for any
user, whatever roles they combine, with each group's own pages in a sub-navigation."""

import re

import pytest
from django.urls import reverse

from vawg.accounts.testing import make_member, make_user
from vawg.core.access import access_for
from vawg.core.navigation import PARTNERSHIP_NAV, REGION_NAV, navigation_for
from vawg.core.permissions import PARTNERSHIP_STAFF, Role, roles_grant

MOST_TOP_ITEMS = 7
TOP_ITEM = re.compile(r'<li class="govuk-service-navigation__item[ "]')
TOP_NAV = re.compile(r'<nav aria-label="Menu".*?</nav>', re.S)
SUB_NAV = re.compile(r'<nav aria-label="[^"]+" class="app-sub-navigation">.*?</nav>', re.S)
HREF = re.compile(r'<a class="[^"]*" href="([^"]+)"')
CURRENT = re.compile(r'<a [^>]*aria-current="[^"]+"[^>]*>(.*?)</a>', re.S)

# The flat navigation before it was grouped: (URL name, the permission it showed for).
# Every one must stay reachable from the navigation for every role that had it.
OLD_NAV = [
    ("core:partnership-home", "strategy.view"),
    ("strategy:strategy-list", "strategy.view"),
    ("strategy:action-search", "strategy.view"),
    ("delivery:home", "strategy.view"),
    ("delivery:my-actions", "delivery.update"),
    ("delivery:review-list", "delivery.review"),
    ("strategy:quirk-list", "strategy.manage"),
    ("measures:scorecard", "measures.view"),
    ("insight:dashboard", "insight.view"),
    ("insight:import-list", "insight.import"),
    ("learning:home", "learning.view"),
    ("directory:listing-list", "directory.manage"),
    ("voice:triage-list", "voice.manage"),
    ("marac:home", "marac.refer"),
    ("marac:statistics", "marac.statistics"),
    ("accounts:member-list", "members.manage"),
    ("audit:event-list", "audit.view"),
]


def _url(name: str, partnership) -> str:
    return reverse(name, kwargs={"partnership": partnership.slug})


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _top(html: str) -> list[str]:
    nav = TOP_NAV.search(html)
    return HREF.findall(nav.group(0)) if nav else []


def _sub(html: str) -> list[str]:
    nav = SUB_NAV.search(html)
    return HREF.findall(nav.group(0)) if nav else []


def _current(pattern: re.Pattern, html: str) -> list[str]:
    nav = pattern.search(html)
    labels = CURRENT.findall(nav.group(0)) if nav else []
    return [re.sub(r"<[^>]+>", "", label).strip() for label in labels]


def _reachable(client, home: str) -> set[str]:
    """Every page the navigation offers: the top items on the home page, and the
    sub-navigation on each top item's page."""
    top = _top(_get(client, home))
    found = set(top)
    for url in top:
        found.update(_sub(_get(client, url)))
    return found


def _every_partnership_role(partnership):
    user = make_user()
    for role in PARTNERSHIP_STAFF:
        make_member(role, partnership, user=user)
    return user


# --- The structure itself ----------------------------------------------------


@pytest.mark.parametrize("groups", [PARTNERSHIP_NAV, REGION_NAV])
def test_there_are_never_more_than_seven_groups(groups):
    # One top item per group at most, so this bounds every combination of roles.
    assert len(groups) <= MOST_TOP_ITEMS


def test_no_page_is_in_two_groups():
    names = [item.url_name for group in PARTNERSHIP_NAV for item in group.items]
    assert len(names) == len(set(names))


# --- At most seven top items, page by page -----------------------------------


@pytest.mark.parametrize("role", sorted(PARTNERSHIP_STAFF))
def test_each_role_sees_at_most_seven_top_items_on_every_page_it_can_reach(
    client_for, personas, partnership, role
):
    client = client_for(personas[role])
    home = _url("core:partnership-home", partnership)
    pages = _reachable(client, home) | {home}

    for url in pages:
        html = _get(client, url)
        count = len(TOP_ITEM.findall(html))
        assert 1 <= count <= MOST_TOP_ITEMS, (url, count)


def test_a_user_holding_every_partnership_role_sees_seven_top_items_at_most(
    client_for, partnership
):
    client = client_for(_every_partnership_role(partnership))
    home = _url("core:partnership-home", partnership)
    pages = _reachable(client, home)

    # Every old page is there, yet the top bar stays within seven on each of them.
    assert {_url(name, partnership) for name, _ in OLD_NAV} <= pages | {home}
    for url in pages:
        count = len(TOP_ITEM.findall(_get(client, url)))
        assert count <= MOST_TOP_ITEMS, (url, count)
    assert len(TOP_ITEM.findall(_get(client, home))) == MOST_TOP_ITEMS


def test_a_board_member_of_two_partnerships_sees_each_partnerships_items(
    client_for, partnership, other_partnership
):
    user = make_member(Role.BOARD_MEMBER, partnership)
    make_member(Role.BOARD_MEMBER, other_partnership, user=user)
    make_member(Role.ANALYST, other_partnership, user=user)
    client = client_for(user)

    for p in (partnership, other_partnership):
        html = _get(client, _url("core:partnership-home", p))
        assert len(TOP_ITEM.findall(html)) <= MOST_TOP_ITEMS
        # Only this partnership's pages are linked.
        assert all(href.startswith(f"/p/{p.slug}/") for href in _top(html))
    # The analyst role in Lambeth does not lend its pages to Wandsworth.
    wandsworth = _reachable(client, _url("core:partnership-home", partnership))
    assert _url("insight:import-list", partnership) not in wandsworth
    lambeth = _reachable(client, _url("core:partnership-home", other_partnership))
    assert _url("insight:import-list", other_partnership) in lambeth


def test_the_regional_officer_has_a_navigation_of_their_own(client_for, partnership):
    officer = make_member(Role.REGIONAL_OFFICER, partnership)
    client = client_for(officer)
    home = reverse("core:region-home", kwargs={"region": partnership.region.slug})
    dashboard = reverse("insight:region-dashboard", kwargs={"region": partnership.region.slug})
    returns = reverse("reports:region-returns", kwargs={"region": partnership.region.slug})

    html = _get(client, home)
    assert 1 <= len(TOP_ITEM.findall(html)) <= MOST_TOP_ITEMS
    assert _top(html) == [home, dashboard, returns]
    assert _current(TOP_NAV, html) == ["Home"]
    assert f'href="{home}" class="govuk-service-navigation__link">London</a>' in html
    assert _current(TOP_NAV, _get(client, dashboard)) == ["Local picture"]
    assert _current(TOP_NAV, _get(client, returns)) == ["Regional returns"]


def test_the_operator_sees_no_partnership_navigation(client_for, db):
    operator = make_user(is_staff=True, is_superuser=True)
    client = client_for(operator)

    for url in (reverse("core:partnership-list"), reverse("accounts:account")):
        html = _get(client, url)
        assert TOP_ITEM.findall(html) == []


# --- Every old page is still reachable, and nothing beyond the role ----------


@pytest.mark.parametrize("role", sorted(PARTNERSHIP_STAFF))
def test_every_old_page_is_still_in_the_navigation_for_each_role_that_had_it(
    client_for, personas, partnership, role
):
    client = client_for(personas[role])
    home = _url("core:partnership-home", partnership)
    reachable = _reachable(client, home) | {home}

    had = {_url(name, partnership) for name, perm in OLD_NAV if roles_grant({role}, perm)}
    missing = had - reachable
    assert not missing
    # Nothing is offered beyond what the role had, bar the voice pages now in the sub-navigation
    # and the pages added since, each to the roles its permission names.
    voice = _voice_pages(partnership) if roles_grant({role}, "voice.manage") else set()
    added = {_url(name, partnership) for name, perm in ADDED_NAV if roles_grant({role}, perm)}
    assert reachable <= had | voice | added
    for url in reachable:
        assert client.get(url).status_code == 200, url


# Pages added to the navigation after OLD_NAV was written down.
ADDED_NAV = [
    ("reports:list", "reports.view"),
    ("reports:meetings", "meetings.manage"),
    ("api-tokens:token-list", "api.tokens.manage"),
    ("delivery:periods", "strategy.manage"),
]


def _voice_pages(partnership) -> set[str]:
    names = ["theme-list", "session-list", "survey-list", "safeguarding-route"]
    return {_url(f"voice:{name}", partnership) for name in names}


# --- The one current item ----------------------------------------------------

ADMIN, ANALYST, COORDINATOR = Role.PARTNERSHIP_ADMIN, Role.ANALYST, Role.MARAC_COORDINATOR


@pytest.mark.parametrize(
    ("role", "name", "top", "sub"),
    [
        (ADMIN, "core:partnership-home", "Home", None),
        (ADMIN, "strategy:strategy-list", "Plan and progress", "Strategy"),
        (ADMIN, "delivery:unassigned", "Plan and progress", "Delivery"),
        (ADMIN, "delivery:my-actions", "Plan and progress", "My actions"),
        (ADMIN, "delivery:review-list", "Plan and progress", "Reviews"),
        (ADMIN, "strategy:quirk-list", "Plan and progress", "Gaps in the source"),
        (ADMIN, "measures:scorecard", "Measures", None),
        (ADMIN, "measures:indicator-create", "Measures", None),
        (ANALYST, "insight:population", "Local picture", "VAWG dashboard"),
        (ADMIN, "learning:course-list", "Local picture", "Learning"),
        (ANALYST, "insight:import-list", "Local picture", "Data imports"),
        (COORDINATOR, "marac:meeting-list", "MARAC", "MARAC"),
        (COORDINATOR, "marac:statistics", "MARAC", "MARAC statistics"),
        (ADMIN, "voice:theme-add", "Voice and support", "Themes and responses"),
        (ADMIN, "directory:listing-add", "Voice and support", "Support directory"),
        (ADMIN, "accounts:access-review", "Admin", "Members"),
        (ADMIN, "audit:event-list", "Admin", "Audit trail"),
        (ADMIN, "api-tokens:token-add", "Admin", "Partner API"),
    ],
)
def test_exactly_one_item_is_current_on_each_page(
    client_for, personas, partnership, role, name, top, sub
):
    html = _get(client_for(personas[role]), _url(name, partnership))

    assert _current(TOP_NAV, html) == [top]
    assert html.count("govuk-service-navigation__item--active") == 1
    if sub is None:
        assert SUB_NAV.search(html) is None
    else:
        assert _current(SUB_NAV, html) == [sub]
        assert html.count("app-sub-navigation__item--active") == 1


def test_the_sub_navigation_marks_the_page_itself_and_its_section_apart(
    client_for, personas, partnership
):
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    members = _url("accounts:member-list", partnership)

    on_page = SUB_NAV.search(_get(client, members)).group(0)
    assert f'href="{members}" aria-current="page"><strong>Members</strong></a>' in on_page
    within = SUB_NAV.search(_get(client, _url("accounts:member-add", partnership))).group(0)
    assert f'href="{members}" aria-current="true"><strong>Members</strong></a>' in within
    # A sub-navigation is its own list, never a second service navigation.
    assert "govuk-service-navigation" not in on_page


def test_a_group_with_one_page_for_the_user_has_no_sub_navigation(
    client_for, personas, partnership
):
    # The board member's only MARAC page is the statistics: the top item is enough.
    html = _get(client_for(personas[Role.BOARD_MEMBER]), _url("marac:statistics", partnership))

    assert _current(TOP_NAV, html) == ["MARAC"]
    assert SUB_NAV.search(html) is None


def test_a_path_outside_every_group_marks_nothing(personas, partnership):
    class Req:
        path = "/p/elsewhere/"

    groups = navigation_for(Req(), partnership, access_for(personas[Role.PARTNERSHIP_ADMIN]))
    assert not any(g["active"] for g in groups)
    assert not any(p["active"] for g in groups for p in g["items"])
