"""What learning adds to strategy's action page and to the home page, registered from
LearningConfig.ready() (vawg.strategy.registries, vawg.core.home): neither strategy nor
core imports any of it."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import HomeItem, Shown, home_items, plural
from vawg.learning.selectors import learning_for_action, overdue_recommendation_count
from vawg.strategy.models import Action
from vawg.strategy.registries import ActionPanel, action_panels


def action_learning(request: HttpRequest, action: Action) -> dict:
    return {"learning": learning_for_action(action)}


def home_overdue_recommendations(request: HttpRequest, today: date) -> Shown:
    count = overdue_recommendation_count(partnership=request.partnership, on=today)
    url = reverse("learning:recommendation-list", kwargs={"partnership": request.partnership.slug})
    text = f"{plural(count, 'case review recommendation', 'case review recommendations')} overdue"
    return Shown(text, f"{url}?show=overdue", count=count)


def register() -> None:
    action_panels.register(
        "learning.links",
        ActionPanel(
            "learning/includes/action_links.html", action_learning, permission="learning.view"
        ),
        order=20,
    )
    home_items.register(
        "learning.overdue",
        HomeItem(home_overdue_recommendations, "learning.manage"),
        order=50,
    )
