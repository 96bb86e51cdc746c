"""What learning adds to strategy's action page, registered from LearningConfig.ready()
(vawg.strategy.registries): strategy imports none of it."""

from django.http import HttpRequest

from vawg.learning.selectors import learning_for_action
from vawg.strategy.models import Action
from vawg.strategy.registries import ActionPanel, action_panels


def action_learning(request: HttpRequest, action: Action) -> dict:
    return {"learning": learning_for_action(action)}


def register() -> None:
    action_panels.register(
        "learning.links",
        ActionPanel(
            "learning/includes/action_links.html", action_learning, permission="learning.view"
        ),
        order=20,
    )
