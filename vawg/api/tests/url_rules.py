"""Who may reach the API's URLs (the URL sweep). The API's operations are public to the
access middleware and answer to a token: a signed-in session without one gets 401."""

from vawg.api.tests import rules_figures, rules_pages, rules_plan, rules_writes
from vawg.core.tests.sweep import PUBLIC, SIGNED_IN, Rule

TOKEN = frozenset({401})

RULES = {
    # Ninja's root, which only names where the API starts: nothing is served there.
    "api:api-root": Rule(PUBLIC, ok=frozenset({404})),
    "api:openapi-json": Rule(PUBLIC),
    "api:openapi-view": Rule(SIGNED_IN),
    "api:token": Rule(PUBLIC, ok=TOKEN),
}
for _part in (rules_plan, rules_figures, rules_writes, rules_pages):
    RULES.update(_part.RULES)


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """Each part's URL arguments (one of each object its URLs name), where it has any."""
    kwargs: dict[str, dict] = {}
    for part in (rules_plan, rules_figures, rules_writes, rules_pages):
        if hasattr(part, "sweep_kwargs"):
            kwargs.update(part.sweep_kwargs(partnership, personas))
    return kwargs
