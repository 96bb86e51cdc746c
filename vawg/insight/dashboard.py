"""The dashboard as a person may see it: figures from queries.py through disclosure control.

Every figure goes through core.disclosure for the viewer's audience: exact for the
analyst; for everyone else controlled (small counts "fewer than 5", the rest rounded by
their cell keys, so a cell reads the same in every view, export and roll-up). Everything
worked from a count (rates, shares, ratios, the trend's average, the year-on-year change,
the projection, bars and the order they are ranked in) is worked from the figures shown.
A controlled view whose incidents are too few to show is answered with a plain message
(docs/disclosure-control.md, docs/insight.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from vawg.core import disclosure
from vawg.core.disclosure import Audience, Figure, Tally
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.periods import add_months
from vawg.insight import queries
from vawg.insight.models import Population
from vawg.insight.queries import Filters, Totals
from vawg.insight.standard import STRAND, VICTIM_CHARACTERISTICS

# What a dashboard's tables are called (their downloads' names).
CHARTS = frozenset(
    {
        "trend",
        "projection",
        "strands",
        "wards",
        "partners",
        *(v.name for v in VICTIM_CHARACTERISTICS),
    }
)
TOP_WARDS = 3
ROLLING_MONTHS = 3
REFUSED = (
    "This combination of filters holds too few records to show without risking "
    "identifying someone. Choose a longer period or fewer filters."
)


def _ranked(cells: Mapping, label) -> list:
    """Keys largest shown figure first (by label among equals), hidden figures last: the
    order says no more than the figures do."""
    return sorted(
        cells, key=lambda k: (cells[k].value is None, -(cells[k].value or 0), str(label(k)))
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
    partial: bool = False  # the month is still under way: its records are not all in


@dataclass
class Tick:
    """An axis label at its place in the trend chart's drawing (see TREND_BOX)."""

    x: float
    y: float
    text: str


@dataclass
class Trend:
    summary: str
    points: list[TrendPoint]
    line: str = ""  # SVG polyline points
    rolling_line: str = ""
    last_year_line: str = ""
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    partial_x: float | None = None  # where the part-finished month is drawn, if shown

    @property
    def has_partial(self) -> bool:
        return any(p.partial for p in self.points)


@dataclass
class Dashboard:
    filters: Filters
    audience: Audience
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

    @property
    def exact_figures(self) -> bool:
        return self.audience.exact


def build(
    filters: Filters,
    *,
    audience: Audience,
    ward_names: dict[int, str],
    today: date | None = None,
) -> Dashboard:
    """The dashboard for `filters`; `today` marks the month still under way, if shown."""
    board = Dashboard(filters=filters, audience=audience)
    months = queries.monthly(filters)
    period = _sum(months, filters.first, filters.last)
    board.total = disclosure.count(period.tally("incidents"), audience)
    if board.total.value is None:
        # Too few to show: a plain message, not a page of hidden cells. It says no more
        # than the total itself would ("fewer than 5").
        board.refused = REFUSED
        return board
    shown = {m: disclosure.count(period.tally(m), audience) for m in queries.MEASURES}
    board.repeat_rate = disclosure.rate(shown["repeats"], shown["incidents"])
    board.resolved_rate = disclosure.rate(shown["resolved"], shown["incidents"])
    board.charge_rate = disclosure.rate(shown["charged"], shown["resolved"])
    board.trend = _trend(filters, months, audience, board.total, today)
    board.charts.append(_strands(filters, audience))
    if len(filters.partnerships) == 1:
        board.charts.append(_wards(filters, audience, ward_names))
        board.charts.append(_partners(filters, audience))
    characteristics = queries.by_characteristics(filters)
    population = _population(filters)
    board.population_synthetic = population.synthetic
    board.population_year = population.year
    for vocabulary in VICTIM_CHARACTERISTICS:
        board.charts.append(
            _characteristic(
                vocabulary, characteristics.get(vocabulary.name, {}), population, audience
            )
        )
    _projection(board, filters, population)
    return board


def _sum(months: dict[date, Totals], first: date, last: date) -> Totals:
    return sum((t for m, t in months.items() if first <= m <= last), Totals())


