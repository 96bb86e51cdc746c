"""The dashboard as a person may see it: figures from queries.py through disclosure control.

Analysts see exact figures. Everyone else sees counts below the threshold
suppressed (with secondary suppression where a total is shown), every count
rounded to ROUND_BASE, no rate from a suppressed count, and only filtered
views that hold enough records, and that differ from the view without each
filter by enough records that comparing the two reveals no small number
(docs/disclosure-control.md, docs/insight.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from vawg.core import disclosure
from vawg.core.disclosure import Figure, round_to_base
from vawg.core.models import Organisation, Partnership, Ward
from vawg.insight import queries
from vawg.insight.models import Population
from vawg.insight.queries import Filters, Totals, add_months
from vawg.insight.standard import STRAND, VICTIM_CHARACTERISTICS

ROUND_BASE = 5
TOP_WARDS = 3
ROLLING_MONTHS = 3
# A filtered view must hold at least this many threshold-sized groups of records.
MIN_VIEW_MULTIPLE = 2


def min_view() -> int:
    return disclosure.threshold() * MIN_VIEW_MULTIPLE


# --- Figures as shown ----------------------------------------------------------------


def exact(n: int) -> Figure:
    return Figure(n, f"{n:,}")


def shown_counts(counts: Mapping, *, exact_figures: bool) -> tuple[dict, Figure]:
    """Cells and their total, disclosed for the viewer."""
    if exact_figures:
        return {k: exact(n) for k, n in counts.items()}, exact(sum(counts.values()))
    cells, total = disclosure.disclose_counts(counts)
    return {k: _rounded(f) for k, f in cells.items()}, _rounded(total)


def shown_count(n: int, *, exact_figures: bool) -> Figure:
    if exact_figures:
        return exact(n)
    return _rounded(disclosure.disclose_count(n))


def _rounded(figure: Figure | None) -> Figure:
    if figure is None or figure.suppressed or figure.value is None:
        return figure or Figure(None, "not shown", suppressed=True)
    value = round_to_base(int(figure.value), ROUND_BASE)
    return Figure(value, f"{value:,}")


def rate(numerator: int, denominator: int, *, exact_figures: bool, per: int = 100) -> Figure:
    if exact_figures:
        if denominator == 0:
            return Figure(None, "no data", suppressed=True)
        value = (Decimal(numerator) * per / Decimal(denominator)).quantize(Decimal("0.1"))
        return Figure(value, f"{value}")
    limit = disclosure.threshold()
    if 0 < numerator < limit or 0 < denominator < limit:
        return disclosure.disclose_rate(numerator, denominator, per=per)
    # From the rounded counts the viewer is shown: an exact rate beside a rounded count
    # would give the exact count back.
    return disclosure.disclose_rate(
        round_to_base(numerator, ROUND_BASE), round_to_base(denominator, ROUND_BASE), per=per
    )


# --- The page's sections -----------------------------------------------------------------


@dataclass
class Bar:
    label: str
    figure: Figure
    width: str = "0"  # percentage of the widest bar, for the SVG
    y: int = 0
    extra: list = field(default_factory=list)


@dataclass
class Chart:
    key: str
    title: str
    summary: str
    headers: list[str]
    bars: list[Bar]
    total: Figure | None = None
    note: str = ""

    @property
    def height(self) -> int:
        return 28 * len(self.bars) + 4


@dataclass
class TrendPoint:
    month: date
    figure: Figure
    rolling: Figure
    last_year: Figure


@dataclass
class Trend:
    summary: str
    points: list[TrendPoint]
    line: str = ""  # SVG polyline points
    rolling_line: str = ""
    last_year_line: str = ""


@dataclass
class Dashboard:
    filters: Filters
    exact_figures: bool
    refused: str = ""
    total: Figure | None = None
    repeat_rate: Figure | None = None
    resolved_rate: Figure | None = None
    charge_rate: Figure | None = None
    trend: Trend | None = None
    charts: list[Chart] = field(default_factory=list)
    projection: list[list[str]] = field(default_factory=list)
    projection_summary: str = ""
    population_synthetic: bool = False
    population_year: int | None = None


def refusal(filters: Filters) -> str:
    """Why this filtered view is not shown to someone without the analyst role ('' if it is)."""
    active = filters.active()
    if not active:
        return ""
    total = queries.totals(filters).incidents
    limit = disclosure.threshold()
    if total < min_view():
        return (
            "This combination of filters holds too few records to show without risking "
            "identifying someone. Choose a longer period or fewer filters."
        )
    for name in active:
        difference = queries.totals(filters.without(name)).incidents - total
        if 0 < difference < limit:
            return (
                "Comparing this view with the same view without one of its filters would "
                f"reveal a group of fewer than {limit} records. Choose a longer period or "
                "fewer filters."
            )
    return ""


def build(filters: Filters, *, exact_figures: bool, ward_names: dict[int, str]) -> Dashboard:
    board = Dashboard(filters=filters, exact_figures=exact_figures)
    if not exact_figures:
        board.refused = refusal(filters)
        if board.refused:
            return board
    months = queries.monthly(filters)
    period = _sum(months, filters.first, filters.last)
    board.total = shown_count(period.incidents, exact_figures=exact_figures)
    board.repeat_rate = rate(period.repeats, period.incidents, exact_figures=exact_figures)
    board.resolved_rate = rate(period.resolved, period.incidents, exact_figures=exact_figures)
    board.charge_rate = rate(period.charged, period.resolved, exact_figures=exact_figures)
    board.trend = _trend(filters, months, exact_figures)
    board.charts.append(_strands(filters, exact_figures))
    if len(filters.partnerships) == 1:
        board.charts.append(_wards(filters, exact_figures, ward_names))
        board.charts.append(_partners(filters, exact_figures))
    characteristics = queries.by_characteristics(filters)
    population = _population(filters)
    board.population_synthetic = population.synthetic
    board.population_year = population.year
    for vocabulary in VICTIM_CHARACTERISTICS:
        board.charts.append(
            _characteristic(
                vocabulary, characteristics.get(vocabulary.name, {}), population, exact_figures
            )
        )
    _projection(board, period.incidents, filters, population)
    return board


def _sum(months: dict[date, Totals], first: date, last: date) -> Totals:
    chosen = [t for m, t in months.items() if first <= m <= last]
    return Totals(*(sum(getattr(t, f) for t in chosen) for f in queries.MEASURES))


def _change(now: int, before: int) -> str:
    if before == 0 or now < disclosure.threshold() or before < disclosure.threshold():
        return ""
    change = (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("1"))
    if change == 0:
        return "about the same as the same months a year earlier"
    direction = "up" if change > 0 else "down"
    return f"{direction} {abs(change)}% on the same months a year earlier"


def _trend(filters: Filters, months: dict[date, Totals], exact_figures: bool) -> Trend:
    series: list[date] = []
    month = filters.first
    while month <= filters.last:
        series.append(month)
        month = add_months(month, 1)
    counts = {m: months.get(m, Totals()).incidents for m in series}
    cells, total = shown_counts(counts, exact_figures=exact_figures)
    points = []
    for m in series:
        window = [add_months(m, -k) for k in range(ROLLING_MONTHS)]
        rolling_n = sum(months.get(w, Totals()).incidents for w in window)
        rolling = shown_count(rolling_n, exact_figures=exact_figures)
        if rolling.value is not None:
            average = Decimal(rolling.value) / ROLLING_MONTHS
            rolling = Figure(average.quantize(Decimal("0.1")), f"{average:.1f}")
        last = shown_count(
            months.get(add_months(m, -12), Totals()).incidents, exact_figures=exact_figures
        )
        points.append(TrendPoint(m, cells[m], rolling, last))
    now = sum(counts.values())
    before = sum(months.get(add_months(m, -12), Totals()).incidents for m in series)
    change = _change(now, before)
    summary = f"{total.text} incidents from {filters.first:%B %Y} to {filters.last:%B %Y}"
    summary += f", {change}." if change else "."
    trend = Trend(summary, points)
    _lines(trend)
    return trend


def _lines(trend: Trend) -> None:
    """SVG polyline points (x 0-100, y 0-100, top is the largest figure)."""
    values = [
        float(v)
        for p in trend.points
        for v in (p.figure.value, p.rolling.value, p.last_year.value)
        if v is not None
    ]
    top = max(values, default=0) or 1
    count = max(len(trend.points) - 1, 1)

    def line(attribute: str) -> str:
        return " ".join(
            f"{100 * i / count:.1f},{100 - 100 * float(getattr(p, attribute).value) / top:.1f}"
            for i, p in enumerate(trend.points)
            if getattr(p, attribute).value is not None
        )

    trend.line = line("figure")
    trend.rolling_line = line("rolling")
    trend.last_year_line = line("last_year")


def _bars(labelled: list[tuple[str, Figure]]) -> list[Bar]:
    top = max((float(f.value) for _, f in labelled if f.value is not None), default=0) or 1
    bars = []
    for i, (label, figure) in enumerate(labelled):
        width = 0 if figure.value is None else 100 * float(figure.value) / top
        bars.append(Bar(label, figure, f"{width:.1f}", y=28 * i))
    return bars


def _strands(filters: Filters, exact_figures: bool) -> Chart:
    counts = {k: t.incidents for k, t in queries.by(filters, "strand").items()}
    cells, total = shown_counts(counts, exact_figures=exact_figures)
    ordered = sorted(cells.items(), key=lambda kv: -counts[kv[0]])
    summary = ""
    if ordered and counts:
        first_key = ordered[0][0]
        share = rate(counts[first_key], sum(counts.values()), exact_figures=exact_figures)
        if share.value is not None:
            summary = (
                f"{STRAND.label_for(first_key)} is the largest strand: {share.text}% of incidents."
            )
    return Chart(
        "strands",
        "Incidents by VAWG strand",
        summary or "Too few incidents to compare strands.",
        ["Strand", "Incidents"],
        _bars([(STRAND.label_for(k), f) for k, f in ordered]),
        total,
    )


def _wards(filters: Filters, exact_figures: bool, ward_names: dict[int, str]) -> Chart:
    counts = {k: t.incidents for k, t in queries.by(filters, "ward_id").items()}
    cells, total = shown_counts(counts, exact_figures=exact_figures)
    ranked = sorted(counts, key=lambda k: (-counts[k], ward_names.get(k, "")))
    top = ranked[:TOP_WARDS]
    share = rate(sum(counts[k] for k in top), sum(counts.values()), exact_figures=exact_figures)
    if len(ranked) > TOP_WARDS and share.value is not None:
        # Semicolons, since a ward name may hold "and" (Shaftesbury and Queenstown).
        names = "; ".join(ward_names.get(k, "?") for k in top)
        summary = f"These {len(top)} wards hold {share.text}% of incidents: {names}."
    else:
        summary = "Too few incidents, or too few wards, to rank."
    population = _ward_population(filters)
    bars = _bars([(ward_names.get(k, "Unknown ward"), cells[k]) for k in ranked])
    for key, bar in zip(ranked, bars, strict=True):
        people = population.get(key)
        # Someone without the analyst role gets the rate of the rounded count they are shown,
        # so that the rate and a known population cannot give back the exact count.
        shown = counts[key] if exact_figures else (cells[key].value or 0)
        if not people:
            per_1000 = Figure(None, "no population figure", suppressed=True)
        elif cells[key].value is None:
            per_1000 = Figure(None, "not shown", suppressed=True)
        else:
            per_1000 = rate(shown, people, exact_figures=exact_figures, per=1000)
        bar.extra = [per_1000]
    return Chart(
        "wards",
        "Ward hotspots",
        summary,
        ["Ward", "Incidents", "Per 1,000 residents"],
        bars,
        total,
    )


def _partners(filters: Filters, exact_figures: bool) -> Chart:
    counts = {k: t.incidents for k, t in queries.by(filters, "partner_id").items()}
    names = dict(Organisation.objects.filter(pk__in=counts).values_list("id", "name"))
    cells, total = shown_counts(counts, exact_figures=exact_figures)
    ordered = sorted(cells, key=lambda k: names.get(k, ""))
    return Chart(
        "partners",
        "Incidents by partner",
        f"Records from {len(counts)} partner{'s' if len(counts) != 1 else ''}.",
        ["Partner", "Incidents"],
        _bars([(names.get(k, "Unknown"), cells[k]) for k in ordered]),
        total,
    )


@dataclass
class PopulationView:
    year: int | None = None
    synthetic: bool = False
    by: dict[str, dict[str, int]] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)


def _population(filters: Filters) -> PopulationView:
    """Residents by age band, sex and ethnic group, in the year nearest the period's end."""
    qs = Population.objects.filter(partnership_id__in=filters.partnerships)
    if filters.ward:
        qs = qs.filter(ward_id=filters.ward)
    years = {
        row["year"]: int(row["n"]) for row in qs.values("year").annotate(n=Sum("people")).order_by()
    }
    if not years:
        return PopulationView()
    year = min(years, key=lambda y: (abs(y - filters.last.year), y))
    view = PopulationView(year=year, years=years)
    view.synthetic = qs.filter(synthetic=True).exists()
    chosen = qs.filter(year=year)
    for name in ("age_band", "sex", "ethnicity"):
        view.by[name] = {
            row[name]: int(row["n"]) for row in chosen.values(name).annotate(n=Sum("people"))
        }
    return view


