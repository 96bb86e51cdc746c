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
    "insight:import-encoding": Rule(IMPORT, post_only=True),
    "insight:import-set-aside": Rule(IMPORT),
    "insight:import-erase": Rule(IMPORT, post_only=True),
    "insight:population": Rule(IMPORT),
    "insight:region-dashboard": Rule(REGIONAL),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    from vawg.core.permissions import Role
    from vawg.insight import services
    from vawg.insight.tests.factories import (
        MAPPING,
        TODAY,
        csv_bytes,
        make_wards,
        partner_for,
        row,
    )

    make_wards(partnership)
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="sweep.csv",
        data=csv_bytes([row("SWEEP-1")]),
        actor=personas[Role.ANALYST],
    )
    by_pk = {"pk": upload.pk}
    # An import with a row set aside, whose rows can be downloaded and erased.
    analyst = personas[Role.ANALYST]
    bad = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="sweep-bad.csv",
        data=csv_bytes([row("SWEEP-2"), row("SWEEP-3", Ward="Nowhere")]),
        actor=analyst,
    )
    services.mapping_save(
        data_import=bad, columns=MAPPING.columns, values=MAPPING.values, actor=analyst
    )
    services.import_check_start(data_import=bad, today=TODAY)
    services.import_run_start(data_import=bad, actor=analyst, today=TODAY, set_aside=True)
    set_aside = {"pk": bad.pk}
    return {
        "insight:dashboard-csv": {"chart": "strands"},
        "insight:import-detail": by_pk,
        "insight:import-mapping": by_pk,
        "insight:import-values": by_pk,
        "insight:import-run": by_pk,
        "insight:import-retry": by_pk,
        "insight:import-discard": by_pk,
        "insight:import-report": by_pk,
        "insight:import-encoding": by_pk,
        "insight:import-set-aside": set_aside,
        "insight:import-erase": set_aside,
    }
