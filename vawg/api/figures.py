"""The partner API: figures (routes added to vawg.api.api).

Measures of success, the local insight picture and the MARAC's statistics, for the
token's own partnership, every figure about people at the controlled level of
vawg.core.disclosure: what the board sees, never the exact count. The figures come
from each app's selectors exactly as the board pack reads them (vawg.reports.content):
the measures a board member may see (restricted ones stay out), the insight headlines,
and the MARAC statistics with SafeLives' national figures. No case, no reference and no
identity leaves through these operations.
"""

import re
from datetime import date, timedelta
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router
from pydantic import BeforeValidator

from vawg.api import periods
from vawg.api.auth import TokenAuth
from vawg.api.figures_schemas import (
    BaselineOut,
    FigureOut,
    InsightSummaryOut,
    LatestOut,
    MaracFigureOut,
    MaracStatisticsOut,
    MeasureDetailOut,
    MeasureOut,
    MeasurePage,
    MeasureValueOut,
    MonthOut,
    RateOut,
    StatusOut,
    StrandOut,
    TargetOut,
    WardOut,
    number,
)
from vawg.api.periods import period_asked
from vawg.api.problems import ApiProblem, Problem
from vawg.api.respond import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, conditional, page_of
from vawg.api.scopes import Scope
from vawg.core import disclosure
from vawg.core.models import Partnership
from vawg.core.periods import add_months, current_period
from vawg.core.permissions import Role
from vawg.delivery import selectors as delivery
from vawg.insight import selectors as insight
from vawg.insight.standard import STRAND
from vawg.marac import selectors as marac
from vawg.measures import selectors as measures

router = Router()

# Every figure leaves at the controlled level: what the board sees.
AUDIENCE = disclosure.Audience(disclosure.Level.CONTROLLED)
# The roles whose view of the measures a partner shares: the board's (reports.content).
BOARD_ROLES = frozenset({Role.BOARD_MEMBER})
READ = TokenAuth(Scope.READ_FIGURES)

EARLIEST_YEAR = 2000
MOST_MONTHS = 60
LARGEST_ID = 2**31 - 1
PER = {"percentage": 100, "rate_per_1000": 1000, "rate_per_10000": 10000}
MARAC_PER = {"%": 100, "per 10,000": 10000}
# What the schema accepts; the rules only the platform knows (a reporting year's two
# halves, how far back figures go) are checked below, with a 422 naming the field.
MONTH_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def _iso_date(value):
    """A day written as YYYY-MM-DD, and nothing else a date could be read from."""
    if isinstance(value, str) and not re.match(DATE_PATTERN, value):
        raise ValueError("Write a day as YYYY-MM-DD, such as 2026-03-31.")
    return value


Day = Annotated[date, BeforeValidator(_iso_date)]


def today() -> date:
    """The day the figures are for (tests set it)."""
    return timezone.localdate()


# --- Reading what was asked ------------------------------------------------------------


def _refuse(field: str, reason: str) -> ApiProblem:
    return ApiProblem(422, "Some of what was sent is missing or not valid.", {field: reason})


