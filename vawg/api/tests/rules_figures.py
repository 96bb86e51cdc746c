"""URL rules for this part of the API (gathered by url_rules.py): the figures operations
answer to a token, so a signed-in session without one gets 401."""

from vawg.core.tests.sweep import PUBLIC, Rule

TOKEN = frozenset({401})

RULES: dict = {
    "api:measure_list": Rule(PUBLIC, ok=TOKEN),
    "api:measure_detail": Rule(PUBLIC, ok=TOKEN),
    "api:insight_summary": Rule(PUBLIC, ok=TOKEN),
    "api:marac_statistics": Rule(PUBLIC, ok=TOKEN),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """A measure of the partnership, for the one operation whose URL names one."""
    from vawg.measures.tests.factories import make_indicator

    indicator = make_indicator(partnership, name="API sweep measure", disclosure="public")
    return {"api:measure_detail": {"measure_id": indicator.pk}}