def _ward_population(filters: Filters) -> dict[int, int]:
    qs = Population.objects.filter(partnership_id__in=filters.partnerships)
    year = qs.order_by().values_list("year", flat=True).distinct()
    years = sorted(year)
    if not years:
        return {}
    chosen = min(years, key=lambda y: (abs(y - filters.last.year), y))
    return {
        row["ward_id"]: int(row["n"])
        for row in qs.filter(year=chosen).values("ward_id").annotate(n=Sum("people"))
    }


def _characteristic(
    vocabulary, counts: dict[str, int], population: PopulationView, exact_figures: bool
) -> Chart:
    ordered = {code: counts.get(code, 0) for code in vocabulary.values}
    cells, total = shown_counts(ordered, exact_figures=exact_figures)
    people = population.by.get(vocabulary.name, {})
    known_victims = sum(n for code, n in ordered.items() if code != "unknown")
    known_people = sum(n for code, n in people.items() if code != "unknown")
    bars = _bars([(vocabulary.label_for(code), cells[code]) for code in ordered])
    over = []
    for code, bar in zip(ordered, bars, strict=True):
        if not people or code == "unknown" or not known_people or not people.get(code):
            bar.extra = [Figure(None, "no population figure", suppressed=True)]
            continue
        victims_share = rate(ordered[code], known_victims, exact_figures=exact_figures)
        if victims_share.value is None:
            bar.extra = [Figure(None, victims_share.text, suppressed=True)]
            continue
        people_share = Decimal(people[code]) * 100 / Decimal(known_people)
        ratio = (Decimal(victims_share.value) / people_share).quantize(Decimal("0.01"))
        bar.extra = [Figure(ratio, f"{ratio}")]
        if ratio >= Decimal("1.5"):
            over.append(f"{vocabulary.label_for(code)} ({ratio} times their share of residents)")
    if not people:
        summary = f"No population figures by {vocabulary.label.lower()} are loaded."
    elif over:
        summary = "Over-represented among victims: " + "; ".join(over) + "."
    else:
        summary = "No group is more than 1.5 times its share of residents."
    return Chart(
        vocabulary.name,
        f"Victims by {vocabulary.label.lower()}",
        summary,
        [vocabulary.label, "Incidents", "Representation ratio"],
        bars,
        total,
        note="A ratio above 1 means the group is a larger share of victims than of residents.",
    )


