"""Role-based navigation: each item shows only to users whose roles grant its permission."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str


# Apps add their items here, in display order.
PARTNERSHIP_NAV = [
    NavItem("Overview", "core:partnership-home", "strategy.view"),
    NavItem("Strategy", "strategy:strategy-list", "strategy.view"),
    NavItem("Actions", "strategy:action-search", "strategy.view"),
    NavItem("Delivery", "delivery:home", "strategy.view"),
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
    if partnership is None:
        return []
    current = request.path
    items = []
    for item in PARTNERSHIP_NAV:
        if not access.can(partnership, item.permission):
            continue
        url = reverse(item.url_name, kwargs={"partnership": partnership.slug})
        items.append(
            {
                "label": item.label,
                "url": url,
                "active": current == url
                or (current.startswith(url) and item.url_name != "core:partnership-home"),
            }
        )
    return items
