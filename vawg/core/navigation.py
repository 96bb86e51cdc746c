"""Role-based navigation: each item shows only to users whose roles grant its permission."""

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


# Apps add their items here, in display order.
PARTNERSHIP_NAV = [
    NavItem("Overview", "core:partnership-home", "strategy.view"),
    NavItem("Strategy", "strategy:strategy-list", "strategy.view"),
    NavItem("Actions", "strategy:action-search", "strategy.view"),
    NavItem("Delivery", "delivery:home", "strategy.view", section="delivery/"),
    NavItem("My actions", "delivery:my-actions", "delivery.update"),
    NavItem("Reviews", "delivery:review-list", "delivery.review"),
    NavItem("Source quirks", "strategy:quirk-list", "strategy.manage"),
    NavItem("Measures of success", "measures:scorecard", "measures.view"),
    NavItem("VAWG dashboard", "insight:dashboard", "insight.view"),
    NavItem("Data imports", "insight:import-list", "insight.import"),
    NavItem("Learning", "learning:home", "learning.view"),
    NavItem("Support directory", "directory:listing-list", "directory.manage"),
    NavItem("Survivor voice", "voice:triage-list", "voice.manage"),
    NavItem("MARAC", "marac:home", "marac.refer"),
    NavItem("MARAC statistics", "marac:statistics", "marac.statistics"),
    NavItem("Members", "accounts:member-list", "members.manage"),
    NavItem("Audit trail", "audit:event-list", "audit.view"),
]


def navigation_for(request: HttpRequest, partnership, access) -> list[dict]:
    """The items the user may see; the current one is the item whose URL (or section)
    is the longest prefix of the page's path, so a page lights exactly one item."""
    if partnership is None:
        return []
    current = request.path
    home = reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
    items = []
    for item in PARTNERSHIP_NAV:
        if not access.can(partnership, item.permission):
            continue
        url = reverse(item.url_name, kwargs={"partnership": partnership.slug})
        prefixes = [url] + ([home + item.section] if item.section else [])
        match = max((len(p) for p in prefixes if current.startswith(p)), default=0)
        if url == home:
            match = len(url) if current == url else 0
        items.append({"label": item.label, "url": url, "active": False, "_match": match})
    best = max(items, key=lambda i: i["_match"], default=None)
    for item in items:
        item["active"] = item is best and item["_match"] > 0
        del item["_match"]
    return items
