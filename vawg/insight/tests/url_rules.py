"""Who may see each insight URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.tests.sweep import REGIONAL, Rule, holders

VIEW = holders("insight.view")
IMPORT = holders("insight.import")

RULES: dict = {
    "insight:dashboard": Rule(VIEW),
    "insight:dashboard-csv": Rule(VIEW),
    "insight:import-list": Rule(IMPORT),
    "insight:import-detail": Rule(IMPORT),
    "insight:import-mapping": Rule(IMPORT),
    "insight:import-values": Rule(IMPORT),
    "insight:import-run": Rule(IMPORT, post_only=True),
    "insight:import-retry": Rule(IMPORT, post_only=True),
    "insight:import-discard": Rule(IMPORT, post_only=True),
    "insight:import-report": Rule(IMPORT),
    "insight:population": Rule(IMPORT),
    "insight:region-dashboard": Rule(REGIONAL),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    from vawg.core.permissions import Role
    from vawg.insight import services
    from vawg.insight.tests.factories import csv_bytes, make_wards, partner_for, row

    make_wards(partnership)
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="sweep.csv",
        data=csv_bytes([row("SWEEP-1")]),
        actor=personas[Role.ANALYST],
    )
    by_pk = {"pk": upload.pk}
    return {
        "insight:dashboard-csv": {"chart": "strands"},
        "insight:import-detail": by_pk,
        "insight:import-mapping": by_pk,
        "insight:import-values": by_pk,
        "insight:import-run": by_pk,
        "insight:import-retry": by_pk,
        "insight:import-discard": by_pk,
        "insight:import-report": by_pk,
    }
