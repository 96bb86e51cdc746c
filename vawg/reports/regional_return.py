"""The regional return: one workbook per partnership and reporting year, or one for a whole
region with a Partnership column on every sheet. The layout is docs/regional-return.md.

Every figure about people is shown at the controlled level of core.disclosure (the regional
authority does not hold the analyst's permission): a count below the threshold is written
in words ("fewer than 5"), never as a number, and every rate is worked from the counts as
shown. Counts of actions and meetings are about no one and are written as they are. The
domain apps are read only through their selectors (and MARAC's statistics, which its own
page and downloads use), so the return says what their pages say.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from vawg.core import disclosure
from vawg.core.csvsafe import safe_cell
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.permissions import Role
from vawg.delivery import selectors as delivery
from vawg.exchange.exporting import Contents, marking_for
from vawg.insight import selectors as insight
from vawg.insight.standard import STRAND
from vawg.marac import statistics as marac
from vawg.measures import selectors as measures
from vawg.reports.periods import quarter_period
from vawg.reports.spec import Period, Progress, Reader, ReportSpec

MARKING = marking_for(Contents.CONTROLLED_FIGURES).classification
# The measures a regional reader sees: those every member of the partnership may read
# (public and partnership indicators), never the restricted ones.
MEASURE_ROLES = frozenset({Role.BOARD_MEMBER})
MARAC_FIGURES = ("meetings", "cases", "repeat_rate", "children", "cases_per_10000")

DISCLOSURE_NOTE = (
    "Figures about people are shown at the controlled level: a count below {threshold} is "
    "written as “{small}”, other counts are rounded to a multiple of {base} by the cell key "
    "method, and rates are worked from the rounded counts (“not shown” where a part is hidden). "
    "Counts of actions and meetings are not about people and are exact."
)


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


SHEETS = ("About", "Delivery", "Measures", "Incidents", "MARAC")
HEADERS = {
    "About": ["Item", "Detail"],
    "Delivery": ["Partnership", "Plan", "Priority", "Status", "Actions"],
    "Measures": [
        "Partnership",
        "Priority",
        "Indicator",
        "Unit",
        "Baseline",
        "Baseline period",
        "Target",
        "Latest value",
        "Latest period",
        "Status",
    ],
    "Incidents": ["Partnership", "Quarter", "Strand", "Incidents", "Repeat incidents"],
    "MARAC": [
        "Partnership",
        "Period",
        "Meetings held",
        "Cases discussed",
        "Repeat cases (%)",
        "Children in the households",
        "Cases per 10,000 women aged 16+ (12 months)",
    ],
}


def shown(figure: disclosure.Figure):
    """A figure as its cell holds it: the number when shown, else its words."""
    return figure.value if figure.shown else figure.text


def quarters(partnership: Partnership, year: Period) -> list[Period]:
    return [quarter_period(partnership, year.start, q) for q in range(1, 5)]


# --- The sheets, each for one partnership -------------------------------------------------


def delivery_rows(partnership: Partnership, year: Period) -> list[list]:
    """Actions by priority and status in the year's last quarter (approved updates only)."""
    period = ReportingPeriod.objects.filter(partnership=partnership).containing(year.end).first()
    if period is None:
        return []
    rows = []
    for strategy in delivery.strategies_for(partnership=partnership):
        board = delivery.dashboard(
            partnership=partnership,
            strategy=strategy,
            period=period,
            filters=delivery.Filters(),
            today=year.end,
        )
        for counts in board.distribution:
            priority = counts.priority
            name = f"{priority.code} – {priority.title}" if priority.code else priority.title
            for _status, label, n in counts.counts:
                rows.append([partnership.name, strategy.title, name, label, n])
    return rows


def measure_rows(partnership: Partnership, year: Period, today: date) -> list[list]:
    # As it stood at the year's end: values of later periods are left out.
    card = measures.scorecard_at(
        partnership=partnership,
        roles=MEASURE_ROLES,
        audience=disclosure.CONTROLLED,
        until=year.end,
        today=today,
    )
    headers, table = measures.scorecard_table(card)
    wanted = [
        "Priority",
        "Indicator",
        "Unit",
        "Baseline",
        "Baseline period",
        "Target",
        "Latest value",
        "Latest period",
        "Status",
    ]
    index = [headers.index(name) for name in wanted]
    return [[partnership.name, *(row[i] for i in index)] for row in table]


