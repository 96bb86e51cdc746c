"""What measures adds to the published plan and to the home page, registered from
MeasuresConfig.ready() (vawg.strategy.registries, vawg.core.home): the pages' apps import
none of it."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import HomeItem, Shown, home_items, plural
from vawg.core.models import Partnership
from vawg.core.permissions import Role
from vawg.core.region import RegionSection, region_sections
from vawg.measures import status as st
from vawg.measures.region import measures_section
from vawg.measures.selectors import off_track_count, public_indicators
from vawg.strategy.registries import PlanPanel, plan_panels


def plan_indicators(partnership: Partnership) -> dict:
    return {"indicators": public_indicators(partnership)}


def home_off_track(request: HttpRequest, today: date) -> Shown:
    count = off_track_count(partnership=request.partnership, roles=request.roles, today=today)
    url = reverse("measures:scorecard", kwargs={"partnership": request.partnership.slug})
    text = f"{plural(count, 'measure', 'measures')} of success off track"
    return Shown(text, f"{url}?status={st.Status.OFF_TRACK.value}", count=count)


def register() -> None:
    region_sections.register("measures.off_track", RegionSection(measures_section), order=40)
    plan_panels.register(
        "measures.indicators",
        PlanPanel("measures/includes/public_indicators.html", plan_indicators),
        order=10,
    )
    home_items.register(
        "measures.off_track",
        HomeItem(
            home_off_track,
            "measures.view",
            roles=frozenset({Role.PARTNERSHIP_ADMIN, Role.BOARD_MEMBER}),
        ),
        order=30,
    )
