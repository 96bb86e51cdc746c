"""Role-based navigation, grouped by the jobs people do.

The top bar holds at most one item per group (so never more than seven, whatever roles a
user combines); a group's own pages are listed in a sub-navigation on every page of that
group. Each page shows only to users whose roles grant its permission, and a group shows
if the user may see any of its pages, linking to the first of them. URL names are strings
so that this module imports no app.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    # The path, under the partnership, of the section the item stands for, where its pages
    # live beyond its own URL (e.g. each strategy's delivery dashboard).
    section: str = ""


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


# Apps add their pages to a group here, in display order. Seven groups at most: the
# top bar must fit on one row at desktop width whatever roles a user holds.
PARTNERSHIP_NAV = [
    NavGroup("Home", (NavItem("Home", "core:partnership-home", "strategy.view"),)),
    NavGroup(
        "Plan and progress",
        (
            NavItem("Strategy", "strategy:strategy-list", "strategy.view"),
            NavItem("Actions", "strategy:action-search", "strategy.view"),
            NavItem("Delivery", "delivery:home", "strategy.view", section="delivery/"),
            NavItem("My actions", "delivery:my-actions", "delivery.update"),
            NavItem("Reviews", "delivery:review-list", "delivery.review"),
            NavItem("Reports", "reports:list", "reports.view"),
            NavItem("Board meetings", "reports:meetings", "meetings.manage"),
            NavItem("Reporting periods", "delivery:periods", "strategy.manage"),
            NavItem("Gaps in the source", "strategy:quirk-list", "strategy.manage"),
        ),
    ),
    NavGroup("Measures", (NavItem("Measures of success", "measures:scorecard", "measures.view"),)),
    NavGroup(
        "Local picture",
        (
            NavItem("VAWG dashboard", "insight:dashboard", "insight.view"),
            NavItem("Data imports", "insight:import-list", "insight.import"),
            NavItem("Learning", "learning:home", "learning.view"),
        ),
    ),
    NavGroup(
        "MARAC",
        (
            NavItem("MARAC", "marac:home", "marac.refer"),
            NavItem("MARAC statistics", "marac:statistics", "marac.statistics"),
        ),
    ),
    NavGroup(
        "Voice and support",
        (
            NavItem("Feedback", "voice:triage-list", "voice.manage"),
            NavItem("Themes and responses", "voice:theme-list", "voice.manage"),
            NavItem("Sessions", "voice:session-list", "voice.manage"),
            NavItem("Surveys", "voice:survey-list", "voice.manage"),
            NavItem("Safeguarding route", "voice:safeguarding-route", "voice.manage"),
            NavItem("Support directory", "directory:listing-list", "directory.manage"),
        ),
    ),
    NavGroup(
        "Admin",
        (
            NavItem("Members", "accounts:member-list", "members.manage"),
            NavItem("Partner API", "api-tokens:token-list", "api.tokens.manage"),
            NavItem("Audit trail", "audit:event-list", "audit.view"),
        ),
    ),
]

# A regional officer's pages: the region, not any one partnership's.
REGION_NAV = [
    # Home is the boroughs compared; each borough's own page sits under it.
    NavGroup("Home", (NavItem("Home", "core:region-home", "region.view", section="boroughs/"),)),
    NavGroup(
        "Local picture", (NavItem("VAWG dashboard", "insight:region-dashboard", "region.view"),)
    ),
    # The returns are a job of their own, not a view of the local picture.
    NavGroup(
        "Regional returns", (NavItem("Regional returns", "reports:region-returns", "region.view"),)
    ),
]


def _build(request: HttpRequest, groups, kwargs: dict, home_name: str, allowed) -> list[dict]:
    """The groups the user may see, each with its visible pages. The current page is the one
    whose URL (or section) is the longest prefix of the request's path; home counts only
    when it is the page itself. Its group is the one active top item, so exactly one is."""
    current = request.path
    home = reverse(home_name, kwargs=kwargs)
    result = []
    for group in groups:
        pages = []
        for item in group.items:
            if not allowed(item.permission):
                continue
            url = reverse(item.url_name, kwargs=kwargs)
            prefixes = [url] + ([home + item.section] if item.section else [])
            match = max((len(p) for p in prefixes if current.startswith(p)), default=0)
            if url == home:
                # Every page starts with home's path: home is current on itself, or
                # on a section of its own.
                own = [len(p) for p in prefixes[1:] if current.startswith(p)]
                match = len(url) if current == url else max(own, default=0)
            pages.append({"label": item.label, "url": url, "active": False, "_match": match})
        if pages:
            result.append(
                {"label": group.label, "url": pages[0]["url"], "active": False, "items": pages}
            )
    every_page = [page for group in result for page in group["items"]]
    best = max(every_page, key=lambda p: p["_match"], default=None)
    for group in result:
        for page in group["items"]:
            page["active"] = page is best and page["_match"] > 0
            group["active"] = group["active"] or page["active"]
            del page["_match"]
    return result


def navigation_for(request: HttpRequest, partnership, access) -> list[dict]:
    """The top-level groups a member sees in `partnership`, each with its pages."""
    if partnership is None:
        return []
    return _build(
        request,
        PARTNERSHIP_NAV,
        {"partnership": partnership.slug},
        "core:partnership-home",
        lambda permission: access.can(partnership, permission),
    )


def region_navigation_for(request: HttpRequest, region, access) -> list[dict]:
    """The top-level groups a regional officer sees in `region`."""
    if region is None:
        return []
    return _build(
        request,
        REGION_NAV,
        {"region": region.slug},
        "core:region-home",
        lambda permission: access.can_in_region(region, permission),
    )


def sub_navigation(groups: list[dict]) -> dict | None:
    """The active group, when it has more than one page for this user: a list of one
    link would only repeat the top item."""
    for group in groups:
        if group["active"] and len(group["items"]) > 1:
            return group
    return None
