"""The MARAC statistics page and the figures registered in core.metrics.

One function per figure, used by the page and the metrics registry alike. Every figure
is shown through core.disclosure for its audience: exact for the coordinator and the
analyst, controlled for everyone else, and every rate is worked from the figures shown.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from vawg.core import disclosure
from vawg.core.disclosure import Audience, Figure
from vawg.core.metrics import MetricValue, Unit, percentage, register
from vawg.core.periods import add_months, reporting_year_start, year_label
from vawg.exchange.exporting import Contents, Table
from vawg.marac.national import NationalFigures, national_figures
from vawg.marac.selectors import MaracCounts, first_record_date, marac_counts
from vawg.marac.services import settings_for

PER_10000 = 10_000

# Who sees the statistics exactly: the analyst, and the coordinator for their own MARAC.
EXACT_PERMISSIONS = (disclosure.ANALYST, disclosure.MARAC_COORDINATOR)
SUBJECT = "marac.Statistics"  # the audit trail's name for the page and its downloads


def cases_per_10000(counts: MaracCounts) -> MetricValue:
    """Cases discussed in the 12 months to the period's end per 10,000 women aged 16+.

    The population is public, so the denominator carries no cell key."""
    cases = counts.cases_12_months
    if not counts.women_16_plus:
        return MetricValue(None, cases.n, None, "No population set", cases.key, None)
    value = (Decimal(cases.n) * PER_10000 / counts.women_16_plus).quantize(Decimal("0.1"))
    return MetricValue(value, cases.n, counts.women_16_plus, "", cases.key, None)


def repeat_rate(counts: MaracCounts) -> MetricValue:
    return percentage(counts.repeats, counts.cases)


def actions_on_time(counts: MaracCounts) -> MetricValue:
    return percentage(counts.actions_on_time, counts.actions_due)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    local: Figure
    unit: str  # "count", "%" or "per 10,000"
    population: Decimal | None = None
    national: Decimal | None = None
    note: str = ""


def statistics_rows(
    counts: MaracCounts,
    *,
    audience: Audience,
    shares: dict,
    national: NationalFigures | None = None,
) -> list[Row]:
    """The SafeLives figures for a period as this audience sees them, each beside the local
    population and national data. Rates are worked from the counts as shown (a hidden part
    makes the rate "not shown"); the population of women is public and taken as it is."""
    national = national or national_figures()
    expected = national.expected_cases_per_10000

    def share(key):
        value = shares.get(key)
        return Decimal(str(value)) if value not in (None, "") else None

    def shown(t) -> Figure:
        return disclosure.count(t, audience)

    c = counts
    cases = shown(c.cases)

    def pct(key, label, numerator):
        rate = disclosure.rate(shown(numerator), cases, per=100)
        return Row(key, label, rate, "%", share(key), national.get(key))

    return [
        # Meetings are not people: the count is shown to everyone as it is.
        Row("meetings", "MARAC meetings held", disclosure.as_is(c.meetings), "count"),
        Row("cases", "Cases discussed (repeats included)", cases, "count"),
        Row(
            "cases_per_10000",
            "Cases per 10,000 women aged 16 and over (12 months to the period's end)",
            disclosure.rate(shown(c.cases_12_months), c.women_16_plus or 0, per=PER_10000),
            "per 10,000",
            None,
            national.get("cases_per_10000"),
            f"SafeLives' expected level: {expected} per 10,000." if expected is not None else "",
        ),
        pct("repeat_rate", "Repeat cases", c.repeats),
        pct("non_police_rate", "Referred by agencies other than the police", c.non_police),
        pct("minoritised_rate", "Black, Asian and racially minoritised victims", c.minoritised),
        pct("lgbt_rate", "LGBT+ victims", c.lgbt),
        pct("disabled_rate", "Disabled victims", c.disabled),
        pct("male_rate", "Male victims", c.male),
        pct("age_16_17_rate", "Victims aged 16 or 17", c.aged_16_17),
        Row("children", "Children in the households", shown(c.children), "count"),
        Row(
            "perpetrators_under_18",
            "Perpetrators aged 17 or under",
            shown(c.perpetrators_under_18),
            "count",
        ),
        Row(
            "actions_on_time",
            "Case actions due in the period completed on time",
            disclosure.rate(shown(c.actions_on_time), shown(c.actions_due), per=100),
            "%",
        ),
    ]


def statistics_for(partnership, period, *, audience: Audience) -> tuple[MaracCounts, list[Row]]:
    """The counts and the rows as this audience may see them (the page and its downloads).

    The counts themselves are exact: only the rows are for showing."""
    counts = marac_counts(partnership, period.start, period.end)
    shares = settings_for(partnership).population_shares or {}
    return counts, statistics_rows(counts, audience=audience, shares=shares)


# --- Download ---------------------------------------------------------------------------

TABLE_HEADERS = [
    "Period",
    "Figure",
    "Unit",
    "This partnership",
    "Local population",
    "National",
    "National source",
    "Note",
]


def statistics_table(rows: list[Row], period) -> list[list]:
    """The page's table as rows for a CSV or XLSX file: the same figures, no more.

    A figure not shown is written as its words ("fewer than 5", "not shown"), never a number."""
    source = national_figures().source
    return [
        [
            period.label,
            row.label,
            row.unit,
            row.local.value if row.local.shown else row.local.text,
            row.population,
            row.national,
            source if row.national is not None else "",
            row.note,
        ]
        for row in rows
    ]


def statistics_export(*, partnership, period, audience: Audience) -> Table:
    """The period's statistics as this audience may see them, as a table to download."""
    _, rows = statistics_for(partnership, period, audience=audience)
    suffix = "q" if period.key.endswith(":q") else "year"
    return Table(
        name=f"{partnership.slug}-marac-statistics-{period.start.isoformat()}-{suffix}",
        headers=TABLE_HEADERS,
        rows=statistics_table(rows, period),
        title="MARAC statistics",
        what="the MARAC statistics",
        subject=SUBJECT,
        detail={
            "period": period.key,
            "level": audience.level.value,
            "unsuppressed": audience.exact,
        },
        contents=Contents.figures(audience),
    )


