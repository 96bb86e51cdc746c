"""Demo step: every London partnership, so the regional view has a region to compare.

Wandsworth and Lambeth come with their published strategies (vawg.strategy.demo); the
other 31 boroughs named in the population file join the London region here, each with
its police and its council as partners, and no plan (their incidents and MARAC figures,
all synthetic, come from vawg.insight.demo_region and vawg.marac.demo_region). Idempotent.
"""

from datetime import date

from django.utils.text import slugify

from vawg.core.models import Organisation, Partnership, Region
from vawg.core.populations import populations

REGION = "london"
SEEDED = ("wandsworth", "lambeth")  # the two boroughs with their published strategies
CITY = "City of London"


def synthetic_boroughs() -> list[Partnership]:
    """The partnerships this step makes: the region's, less the two seeded boroughs."""
    return list(
        Partnership.objects.filter(region__slug=REGION).exclude(slug__in=SEEDED).order_by("name")
    )


def _partners(partnership: Partnership) -> None:
    # The City has its own police force and its Corporation for a council.
    city = partnership.name == CITY
    for name, kind in (
        ("City of London Police" if city else "Metropolitan Police Service", "police"),
        ("City of London Corporation" if city else f"{partnership.name} Council", "council"),
    ):
        Organisation.objects.get_or_create(
            partnership=partnership, name=name, defaults={"kind": kind}
        )


def load(*, today: date, rng, stdout) -> None:
    region = Region.objects.filter(slug=REGION).first()
    if region is None:
        stdout.write("  No London region: the seeded strategies load it first\n")
        return
    made = 0
    for area in sorted(populations().values(), key=lambda a: a.borough):
        partnership, created = Partnership.objects.get_or_create(
            slug=slugify(area.borough), defaults={"name": area.borough, "region": region}
        )
        made += created
        if partnership.slug not in SEEDED:
            _partners(partnership)
    stdout.write(
        f"  {region.name}: {region.partnerships.count()} partnerships ({made} new, "
        "synthetic data only beyond the two seeded strategies)\n"
    )