def _projection(board: Dashboard, incidents: int, filters: Filters, population: PopulationView):
    """Demand if today's rate per resident holds as the population grows."""
    months = (
        (filters.last.year - filters.first.year) * 12 + filters.last.month - filters.first.month + 1
    )
    if not population.years or population.year is None or incidents == 0:
        board.projection_summary = "No population projection is loaded."
        return
    annual = Decimal(incidents) * 12 / months
    base_people = population.years[population.year]
    for year in sorted(y for y in population.years if y > population.year):
        growth = Decimal(population.years[year]) / Decimal(base_people)
        expected = int((annual * growth).quantize(Decimal("1")))
        shown = shown_count(expected, exact_figures=board.exact_figures)
        board.projection.append(
            [str(year), f"{population.years[year]:,}", f"{(growth - 1) * 100:+.1f}%", shown.text]
        )
    if board.projection:
        last = board.projection[-1]
        board.projection_summary = (
            f"If the rate per resident stays as it is, population change of {last[2]} by "
            f"{last[0]} means about {last[3]} incidents a year."
        )
    else:
        board.projection_summary = "No population projection beyond the period is loaded."


def ward_names(partnership_ids) -> dict[int, str]:
    return dict(Ward.objects.filter(partnership_id__in=partnership_ids).values_list("id", "name"))


@dataclass
class RegionRow:
    partnership: Partnership
    incidents: Figure
    repeat_rate: Figure
    charge_rate: Figure


def region_rows(filters: Filters, partnerships: list[Partnership]) -> list[RegionRow]:
    """One row per partnership of the region, always disclosure-controlled."""
    by_partnership = queries.by(filters, "partnership_id")
    counts = {p.pk: by_partnership.get(p.pk, Totals()).incidents for p in partnerships}
    cells, _ = shown_counts(counts, exact_figures=False)
    rows = []
    for p in partnerships:
        t = by_partnership.get(p.pk, Totals())
        rows.append(
            RegionRow(
                p,
                cells[p.pk],
                rate(t.repeats, t.incidents, exact_figures=False),
                rate(t.charged, t.resolved, exact_figures=False),
            )
        )
    return rows
