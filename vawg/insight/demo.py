"""Demo step: wards, synthetic population and synthetic incidents for both seed boroughs.

A few thousand records per borough over five years, from the police and one
other partner, imported through the same service an analyst uses, so the
dashboard, the import history and the repeat rate all have something to show.
Deterministic (seeded from `rng`), and idempotent: a second run finds every
record unchanged.
"""

import csv
import io
from datetime import date

import numpy as np

from vawg.core.models import Organisation, Partnership
from vawg.insight import reference, services, synthetic
from vawg.insight.importer import Mapping
from vawg.insight.selectors import current_wards

# Borough: (incidents from the police, from the second partner, residents, growth to 2030).
BOROUGHS = {
    "wandsworth": (3500, 600, 330_000, 0.073),  # the strategy's 7.3% rise by 2030
    "lambeth": (3800, 600, 320_000, 0.05),
}
# Pre-2022 names partners still use for the busiest wards (data/wards/).
OLD_NAMES = {
    "wandsworth": {
        "Roehampton": "Roehampton and Putney Heath",
        "Falconbrook": "Latchmere",
        "Shaftesbury and Queenstown": "Queenstown",
    },
    "lambeth": {"Brixton Windrush": "Coldharbour", "Myatt's Fields": "Vassall"},
}
BUSIEST = {
    "wandsworth": ["Roehampton", "Falconbrook", "Shaftesbury and Queenstown"],
    "lambeth": ["Brixton Windrush", "Myatt's Fields", "Stockwell East"],
}


def load(*, today: date, rng, stdout) -> None:
    seed = rng.randrange(2**32)
    for slug, (police_rows, other_rows, residents, growth) in BOROUGHS.items():
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            continue
        wards = reference.load_wards(partnership)
        names = [name for _, name in current_wards(partnership)]
        busiest = [w for w in BUSIEST[slug] if w in names]
        names = busiest + [n for n in names if n not in busiest]
        _population(partnership, names, today, residents, growth, seed)
        generator = np.random.default_rng([seed, len(slug)])
        start = date(today.year - 5, today.month, 1)
        sources = [("Metropolitan Police Service", police_rows, "MPS"), (None, other_rows, "HLT")]
        for name, rows, prefix in sources:
            partner = _partner(partnership, name)
            columns = synthetic.generate(
                rows=rows,
                wards=names,
                start=start,
                end=today,
                rng=generator,
                old_names=OLD_NAMES[slug],
                id_prefix=f"{prefix}-",
                people_prefix="LDN-",  # one pool: some victims appear in both boroughs
                pending_after=date.fromordinal(today.toordinal() - 120),
            )
            result = services.import_file(
                partnership=partnership,
                partner=partner,
                filename=f"demo-{slug}-{prefix.lower()}.csv",
                data=synthetic.to_csv(columns),
                actor=None,
                today=today,
                mapping=Mapping(columns=synthetic.MAPPING_COLUMNS),
            )
            stdout.write(
                f"  {partnership.name}, {partner.name}: {result.get_status_display().lower()}, "
                f"{result.rows_new} new, {result.rows_unchanged} unchanged\n"
            )
        stdout.write(f"  {partnership.name}: {wards} wards, synthetic population loaded\n")


def _partner(partnership: Partnership, name: str | None) -> Organisation:
    organisations = Organisation.objects.filter(partnership=partnership)
    if name:
        found = organisations.filter(name=name).first()
        if found:
            return found
    preferred = [Organisation.Kind.HEALTH, Organisation.Kind.CHARITY, Organisation.Kind.COUNCIL]
    for kind in preferred:
        found = organisations.filter(kind=kind).order_by("name").first()
        if found:
            return found
    return organisations.order_by("name").first()


def _population(partnership, wards, today, residents, growth, seed) -> None:
    generator = np.random.default_rng([seed, 7])
    rows = synthetic.demo_population(wards=wards, year=today.year, rng=generator, people=residents)
    later = int(residents * (1 + growth))
    rows += synthetic.demo_population(
        wards=wards, year=2030, rng=np.random.default_rng([seed, 7]), people=later
    )
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["year", "ward", "age_band", "sex", "ethnicity", "people"])
    writer.writerows(rows)
    services.population_import(
        partnership=partnership,
        data=out.getvalue().encode(),
        filename="demo-population.csv",
        actor=None,
        synthetic=True,
        source="Synthetic demonstration figures, not real estimates",
    )