def _trend(
    filters: Filters,
    months: dict[date, Totals],
    audience: Audience,
    total: Figure,
    today: date | None = None,
) -> Trend:
    series: list[date] = []
    month = filters.first
    while month <= filters.last:
        series.append(month)
        month = add_months(month, 1)

    def shown(chosen: list[date]) -> Figure:
        tally = sum((months.get(m, Totals()) for m in chosen), Totals()).tally("incidents")
        return disclosure.count(tally, audience)

    points = []
    for m in series:
        window = shown([add_months(m, -k) for k in range(ROLLING_MONTHS)])
        rolling = disclosure.scaled(window, Decimal(1) / ROLLING_MONTHS, places=1)
        partial = today is not None and m == today.replace(day=1)
        points.append(
            TrendPoint(m, shown([m]), rolling, shown([add_months(m, -12)]), partial=partial)
        )
    before = shown([add_months(m, -12) for m in series])
    change = disclosure.change_words(total, before, since="the same months a year earlier")
    summary = f"{total.text} incidents from {filters.first:%B %Y} to {filters.last:%B %Y}"
    summary += f", {change}." if change else "."
    if any(p.partial for p in points):
        summary += f" {today:%B %Y} is not yet over, so its figures are incomplete."
    trend = Trend(summary, points)
    _lines(trend)
    return trend


def _lines(trend: Trend) -> None:
    """SVG polyline points (x 0-100, y 0-100, top is the largest figure shown); a hidden
    figure has no point."""
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
    _axes(trend, top, count)


# The trend chart's drawing: the plot (x and y 0-100, as the lines are) sits inside a box of
# TREND_BOX units with room at the left and bottom for the axes' labels.
TREND_BOX = (640, 260)
TREND_PLOT = (72, 16, 552, 180)  # left, top, width, height


