"""Incidents by borough for the regional comparison (vawg.core.region), registered from
insight's contributions: each borough's count as its own board sees it, and per 1,000
residents from the population file."""

from datetime import date

from vawg.core import disclosure
from vawg.core.region import Column, Context, Section, per_residents
from vawg.insight import queries
from vawg.insight.models import DataImport
from vawg.insight.queries import Filters, Totals
from vawg.insight.selectors import period_months

# The demo's files are named so (vawg.insight.demo, vawg.insight.demo_region): their
# incidents are synthetic, and the comparison says so.
DEMO_FILE_PREFIX = "demo-"


def demo_incidents(partnership_ids) -> bool:
    """Whether any of these partnerships' incidents came from the demo's synthetic files."""
    return DataImport.objects.filter(
        partnership_id__in=partnership_ids, filename__startswith=DEMO_FILE_PREFIX
    ).exists()


def _months_words(first: date, last: date) -> str:
    return f"{first:%B %Y} to {last:%B %Y}"


def incidents_section(context: Context) -> Section:
    ids = tuple(p.pk for p in context.partnerships)
    # The latest 12 complete months, as the dashboards' default view.
    first, last = period_months("12", ids, 4, context.today)
    filters = Filters(partnerships=ids, first=first, last=last, region=context.region.pk)
    by_partnership = queries.by(filters, "partnership_id")
    totals = {p.pk: by_partnership.get(p.pk, Totals()) for p in context.partnerships}
    shown = {
        pk: disclosure.count(t.tally("incidents"), disclosure.CONTROLLED)
        for pk, t in totals.items()
    }
    region_total = sum(totals.values(), Totals())
    region = disclosure.count(region_total.tally("incidents"), disclosure.CONTROLLED)
    rates, region_rate = per_residents(shown, region, context, per=1000)
    return Section(
        title="VAWG incidents",
        period=_months_words(first, last),
        columns=(
            Column("Incidents", shown, region),
            Column("Per 1,000 residents", rates, region_rate),
        ),
        synthetic=demo_incidents(ids),
        note="Incidents recorded by partners and imported to the platform, in the latest "
        "12 complete months.",
    )