def incident_rows(partnership: Partnership, year: Period) -> list[list]:
    rows = []
    for quarter in quarters(partnership, year):
        cells = insight.strand_tallies(
            partnership=partnership, first=quarter.start, last=quarter.end
        )
        for code, label in STRAND.codes:
            if code not in cells:
                continue
            counts = disclosure.counts(cells[code], disclosure.CONTROLLED)
            rows.append(
                [
                    partnership.name,
                    quarter.label,
                    label,
                    shown(counts["incidents"]),
                    shown(counts["repeats"]),
                ]
            )
    return rows


def marac_rows(partnership: Partnership, year: Period) -> list[list]:
    rows = []
    for period in [*quarters(partnership, year), year]:
        _, figures = marac.statistics_for(partnership, period, audience=disclosure.CONTROLLED)
        by_key = {row.key: row.local for row in figures}
        rows.append(
            [
                partnership.name,
                period.label,
                *(
                    shown(by_key[key]) if key in by_key else disclosure.NO_DATA
                    for key in MARAC_FIGURES
                ),
            ]
        )
    return rows


# --- The workbook -----------------------------------------------------------------------


def _about(partnerships: Sequence[Partnership], spec: ReportSpec, made_at) -> Sheet:
    year = spec.period
    scope = spec.region.name if spec.region else partnerships[0].name
    rows = [
        ["Return", f"VAWG regional return: {scope}"],
        ["Partnerships", "; ".join(p.name for p in partnerships)],
        ["Region", (spec.region or partnerships[0].region).name],
        ["Reporting year", f"{year.label} ({year.start:%-d %B %Y} to {year.end:%-d %B %Y})"],
        ["Made at", timezone.localtime(made_at).strftime("%-d %B %Y %H:%M")],
        ["Reader", dict(Reader.CHOICES).get(spec.audience, spec.audience)],
        [
            "Disclosure control",
            DISCLOSURE_NOTE.format(
                threshold=disclosure.threshold(),
                small=disclosure.small_text(),
                base=disclosure.rounding_base(),
            ),
        ],
        ["Marking", MARKING],
        ["Sheets", "; ".join(SHEETS[1:])],
        ["Layout", "Each sheet's columns are defined in the platform's regional return guide."],
    ]
    return Sheet("About", HEADERS["About"], rows)


def _cell(value):
    """A cell that a spreadsheet will not run as a formula (core.csvsafe)."""
    if value is None or isinstance(value, bool):
        return safe_cell(value)
    if isinstance(value, int | float | date) or hasattr(value, "as_tuple"):
        return value
    return safe_cell(value)


def workbook(sheets: Iterable[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(sheet.title)
        # The marking travels on every printed page too.
        page.oddHeader.center.text = MARKING
        page.oddFooter.center.text = MARKING
        page.append(sheet.headers)
        for cell in page[1]:
            cell.font = bold
        page.freeze_panes = "A2"
        for row in sheet.rows:
            page.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make(spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
    """The return for `spec.partnership`, or for every partnership of `spec.region`."""
    if fmt != "xlsx":
        raise ValueError(f"The regional return is made as xlsx, not {fmt}.")
    if spec.period.is_quarter:
        raise ValueError("The regional return is for a whole reporting year.")
    if spec.partnership is not None:
        partnerships = [spec.partnership]
    else:
        partnerships = list(spec.region.partnerships.order_by("name"))
    made_at = timezone.now()
    today = timezone.localdate()
    sheets = {name: Sheet(name, HEADERS[name]) for name in SHEETS[1:]}
    steps = [
        ("Delivery", delivery_rows),
        ("Measures", lambda p, y: measure_rows(p, y, today)),
        ("Incidents", incident_rows),
        ("MARAC", marac_rows),
    ]
    total = max(1, len(partnerships) * len(steps))
    done = 0
    for partnership in partnerships:
        # Each partnership's own year: the region's partnerships may start theirs apart.
        year = _own_year(partnership, spec.period)
        for name, rows in steps:
            progress(done * 90 // total, f"{partnership.name}: {name.lower()}")
            sheets[name].rows.extend(rows(partnership, year))
            done += 1
    progress(95, "Writing the workbook")
    return workbook([_about(partnerships, spec, made_at), *sheets.values()])


def _own_year(partnership: Partnership, period: Period) -> Period:
    """The year `period` names, in the partnership's own reporting year."""
    if period.start.month == partnership.reporting_year_start_month:
        return period
    start = date(period.start.year, partnership.reporting_year_start_month, 1)
    end = date(start.year + 1, start.month, 1) - timedelta(days=1)
    return Period(period.label, start, end)