def _month(text: str, field: str) -> date:
    match = _MONTH.match(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise _refuse(field, f"“{text}” is not a month: write it as YYYY-MM, such as 2026-03.")
    if int(match[1]) < EARLIEST_YEAR:
        raise _refuse(field, f"No figures are held before {EARLIEST_YEAR}.")
    return date(int(match[1]), int(match[2]), 1)


def months_asked(first_text: str | None, last_text: str | None) -> tuple[date, date]:
    """The first days of the first and last months asked for: by default the last 12
    complete months; `to` alone ends there, `from` alone runs to the last complete month."""
    this_month = today().replace(day=1)
    first = _month(first_text, "from") if first_text else None
    last = _month(last_text, "to") if last_text else None
    if first is not None and first > this_month:
        raise _refuse("from", f"That month has not begun: the latest is {this_month:%Y-%m}.")
    if last is None:
        last = max(add_months(this_month, -1), first) if first else add_months(this_month, -1)
    if last > this_month:
        raise _refuse("to", f"That month has not begun: the latest is {this_month:%Y-%m}.")
    if first is None:
        first = add_months(last, -11)
    if first > last:
        raise _refuse("from", f"The first month is after the last ({last:%Y-%m}).")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MOST_MONTHS:
        raise _refuse("from", f"Ask for at most {MOST_MONTHS} months at a time, not {months}.")
    return first, last


def _month_end(first_day: date) -> date:
    return add_months(first_day, 1) - timedelta(days=1)


# --- Measures of success -----------------------------------------------------------------


def _value_out(unit: str, value, text: str) -> FigureOut | RateOut:
    """A measure's value as shown: a count of people, or a rate worked from counts shown."""
    if unit in PER:
        return RateOut(text=text, value=number(value), per=PER[unit])
    shown = number(value)
    return FigureOut(text=text, value=None if shown is None else round(shown))


def _under_way(end: date, value) -> bool:
    """Whether a value's period is still under way (a live figure always is)."""
    return bool(getattr(value, "live", False)) or end >= today()


def _measure_fields(summary, since: date | None) -> dict:
    indicator = summary.indicator
    latest = None
    if summary.latest is not None and (since is None or summary.latest.period.end >= since):
        latest = LatestOut(
            figure=_value_out(indicator.unit, summary.shown.value, summary.shown.text),
            period=summary.latest.period.label,
            part_finished=_under_way(summary.latest.period.end, summary.latest),
        )
    baseline = None
    if indicator.baseline_value is not None:
        baseline = BaselineOut(
            value=number(indicator.baseline_value),
            text=measures.baseline_shown(indicator),
            period=indicator.baseline_period.label if indicator.baseline_period else None,
        )
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "direction_label": indicator.get_direction_display() or "Not set",
        "owner": indicator.owner.name if indicator.owner else None,
        "baseline": baseline,
        "targets": [
            TargetOut(year=t.year, kind=t.kind, amount=number(t.amount), upper=number(t.upper))
            for t in sorted(indicator.targets.all(), key=lambda t: t.year)
        ],
        "target_text": summary.target_shown,
        "latest": latest,
        "status": StatusOut(
            code=summary.status,
            label=summary.assessment.label,
            reason=summary.assessment.reason,
        ),
    }


def _summaries(
    partnership: Partnership, period: str | None, since: date | None, until: date | None
) -> list:
    """Each measure a board member may see, as it stood at the end of `period` or on
    `until` (else today), at the controlled level; each once, by name."""
    day = today()
    # By default, every period begun: a value entered for the quarter under way counts.
    under_way = current_period(partnership, day)
    cutoff = under_way.end if under_way is not None else day
    if period:
        cutoff = period_asked(partnership, period).end
        if until is not None:
            cutoff = min(cutoff, until)
    elif until is not None:
        cutoff = until
    if since is not None and since > cutoff:
        raise _refuse("since", f"“since” is after the end of what was asked ({cutoff}).")
    card = measures.scorecard_at(
        partnership=partnership, roles=BOARD_ROLES, audience=AUDIENCE, until=cutoff, today=day
    )
    seen: dict[int, object] = {}
    for group in card.groups:
        for summary in group.summaries:
            seen.setdefault(summary.indicator.pk, summary)
    return sorted(seen.values(), key=lambda s: (s.indicator.name, s.indicator.pk))


PERIOD_QUERY = Query(
    None,
    max_length=40,
    pattern=periods.PATTERN,
    description="A reporting period, such as “2026/27 Q2” or “2026/27”: figures as they stood "
    "at its end.",
)
SINCE_QUERY = Query(
    None, description="YYYY-MM-DD: leave out values for periods that ended before this day."
)
UNTIL_QUERY = Query(
    None, description="YYYY-MM-DD: leave out values for periods that end after this day."
)


