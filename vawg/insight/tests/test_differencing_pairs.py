"""Random incidents, and random pairs of views a board member can ask for: the two answers
together never pin a hidden count (the attacker's audit, vawg/core/tests/auditor.py).

Each example imports its own incidents through the real importer, builds the two
dashboards at the controlled level, and gives the audit every figure of both that falls
in the universe of the dimensions the two views filter on (with months and sex always).
The examples are drawn the same way on every run (`derandomize`), so the suite is steady;
`AUDIT_EXAMPLES` draws more, as docs/disclosure-control.md reports.
"""

import os
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.core.disclosure import CONTROLLED
from vawg.core.models import Organisation, Ward
from vawg.core.tests.auditor import Auditor
from vawg.insight import dashboard
from vawg.insight.models import DataImport
from vawg.insight.queries import Filters
from vawg.insight.standard import AGE_BAND, SEX, STRAND
from vawg.insight.tests.factories import import_rows, make_wards, row
from vawg.insight.tests.published import Incidents, Publisher

pytestmark = pytest.mark.django_db

MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 5)]
WARDS = ["Roehampton", "Tooting Bec", "Earlsfield"]
STRANDS = {"DA": "domestic_abuse", "SV": "sexual_violence", "Stalking": "stalking"}
SEXES = {"Female": "female", "Male": "male", "Not known": "unknown"}
AGES = {"34": "25-34", "19": "18-24", "12": "0-15"}

incident = st.fixed_dictionaries(
    {
        "month": st.sampled_from(MONTHS),
        "strand": st.sampled_from(["DA"] * 3 + ["SV", "Stalking"]),
        "ward": st.sampled_from(WARDS),
        "sex": st.sampled_from(["Female"] * 4 + ["Male", "Not known"]),
        "age": st.sampled_from(["34", "19", "12"]),
    }
)
view = st.fixed_dictionaries(
    {
        "months": st.sampled_from([12, 16, 6]),
        "strand": st.sampled_from(["", *STRANDS.values()]),
        "ward": st.sampled_from(["", *WARDS]),
        "victim": st.sampled_from(["", "sex:female", "sex:male", "sex:unknown", "age_band:0-15"]),
    }
)


def _filters(partnership, wards, chosen: dict) -> Filters:
    characteristic, _, value = chosen["victim"].partition(":")
    return Filters(
        (partnership.pk,),
        MONTHS[-chosen["months"]],
        MONTHS[-1],
        strand=chosen["strand"],
        ward=wards[chosen["ward"]].pk if chosen["ward"] else None,
        characteristic=characteristic,
        value=value,
    )


def _universe(data: Incidents, partnership, wards, pair) -> Auditor:
    dimensions = {
        "partnership": [partnership.pk],
        "month": data.months(last=MONTHS[-1]),
        "sex": SEX.values,
    }
    if any(v["strand"] for v in pair):
        dimensions["strand"] = STRAND.values
    if any(v["ward"] for v in pair):
        dimensions["ward_id"] = [w.pk for w in wards.values()]
    if any(v["victim"].startswith("age_band") for v in pair):
        dimensions["age_band"] = AGE_BAND.values
    return Auditor(dimensions)


@settings(
    max_examples=int(os.environ.get("AUDIT_EXAMPLES", 12)),
    derandomize=not os.environ.get("AUDIT_EXAMPLES"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(incidents=st.lists(incident, min_size=8, max_size=60), pair=st.tuples(view, view))
def test_no_two_answers_pin_a_hidden_count(partnership, incidents, pair):
    with transaction.atomic():
        make_wards(partnership)
        Ward.objects.create(partnership=partnership, name="Earlsfield")
        wards = {w.name: w for w in Ward.objects.filter(partnership=partnership)}
        rows = [
            row(
                f"R{n}",
                f"{i['month']:%Y-%m}-{1 + n % 28:02}",
                **{
                    "VAWG Strand": i["strand"],
                    "Ward": i["ward"],
                    "Victim Sex": i["sex"],
                    "Victim Age": i["age"],
                },
            )
            for n, i in enumerate(incidents)
        ]
        assert import_rows(partnership, rows).status == DataImport.Status.IMPORTED
        data = Incidents([partnership.pk])
        audit = _universe(data, partnership, wards, pair)
        publisher = Publisher([audit], data)
        names = {
            "wards": {w.name: w.pk for w in wards.values()},
            "partners": dict(
                Organisation.objects.filter(partnership=partnership).values_list("name", "id")
            ),
        }
        ward_names = {w.pk: w.name for w in wards.values()}
        for chosen in pair:
            f = _filters(partnership, wards, chosen)
            board = dashboard.build(f, audience=CONTROLLED, ward_names=ward_names)
            publisher.board(board, str(chosen), names)
        assert audit.inconsistent == []
        assert audit.recovered(data.rows) == []
        transaction.set_rollback(True)