# --- Periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date


def periods_for(partnership, today: date, *, years: int = 2) -> list[Period]:
    """The quarters and reporting years to choose from, newest first: the last `years`
    reporting years, and every earlier one back to the partnership's first referral or
    meeting (so an imported history's years can be reported on). A period not yet over
    says so in its label: its figures are part of a quarter or year, not a fall."""
    out: list[Period] = []
    year_start = reporting_year_start(partnership, today)
    first = first_record_date(partnership)
    if first is not None and first < year_start:
        first_year = reporting_year_start(partnership, first)
        years = max(years, year_start.year - first_year.year + 1)
    for back in range(years):
        start = add_months(year_start, -12 * back)
        end = add_months(start, 12) - timedelta(days=1)
        label = year_label(start)
        quarters = []
        for q in range(4):
            q_start = add_months(start, 3 * q)
            if q_start > today:
                continue
            q_end = add_months(q_start, 3) - timedelta(days=1)
            so_far = _so_far(q_start, q_end, today)
            quarters.append(
                Period(
                    f"{q_start.isoformat()}:q",
                    f"{label} Q{q + 1} ({q_start:%B} to {q_end:%B %Y}{so_far})",
                    q_start,
                    q_end,
                )
            )
        out.extend(reversed(quarters))
        out.append(
            Period(
                f"{start.isoformat()}:y",
                f"{label} (whole year{_so_far(start, end, today)})",
                start,
                end,
            )
        )
    return out


def _so_far(start: date, end: date, today: date) -> str:
    """For a period not yet over, how much of it has passed (today counted): its figures
    are a part of the period's, to be read against the part."""
    if end < today:
        return ""
    return f", under way: day {(today - start).days + 1} of {(end - start).days + 1}"


def last_ended(periods: list[Period], today: date) -> Period:
    """The period to show first: the newest one that is over (else the newest)."""
    return next((p for p in periods if p.end < today), periods[0])


# --- core.metrics -----------------------------------------------------------------------


def _repeat_rate(partnership, period) -> MetricValue:
    return repeat_rate(marac_counts(partnership, period.start, period.end))


def _cases_per_10000(partnership, period) -> MetricValue:
    return cases_per_10000(marac_counts(partnership, period.start, period.end))


def _actions_on_time(partnership, period) -> MetricValue:
    return actions_on_time(marac_counts(partnership, period.start, period.end))


def register_metrics() -> None:
    register(
        "marac.repeat_rate",
        label="MARAC repeat rate",
        unit=Unit.PERCENTAGE,
        calculator=_repeat_rate,
        description="Share of cases discussed at MARAC in the period that were repeats "
        "(SafeLives definition), beside SafeLives' national figure for the period its "
        "national data file names.",
    )
    register(
        "marac.cases_per_10000_women",
        label="MARAC cases per 10,000 women aged 16+",
        unit=Unit.RATE_PER_10000,
        calculator=_cases_per_10000,
        description="Cases discussed in the 12 months to the period's end per 10,000 women "
        "aged 16 and over. SafeLives' expected level: 40.",
    )
    register(
        "marac.actions_on_time",
        label="MARAC case actions completed on time",
        unit=Unit.PERCENTAGE,
        calculator=_actions_on_time,
        description="Case actions due in the period that were completed by their due date.",
    )
