"""What measures adds to the published plan, registered from MeasuresConfig.ready()
(vawg.strategy.registries): the page's app imports none of it."""

from vawg.core.models import Partnership
from vawg.measures.selectors import public_indicators
from vawg.strategy.registries import PlanPanel, plan_panels


def plan_indicators(partnership: Partnership) -> dict:
    return {"indicators": public_indicators(partnership)}


def register() -> None:
    plan_panels.register(
        "measures.indicators",
        PlanPanel("measures/includes/public_indicators.html", plan_indicators),
        order=10,
    )
