"""URL rules for the API's writes (gathered by url_rules.py).

Each answers to a token: a signed-in session without one gets 401. A path that takes only
a POST or a PUT answers a GET with 405 before any token is asked for, whoever sends it.
"""

from vawg.core.tests.sweep import PUBLIC, Rule

WRITE_ONLY = Rule(PUBLIC, post_only=True, ok=frozenset({405}))

RULES = {
    "api:action_update_send": WRITE_ONLY,
    "api:measure_value_put": WRITE_ONLY,
    "api:extract_send": WRITE_ONLY,
    "api:extract_import": WRITE_ONLY,
    "api:extract_detail": Rule(PUBLIC, ok=frozenset({401})),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """One of each object the writes' URLs name: an action, a measure and an extract of
    `partnership` (the sweep's requests carry no token, so any will do)."""
    from vawg.insight import services as insight_services
    from vawg.insight.tests.factories import csv_bytes, row
    from vawg.measures.models import Indicator
    from vawg.measures.tests.factories import make_indicator
    from vawg.strategy.models import Action

    # The partnership's plan is loaded by then: its first action, and a measure.
    action = Action.objects.filter(strategy__partnership=partnership).first()
    measure = Indicator.objects.filter(partnership=partnership).first() or make_indicator(
        partnership, name="API sweep measure"
    )
    extract = insight_services.import_upload(
        partnership=partnership,
        partner=partnership.organisations.first(),
        filename="sweep.csv",
        data=csv_bytes([row("SW1")]),
        actor=None,
    )
    return {
        "api:action_update_send": {"action_id": action.pk},
        "api:measure_value_put": {"measure_id": measure.pk},
        "api:extract_send": {},
        "api:extract_detail": {"extract_id": extract.pk},
        "api:extract_import": {"extract_id": extract.pk},
    }
