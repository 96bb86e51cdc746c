"""MARAC by borough for the regional comparison (vawg.core.region), registered from
MARAC's contributions: the cases each MARAC discussed in the latest 12 complete months,
as the borough's board sees them (controlled), per 10,000 women aged 16 and over
(SafeLives' measure) from the population file, and the share that were repeats."""

from datetime import date, timedelta

from vawg.core import disclosure
from vawg.core.disclosure import tallies
from vawg.core.periods import add_months
from vawg.core.region import Column, Context, Section, in_region, per_residents
from vawg.marac.models import MaracSettings, Meeting, Referral
from vawg.marac.selectors import REFERRAL

# The demo's synthetic MARACs number their cases so (vawg.marac.demo_region).
SYNTHETIC_PREFIX = "SYN-"


def window(today: date) -> tuple[date, date]:
    """The latest 12 complete months."""
    last = today.replace(day=1) - timedelta(days=1)
    return add_months(last.replace(day=1), -11), last


def marac_section(context: Context) -> Section:
    first, last = window(context.today)
    discussed = in_region(Referral.objects.all(), context).filter(
        agenda_item__meeting__status=Meeting.Status.HELD,
        agenda_item__meeting__held_on__range=(first, last),
    )
    ids = [p.pk for p in context.partnerships]
    rows = list(discussed.order_by().values_list("partnership_id", "pk", "is_repeat"))
    cases = tallies(REFERRAL, ((p, pk) for p, pk, _ in rows), ids)
    repeats = tallies(REFERRAL, ((p, pk) for p, pk, repeat in rows if repeat), ids)
    shown = disclosure.counts(cases, disclosure.CONTROLLED)
    region_cases = sum(cases.values(), disclosure.Tally(0))
    region = disclosure.count(region_cases, disclosure.CONTROLLED)
    rates, region_rate = per_residents(shown, region, context, per=10_000, women=True)
    repeat_shown = disclosure.counts(repeats, disclosure.CONTROLLED)
    repeat_rates = {pk: disclosure.rate(repeat_shown[pk], shown[pk]) for pk in ids}
    region_repeats = disclosure.count(
        sum(repeats.values(), disclosure.Tally(0)), disclosure.CONTROLLED
    )
    synthetic = (
        in_region(MaracSettings.objects.filter(population_is_synthetic=True), context).exists()
        or discussed.filter(reference__startswith=SYNTHETIC_PREFIX).exists()
    )
    return Section(
        title="MARAC",
        period=f"{first:%B %Y} to {last:%B %Y}",
        columns=(
            Column("Cases discussed", shown, region),
            Column("Per 10,000 women aged 16+", rates, region_rate),
            Column("Repeat cases (%)", repeat_rates, disclosure.rate(region_repeats, region)),
        ),
        synthetic=synthetic,
        note="Cases discussed at MARAC meetings held in the period, repeats included, as "
        "SafeLives counts them, and per 10,000 women aged 16 and over, SafeLives' measure.",
    )
