"""URL rules for the plan operations (gathered by url_rules.py): each answers to a token
holding read:plan, so a signed-in session without one gets 401."""

from vawg.core.tests.sweep import PUBLIC, Rule
from vawg.strategy.models import Action, Strategy

TOKEN = frozenset({401})

RULES: dict = {
    "api:list_strategies": Rule(PUBLIC, ok=TOKEN),
    "api:get_strategy": Rule(PUBLIC, ok=TOKEN),
    "api:list_actions": Rule(PUBLIC, ok=TOKEN),
    "api:get_action": Rule(PUBLIC, ok=TOKEN),
    "api:list_periods": Rule(PUBLIC, ok=TOKEN),
    "api:list_you_said_we_did": Rule(PUBLIC, ok=TOKEN),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """A strategy and an action of the partnership's plan (the sweep loads one)."""
    strategy = Strategy.objects.filter(partnership=partnership).first()
    action = Action.objects.filter(strategy__partnership=partnership).first()
    return {
        "api:get_strategy": {"slug": strategy.slug if strategy else "a-strategy"},
        "api:get_action": {"action_id": action.pk if action else 1},
    }
