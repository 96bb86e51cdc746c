"""Who may see each measures URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.tests.sweep import ADMIN, STAFF, Rule, holders

ENTER = holders("measures.enter")

RULES: dict = {
    "measures:scorecard": Rule(STAFF),
    "measures:scorecard-export": Rule(STAFF),
    "measures:indicator-detail": Rule(STAFF),
    "measures:indicator-chart": Rule(STAFF),
    "measures:indicator-create": Rule(ADMIN),
    "measures:indicator-edit": Rule(ADMIN),
    "measures:target-set": Rule(ADMIN),
    "measures:value-enter": Rule(ENTER),
    "measures:values-import": Rule(ENTER),
    "measures:import-template": Rule(ENTER),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """A partnership-level indicator owned by the action lead's (and analyst's) organisation,
    so that they may enter its values."""
    from vawg.core.permissions import Role
    from vawg.measures.models import Indicator

    owner = personas[Role.ACTION_LEAD].memberships.get(partnership=partnership).organisation

    indicator = Indicator.objects.create(
        partnership=partnership,
        name="Sweep indicator",
        definition="For the URL sweep.",
        direction="increase",
        owner=owner,
    )
    one = {"pk": indicator.pk}
    return {
        "measures:scorecard-export": {"fmt": "csv"},
        "measures:import-template": {"fmt": "csv"},
        "measures:indicator-detail": one,
        "measures:indicator-chart": {**one, "fmt": "svg"},
        "measures:indicator-edit": one,
        "measures:target-set": one,
        "measures:value-enter": one,
    }
