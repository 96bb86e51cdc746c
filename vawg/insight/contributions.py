"""What local insight adds to the home page, registered from InsightConfig.ready()
(vawg.core.home): core imports none of it."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import Group, HomeItem, Line, Shown, home_items, plural
from vawg.core.permissions import Role, roles_grant
from vawg.core.region import RegionSection, region_sections
from vawg.insight.region import incidents_section
from vawg.insight.selectors import imports_waiting, latest_month_by_partner


def _imports_url(request: HttpRequest) -> str:
    return reverse("insight:import-list", kwargs={"partnership": request.partnership.slug})


def home_imports_waiting(request: HttpRequest, today: date) -> Shown:
    waiting, failed = imports_waiting(partnership=request.partnership)
    text = f"{plural(waiting, 'partner file', 'partner files')} waiting to be imported"
    if failed:
        text += f" ({failed} failed)"
    return Shown(text, _imports_url(request), count=waiting)


def home_data_freshness(request: HttpRequest, today: date) -> Shown:
    rows = latest_month_by_partner(partnership=request.partnership)
    if not rows:
        return Shown("No partner's incidents have been imported yet", _imports_url(request))
    lines = tuple(Line(f"{name}: incidents to {month:%B %Y}") for name, month in rows)
    return Shown("How current each partner's data is", _imports_url(request), lines=lines)


def home_partner_data(request: HttpRequest, today: date) -> Shown | None:
    """The strategic lead's glance at partners' data: whether files wait on the analysts
    (the lead cannot open them: they hold partners' identifiers) and how current each
    partner's data is. An admin who is also an analyst has the analyst's items instead."""
    if roles_grant(request.roles, "insight.import"):
        return None
    waiting, failed = imports_waiting(partnership=request.partnership)
    text = (
        f"Partner data: {plural(waiting, 'file', 'files')} waiting for the analysts"
        if waiting
        else "Partner data: no file is waiting for the analysts"
    )
    if failed:
        text += f" ({failed} failed)"
    lines = tuple(
        Line(f"{name}: incidents to {month:%B %Y}")
        for name, month in latest_month_by_partner(partnership=request.partnership)
    )
    dashboard = reverse("insight:dashboard", kwargs={"partnership": request.partnership.slug})
    return Shown(text, dashboard, lines=lines)


def register() -> None:
    region_sections.register("insight.incidents", RegionSection(incidents_section), order=20)
    home_items.register(
        "insight.imports_waiting", HomeItem(home_imports_waiting, "insight.import"), order=60
    )
    home_items.register(
        "insight.freshness",
        HomeItem(home_data_freshness, "insight.import", group=Group.GLANCE),
        order=61,
    )
    home_items.register(
        "insight.partner_data",
        HomeItem(
            home_partner_data,
            "insight.view",
            group=Group.GLANCE,
            roles=frozenset({Role.PARTNERSHIP_ADMIN}),
        ),
        order=62,
    )
