"""Demo step: a year of synthetic incidents for each London borough without a plan.

Enough for the regional comparison's rates: each borough's police extract for the
latest 12 months and this one, sized at 2 to 4 incidents a year per 1,000 residents
(the seeded boroughs' demo level) from the population file, over a few wards named as
synthetic. Imported through the analyst's own service, under a "demo-" file name so the
pages say the figures are synthetic. Deterministic; a borough with an import is skipped.
"""

from datetime import date

import numpy as np

from vawg.core.demo_region import synthetic_boroughs
from vawg.core.models import Organisation, Ward
from vawg.core.periods import add_months
from vawg.core.populations import populations_for
from vawg.insight import services, synthetic
from vawg.insight.importer import Mapping
from vawg.insight.models import DataImport

WARDS = [f"Synthetic ward {n}" for n in range(1, 5)]


def load(*, today: date, rng, stdout) -> None:
    boroughs = synthetic_boroughs()
    people = populations_for(boroughs)
    start = add_months(today.replace(day=1), -12)
    loaded = 0
    for n, partnership in enumerate(boroughs):
        area = people.get(partnership.pk)
        police = partnership.organisations.filter(kind=Organisation.Kind.POLICE).first()
        if area is None or police is None:
            continue
        if DataImport.objects.filter(partnership=partnership).exists():
            continue
        for name in WARDS:
            Ward.objects.get_or_create(partnership=partnership, name=name)
        per_1000 = rng.uniform(2.0, 4.0)
        columns = synthetic.generate(
            rows=max(int(area.residents * per_1000 / 1000 * 13 / 12), 1),
            wards=WARDS,
            start=start,
            end=today,
            rng=np.random.default_rng([rng.randrange(2**32), n]),
            id_prefix=f"{partnership.slug.upper()}-",
            # Every fourth borough draws from the seeded boroughs' pool: people move.
            people_prefix="LDN-" if n % 4 == 0 else f"{partnership.slug}-",
            pending_after=date.fromordinal(today.toordinal() - 120),
        )
        services.import_file(
            partnership=partnership,
            partner=police,
            filename=f"demo-{partnership.slug}-police-synthetic.csv",
            data=synthetic.to_csv(columns),
            actor=None,
            today=today,
            mapping=Mapping(columns=synthetic.MAPPING_COLUMNS),
        )
        loaded += 1
    stdout.write(f"  {loaded} of {len(boroughs)} London boroughs: a year of synthetic incidents\n")