def _axes(trend: Trend, top: float, count: int) -> None:
    """Labels for both axes: the number of incidents at the foot, middle and top of the
    plot, and the months along the bottom (every one when there are few, else spaced)."""
    left, upper, width, height = TREND_PLOT
    for share in (0, 0.5, 1):
        y = upper + height * (1 - share) + 4
        trend.y_ticks.append(Tick(left - 8, y, f"{top * share:,.0f}"))
    step = max(1, -(-len(trend.points) // 12))
    for i, point in enumerate(trend.points):
        x = left + width * i / count
        if i % step == 0 or point.partial:
            text = f"{point.month:%b %y}" + (" (part)" if point.partial else "")
            trend.x_ticks.append(Tick(x, upper + height + 18, text))
        if point.partial:
            trend.partial_x = x


def _bars(labelled: list[tuple[str, Figure]]) -> list[Bar]:
    """Bars scaled to the largest figure shown; a hidden figure draws none."""
    top = max((float(f.value) for _, f in labelled if f.value is not None), default=0) or 1
    bars = []
    for i, (label, figure) in enumerate(labelled):
        width = 0 if figure.value is None else 100 * float(figure.value) / top
        bars.append(Bar(label, figure, f"{width:.1f}", y=28 * i))
    return bars


def _tallies(totals: dict) -> dict:
    return {k: t.tally("incidents") for k, t in totals.items()}


def _strands(filters: Filters, audience: Audience) -> Chart:
    tallies = _tallies(queries.by(filters, "strand"))
    cells = disclosure.counts(tallies, audience)
    total = disclosure.count(sum(tallies.values(), Tally(0)), audience)
    ordered = _ranked(cells, STRAND.label_for)
    summary = "Too few incidents to compare strands."
    if ordered:
        share = disclosure.rate(cells[ordered[0]], total)
        if share.value is not None:
            label = STRAND.label_for(ordered[0])
            summary = f"{label} is the largest strand: {share.text}% of incidents."
    return Chart(
        "strands",
        "Incidents by VAWG strand",
        summary,
        ["Strand", "Incidents"],
        _bars([(STRAND.label_for(k), cells[k]) for k in ordered]),
        total,
    )


def _wards(filters: Filters, audience: Audience, ward_names: dict[int, str]) -> Chart:
    tallies = _tallies(queries.by(filters, "ward_id"))
    cells = disclosure.counts(tallies, audience)
    total = disclosure.count(sum(tallies.values(), Tally(0)), audience)
    ranked = _ranked(cells, lambda k: ward_names.get(k, ""))
    top = ranked[:TOP_WARDS]
    share = disclosure.rate(disclosure.total(cells[k] for k in top), total)
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
        # Residents are public; the rate is worked from the incidents shown.
        per_1000 = disclosure.rate(cells[key], people, per=1000) if people else None
        bar.extra = [per_1000 or disclosure.missing("no population figure")]
    return Chart(
        "wards",
        "Ward hotspots",
        summary,
        ["Ward", "Incidents", "Per 1,000 residents"],
        bars,
        total,
    )


def _partners(filters: Filters, audience: Audience) -> Chart:
    tallies = _tallies(queries.by(filters, "partner_id"))
    names = dict(Organisation.objects.filter(pk__in=tallies).values_list("id", "name"))
    cells = disclosure.counts(tallies, audience)
    total = disclosure.count(sum(tallies.values(), Tally(0)), audience)
    ordered = sorted(cells, key=lambda k: names.get(k, ""))
    return Chart(
        "partners",
        "Incidents by partner",
        f"Records from {len(tallies)} partner{'s' if len(tallies) != 1 else ''}.",
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


RATIO_OVER = Decimal("1.5")


def _characteristic(
    vocabulary, tallies: dict[str, Tally], population: PopulationView, audience: Audience
) -> Chart:
    ordered = {code: tallies.get(code, Tally(0)) for code in vocabulary.values}
    cells = disclosure.counts(ordered, audience)
    total = disclosure.count(sum(ordered.values(), Tally(0)), audience)
    # Victims whose group is known: a count of its own, shown by the same rule.
    known = disclosure.count(
        sum((t for code, t in ordered.items() if code != "unknown"), Tally(0)), audience
    )
    people = population.by.get(vocabulary.name, {})
    known_people = sum(n for code, n in people.items() if code != "unknown")
    bars = _bars([(vocabulary.label_for(code), cells[code]) for code in ordered])
    over = []
    for code, bar in zip(ordered, bars, strict=True):
        if not people or code == "unknown" or not known_people or not people.get(code):
            bar.extra = [disclosure.missing("no population figure")]
            continue
        # Victims' share (from the figures shown) over the group's share of residents.
        people_share = Decimal(people[code]) * 100 / Decimal(known_people)
        ratio = disclosure.ratio(disclosure.rate(cells[code], known), people_share)
        bar.extra = [ratio]
        if ratio.value is not None and ratio.value >= RATIO_OVER:
            over.append(
                f"{vocabulary.label_for(code)} ({ratio.text} times their share of residents)"
            )
    if not people:
        summary = f"No population figures by {vocabulary.label.lower()} are loaded."
    elif over:
        summary = "Over-represented among victims: " + "; ".join(over) + "."
    else:
        summary = f"No group is more than {RATIO_OVER} times its share of residents."
    return Chart(
        vocabulary.name,
        f"Victims by {vocabulary.label.lower()}",
        summary,
        [vocabulary.label, "Incidents", "Representation ratio"],
        bars,
        total,
        note="A ratio above 1 means the group is a larger share of victims than of residents.",
    )


def _projection(board: Dashboard, filters: Filters, population: PopulationView):
    """Demand if today's rate per resident holds as the population grows, worked from
    the incidents shown."""
    months = (
        (filters.last.year - filters.first.year) * 12 + filters.last.month - filters.first.month + 1
    )
    if not population.years or population.year is None or not board.total.value:
        board.projection_summary = "No population projection is loaded."
        return
    base_people = population.years[population.year]
    for year in sorted(y for y in population.years if y > population.year):
        growth = Decimal(population.years[year]) / Decimal(base_people)
        expected = disclosure.scaled(board.total, Decimal(12) / months * growth)
        board.projection.append(
            [str(year), f"{population.years[year]:,}", f"{(growth - 1) * 100:+.1f}%", expected.text]
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
    """One row per partnership of the region, at the controlled level: each borough's
    figures are the ones its own board sees for the same filters."""
    by_partnership = queries.by(filters, "partnership_id")
    rows = []
    for p in partnerships:
        t = by_partnership.get(p.pk, Totals())
        shown = {m: disclosure.count(t.tally(m), disclosure.CONTROLLED) for m in queries.MEASURES}
        rows.append(
            RegionRow(
                p,
                shown["incidents"],
                disclosure.rate(shown["repeats"], shown["incidents"]),
                disclosure.rate(shown["charged"], shown["resolved"]),
            )
        )
    return rows