@router.get(
    "/measures",
    response={200: MeasurePage, 304: None},
    auth=READ,
    summary="The measures of success: latest values as shown, targets and status",
)
def measure_list(
    request: HttpRequest,
    period: str | None = PERIOD_QUERY,
    since: Day | None = SINCE_QUERY,
    until: Day | None = UNTIL_QUERY,
    page: int = Query(1, ge=1, le=10000),
    page_size: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    """The partnership's measures of success that partners may see, by name: each with
    its baseline, targets, latest value as the board sees it (counts below the threshold
    read "fewer than 5", others rounded) and its status against the target."""
    partnership = request.auth.partnership
    summaries = _summaries(partnership, period, since, until)
    items, paging = page_of(request, summaries, page=page, page_size=page_size)
    return conditional(
        request,
        MeasurePage(**paging, items=[MeasureOut(**_measure_fields(s, since)) for s in items]),
    )


@router.get(
    "/measures/{measure_id}",
    response={200: MeasureDetailOut, 304: None, 404: Problem},
    auth=READ,
    summary="One measure of success: its values by period as shown, targets and status",
)
def measure_detail(
    request: HttpRequest,
    measure_id: int = Path(..., ge=1, le=LARGEST_ID),
    period: str | None = PERIOD_QUERY,
    since: Day | None = SINCE_QUERY,
    until: Day | None = UNTIL_QUERY,
):
    """One measure of success, with every period's value as the board sees it (oldest
    first; a period still under way is marked part-finished), the target trajectory, the
    changes since the previous period and a year earlier, and its status."""
    partnership = request.auth.partnership
    found = next(
        (s for s in _summaries(partnership, period, since, until) if s.indicator.pk == measure_id),
        None,
    )
    if found is None:
        raise ApiProblem(404, "There is no such measure in this token's partnership.")
    unit = found.indicator.unit
    values = [
        MeasureValueOut(
            period=point.label,
            period_end=point.end,
            figure=_value_out(unit, point.value, point.shown),
            part_finished=point.live or point.end >= today(),
            target_trajectory=number(point.expected),
        )
        for point in found.points
        if since is None or point.end >= since
    ]
    return conditional(
        request,
        MeasureDetailOut(
            **_measure_fields(found, since),
            since_previous=found.since_previous.text,
            since_last_year=found.since_last_year.text,
            values=values,
        ),
    )


# --- Local insight ------------------------------------------------------------------------


MONTH_DESCRIPTION = "A month as YYYY-MM. By default the last 12 complete months."


@router.get(
    "/insight/summary",
    response={200: InsightSummaryOut, 304: None},
    auth=READ,
    summary="The local picture: incidents by month, repeats, ward hotspots and strands",
)
def insight_summary(
    request: HttpRequest,
    first: str | None = Query(
        None, alias="from", pattern=MONTH_PATTERN, description=MONTH_DESCRIPTION
    ),
    last: str | None = Query(
        None, alias="to", pattern=MONTH_PATTERN, description=MONTH_DESCRIPTION
    ),
):
    """Partners' incidents for the months asked for, as the board sees them: by month
    beside the same month a year earlier (a month still under way is marked
    part-finished), the repeat victimisation rate, every ward most incidents first with
    its rate per 1,000 residents, and each VAWG strand. When the incidents are too few to
    show without risking identifying someone, only the total is given, in words."""
    partnership = request.auth.partnership
    start, end = months_asked(first, last)
    found = insight.headlines(
        partnership=partnership, first=start, last=end, audience=AUDIENCE, today=today()
    )
    board = found.board
    answer = {
        "from_month": f"{start:%Y-%m}",
        "to_month": f"{end:%Y-%m}",
        "incidents": FigureOut.of(board.total),
    }
    if board.refused or board.trend is None:
        return conditional(
            request,
            InsightSummaryOut(
                **answer,
                refused=board.refused or "No partner data is held for these months.",
                trend="",
                months=[],
                repeat_victimisation_rate=None,
                hotspots="",
                wards=[],
                strands=[],
            ),
        )
    wards = found.chart.get("wards")
    strands = insight.strand_tallies(partnership=partnership, first=start, last=end)
    order = {code: n for n, code in enumerate(STRAND.values)}
    return conditional(
        request,
        InsightSummaryOut(
            **answer,
            refused=None,
            trend=board.trend.summary,
            months=[
                MonthOut(
                    month=f"{point.month:%Y-%m}",
                    incidents=FigureOut.of(point.figure),
                    a_year_earlier=FigureOut.of(point.last_year),
                    part_finished=point.partial,
                )
                for point in board.trend.points
            ],
            repeat_victimisation_rate=RateOut.of(board.repeat_rate, 100),
            hotspots=wards.summary if wards else "",
            wards=[
                WardOut(
                    ward=bar.label,
                    incidents=FigureOut.of(bar.figure),
                    per_1000_residents=RateOut.of(bar.extra[0], 1000),
                )
                for bar in (wards.bars if wards else [])
            ],
            strands=[
                StrandOut(
                    strand=code,
                    label=STRAND.label_for(code),
                    incidents=FigureOut.of(disclosure.count(tallied["incidents"], AUDIENCE)),
                    repeat_incidents=FigureOut.of(disclosure.count(tallied["repeats"], AUDIENCE)),
                )
                for code, tallied in sorted(
                    strands.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
                )
            ],
        ),
    )


# --- MARAC ----------------------------------------------------------------------------------


@router.get(
    "/marac/statistics",
    response={200: MaracStatisticsOut, 304: None},
    auth=READ,
    summary="The MARAC's statistics for a period, beside SafeLives' national figures",
)
def marac_statistics(
    request: HttpRequest,
    period: str | None = Query(
        None,
        max_length=40,
        pattern=periods.PATTERN,
        description="A quarter (“2026/27 Q2”) or reporting year (“2026/27”). By default the "
        "last finished quarter.",
    ),
    first: str | None = Query(None, alias="from", pattern=MONTH_PATTERN, description="YYYY-MM"),
    last: str | None = Query(None, alias="to", pattern=MONTH_PATTERN, description="YYYY-MM"),
):
    """The SafeLives statistics for the MARAC meetings held in the period, as the board
    sees them, each beside the national figure: statistics only, never a case."""
    partnership = request.auth.partnership
    if period and (first or last):
        raise _refuse("period", "Give a period, or “from” and “to”, not both.")
    finished = delivery.last_finished_quarter(partnership=partnership, today=today())
    if period:
        asked = period_asked(partnership, period)
        start, end = asked.start, asked.end
    elif first or last or finished is None:
        start_month, end_month = months_asked(first, last)
        start, end = start_month, _month_end(end_month)
    else:
        start, end = finished.start, finished.end
    rows, source = marac.statistics_for_report(
        partnership=partnership, start=start, end=end, audience=AUDIENCE
    )
    meetings = next((row for row in rows if row.key == "meetings"), None)
    figures = []
    for row in rows:
        if row is meetings:
            continue  # meetings are not people: given as a plain number
        shown = (
            RateOut.of(row.local, MARAC_PER[row.unit])
            if row.unit in MARAC_PER
            else FigureOut.of(row.local)
        )
        figures.append(
            MaracFigureOut(
                key=row.key,
                label=row.label,
                unit=row.unit,
                figure=shown,
                local_population=number(row.population),
                national=number(row.national),
                note=row.note,
            )
        )
    return conditional(
        request,
        MaracStatisticsOut(
            start=start,
            end=end,
            meetings_held=int(meetings.local.value or 0) if meetings else 0,
            figures=figures,
            national_source=source,
        ),
    )
