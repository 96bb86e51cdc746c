"""The MARAC statistics page and the figures registered in core.metrics.

One function per figure, used by the page and the metrics registry alike. A
figure leaving the coordinator and analyst roles goes through core.disclosure.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import disclosure
from vawg.core.disclosure import Figure, round_to_base
from vawg.core.metrics import MetricValue, Unit, percentage, register
from vawg.core.periods import reporting_year_start, year_label
from vawg.core.permissions import Role, roles_grant
from vawg.core.tabular import write_table
from vawg.marac.selectors import (
    EXPECTED_CASES_PER_10000,
    NATIONAL,
    NATIONAL_SOURCE,
    MaracCounts,
    marac_counts,
)
from vawg.marac.services import add_months, settings_for

PER_10000 = 10_000


def cases_per_10000(counts: MaracCounts) -> MetricValue:
    """Cases discussed in the 12 months to the period's end per 10,000 women aged 16+."""
    if not counts.women_16_plus:
        return MetricValue(None, counts.cases_12_months, None, "No population set")
    value = (Decimal(counts.cases_12_months) * PER_10000 / counts.women_16_plus).quantize(
        Decimal("0.1")
    )
    return MetricValue(value, counts.cases_12_months, counts.women_16_plus)


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


# Rounding base for figures shown through disclosure control. The period choice lets a
# viewer difference a year against its quarters, so counts are rounded (docs rule 3).
ROUND_BASE = 5


def sees_unsuppressed(roles) -> bool:
    """Analysts and the MARAC coordinator see exact figures; everyone else through control."""
    return roles_grant(roles, "figures.unsuppressed") or Role.MARAC_COORDINATOR in roles


def _shown(
    numerator: int,
    denominator: int | None,
    *,
    per: int,
    unsuppressed: bool,
    round_denominator: bool = True,
) -> Figure:
    if unsuppressed:
        if not denominator:
            return Figure(None, "no data", suppressed=True)
        value = (Decimal(numerator) * per / Decimal(denominator)).quantize(Decimal("0.1"))
        return Figure(value, f"{value}")
    denominator = denominator or 0
    limit = disclosure.threshold()
    if 0 < numerator < limit or 0 < denominator < limit or denominator == 0:
        return disclosure.disclose_rate(numerator, denominator, per=per)
    # From the rounded counts the viewer is shown: an exact rate beside a rounded count
    # would give the exact count back. A population is public, so it is not rounded.
    return disclosure.disclose_rate(
        round_to_base(numerator, ROUND_BASE),
        round_to_base(denominator, ROUND_BASE) if round_denominator else denominator,
        per=per,
    )


def _count(n: int, unsuppressed: bool) -> Figure:
    return Figure(n, f"{n:,}") if unsuppressed else disclosure.disclose_count(n, base=ROUND_BASE)


def statistics_rows(counts: MaracCounts, *, unsuppressed: bool, shares: dict) -> list[Row]:
    """The SafeLives figures for a period, each beside the local population and national data."""

    def share(key):
        value = shares.get(key)
        return Decimal(str(value)) if value not in (None, "") else None

    def pct(key, label, numerator):
        return Row(
            key,
            label,
            _shown(numerator, counts.cases, per=100, unsuppressed=unsuppressed),
            "%",
            share(key),
            NATIONAL[key],
        )

    c = counts
    rows = [
        # Meetings are not people: the count is shown to everyone.
        Row("meetings", "MARAC meetings held", Figure(c.meetings, f"{c.meetings:,}"), "count"),
        Row("cases", "Cases discussed (repeats included)", _count(c.cases, unsuppressed), "count"),
        Row(
            "cases_per_10000",
            "Cases per 10,000 women aged 16 and over (12 months to the period's end)",
            _shown(
                c.cases_12_months,
                c.women_16_plus,
                per=PER_10000,
                unsuppressed=unsuppressed,
                round_denominator=False,
            ),
            "per 10,000",
            None,
            NATIONAL["cases_per_10000"],
            f"SafeLives' expected level: {EXPECTED_CASES_PER_10000} per 10,000.",
        ),
        pct("repeat_rate", "Repeat cases", c.repeats),
        pct("non_police_rate", "Referred by agencies other than the police", c.non_police),
        pct("minoritised_rate", "Black, Asian and racially minoritised victims", c.minoritised),
        pct("lgbt_rate", "LGBT+ victims", c.lgbt),
        pct("disabled_rate", "Disabled victims", c.disabled),
        pct("male_rate", "Male victims", c.male),
        pct("age_16_17_rate", "Victims aged 16 or 17", c.aged_16_17),
        Row("children", "Children in the households", _count(c.children, unsuppressed), "count"),
        Row(
            "perpetrators_under_18",
            "Perpetrators aged 17 or under",
            _count(c.perpetrators_under_18, unsuppressed),
            "count",
        ),
        Row(
            "actions_on_time",
            "Case actions due in the period completed on time",
            _shown(c.actions_on_time, c.actions_due, per=100, unsuppressed=unsuppressed),
            "%",
        ),
    ]
    return rows


def statistics_for(partnership, period, *, unsuppressed: bool) -> tuple[MaracCounts, list[Row]]:
    """The counts and the rows as this viewer may see them (the page and its downloads)."""
    counts = marac_counts(partnership, period.start, period.end)
    shares = settings_for(partnership).population_shares or {}
    return counts, statistics_rows(counts, unsuppressed=unsuppressed, shares=shares)


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

    A figure not shown is written as its words ("fewer than 5"), never a number."""
    return [
        [
            period.label,
            row.label,
            row.unit,
            row.local.value if row.local.value is not None else row.local.text,
            row.population,
            row.national,
            NATIONAL_SOURCE if row.national is not None else "",
            row.note,
        ]
        for row in rows
    ]


def statistics_export(
    *, partnership, period, fmt: str, unsuppressed: bool, actor, request=None
) -> tuple[bytes, str]:
    """The period's statistics as CSV or XLSX bytes and a file name; audited as an export."""
    _, rows = statistics_for(partnership, period, unsuppressed=unsuppressed)
    table = statistics_table(rows, period)
    title = "OFFICIAL-SENSITIVE" if unsuppressed else "MARAC statistics"
    content = write_table(fmt, TABLE_HEADERS, table, title=title)
    record(
        action=AuditAction.EXPORT,
        actor=actor,
        partnership=partnership,
        object_type="marac.Statistics",
        summary=f"Exported the MARAC statistics as {fmt.upper()}",
        detail={"format": fmt, "period": period.key, "unsuppressed": unsuppressed},
        request=request,
    )
    # Unsuppressed figures leave marked, so nobody passes them on unawares.
    marking = "official-sensitive-" if unsuppressed else ""
    name = f"{marking}{partnership.slug}-marac-statistics-{period.start.isoformat()}"
    suffix = "q" if period.key.endswith(":q") else "year"
    return content, f"{name}-{suffix}.{fmt}"


# --- Periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date


def periods_for(partnership, today: date, *, years: int = 2) -> list[Period]:
    """The quarters and reporting years to choose from, newest first."""
    out: list[Period] = []
    year_start = reporting_year_start(partnership, today)
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
            quarters.append(
                Period(
                    f"{q_start.isoformat()}:q",
                    f"{label} Q{q + 1} ({q_start:%B} to {q_end:%B %Y})",
                    q_start,
                    q_end,
                )
            )
        out.extend(reversed(quarters))
        out.append(Period(f"{start.isoformat()}:y", f"{label} (whole year)", start, end))
    return out


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
        f"(SafeLives definition). National: {NATIONAL['repeat_rate']}% ({NATIONAL_SOURCE}).",
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
