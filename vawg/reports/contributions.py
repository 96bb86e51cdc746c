"""What reports adds to the published plan, registered from ReportsConfig.ready()
(vawg.strategy.registries): the plan's page imports none of it."""

from vawg.core.models import Partnership
from vawg.reports.public_summary import public_summary
from vawg.strategy.registries import PlanPanel, plan_panels


def plan_annual_summary(partnership: Partnership) -> dict:
    return {"annual_summary": public_summary(partnership)}


def register() -> None:
    plan_panels.register(
        "reports.annual_summary",
        PlanPanel("reports/includes/public_summary.html", plan_annual_summary),
        order=5,
    )
