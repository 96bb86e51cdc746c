"""Who may see the plan-editing URLs (the strategy's other URLs are in test_url_sweep.py)."""

from vawg.core.tests.sweep import ADMIN, Rule

RULES: dict = {
    "strategy:plan-edit": Rule(ADMIN),
    "strategy:plan-item-add": Rule(ADMIN),
    "strategy:plan-item-edit": Rule(ADMIN),
    "strategy:plan-item-move": Rule(ADMIN, post_only=True),
    "strategy:plan-item-retire": Rule(ADMIN, post_only=True),
    "strategy:plan-history": Rule(ADMIN),
    "strategy:rollover": Rule(ADMIN),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    from vawg.strategy.models import Action

    action = Action.objects.filter(strategy__partnership=partnership).order_by("pk").first()
    if action is None:
        from vawg.strategy.tests.factories import make_plan

        action = make_plan(partnership, slug="editing-plan").actions.first()
    plan = {"strategy": action.strategy.slug}
    item = {**plan, "kind": "action", "pk": action.pk}
    return {
        "strategy:plan-edit": plan,
        "strategy:plan-item-add": {**plan, "kind": "action"},
        "strategy:plan-item-edit": item,
        "strategy:plan-item-move": item,
        "strategy:plan-item-retire": item,
        "strategy:plan-history": plan,
        "strategy:rollover": plan,
    }
