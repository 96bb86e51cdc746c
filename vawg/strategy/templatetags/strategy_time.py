"""Saying so wherever a lapsed strategy is shown or used (the rule is Strategy.lapsed_on)."""

from django import template
from django.utils import timezone

from vawg.core.permissions import roles_grant
from vawg.strategy.selectors import strategy_successor

register = template.Library()


def _banner(context, strategy, *, public: bool) -> dict:
    request = context.get("request")
    today = timezone.localdate()
    if strategy is None or not strategy.lapsed_on(today):
        return {"strategy": None}
    roles = getattr(request, "roles", None) or ()
    can_manage = not public and roles_grant(roles, "strategy.manage")
    return {
        "strategy": strategy,
        "public": public,
        "can_manage": can_manage,
        "successor": strategy_successor(strategy=strategy) if not public else None,
        "partnership": getattr(request, "partnership", None),
    }


@register.inclusion_tag("strategy/_lapsed_banner.html", takes_context=True)
def lapsed_banner(context, strategy, public=False):
    """The banner for one strategy: `{% lapsed_banner strategy %}`; `public=True` on the
    published plan, where residents read it and there is nothing for them to do."""
    return _banner(context, strategy, public=public)


@register.inclusion_tag("strategy/_lapsed_banners.html", takes_context=True)
def lapsed_banners(context, actions):
    """A banner for each lapsed strategy among the plans `actions` belong to, once each."""
    seen: dict[int, object] = {}
    for action in actions:
        seen.setdefault(action.strategy_id, action.strategy)
    return {"banners": [_banner(context, s, public=False) for s in seen.values()]}
