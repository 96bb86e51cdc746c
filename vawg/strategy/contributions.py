"""What strategy adds to the home page, registered from StrategyConfig.ready()
(vawg.core.home): a plan that has ended and has no successor, for the admin who can act."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import HomeItem, Shown, home_items
from vawg.strategy.models import Strategy
from vawg.strategy.selectors import strategy_successor


def home_lapsed(request: HttpRequest, today: date) -> Shown | None:
    """The partnership's latest plan, if it has ended with nothing loaded after it."""
    latest = (
        Strategy.objects.filter(partnership=request.partnership)
        .select_related("partnership")
        .order_by("-start_year", "-pk")
        .first()
    )
    if latest is None or not latest.lapsed_on(today) or strategy_successor(strategy=latest):
        return None
    url = reverse(
        "strategy:rollover",
        kwargs={"partnership": request.partnership.slug, "strategy": latest.slug},
    )
    ended = latest.ends_on.strftime("%B %Y")
    return Shown(f"{latest.title} ended in {ended}: roll it over or load its successor", url)


def register() -> None:
    home_items.register("strategy.lapsed", HomeItem(home_lapsed, "strategy.manage"), order=5)
