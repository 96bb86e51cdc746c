"""Reading the measures of success: every query scoped to the partnership, and each
indicator's status and trend worked out once (in `summarise`) for pages, exports,
charts and the published plan alike."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet

from vawg.accounts.models import Membership, User
from vawg.core import disclosure, metrics
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.metrics import Unit
from vawg.core.models import Organisation, Partnership, ReportingPeriod
from vawg.core.periods import current_period
from vawg.core.permissions import roles_grant
from vawg.measures import status as st
from vawg.measures.formatting import format_target_basis, format_value
from vawg.measures.models import (
    PER,
    Direction,
    Disclosure,
    Indicator,
    IndicatorValue,
    Target,
    TargetKind,
    ValueSource,
)
from vawg.measures.rules import may_enter_for
from vawg.strategy.models import Priority

logger = logging.getLogger(__name__)


def indicators_for(*, partnership: Partnership, roles) -> QuerySet[Indicator]:
    return scoped(Indicator.objects.all(), partnership).visible_to(roles)


def _with_everything(queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    values = IndicatorValue.objects.current().select_related("period").order_by("period__start")
    return queryset.select_related("owner", "baseline_period", "partnership").prefetch_related(
        Prefetch("values", queryset=values, to_attr="current_values"),
        "targets",
        "priorities",
    )


def indicator_for_detail(*, partnership: Partnership, roles, pk: int) -> Indicator:
    """One indicator the viewer may see (a restricted one is a 404 to everyone else)."""
    queryset = _with_everything(indicators_for(partnership=partnership, roles=roles))
    return get_scoped_or_404(
        queryset.select_related("source_measure").prefetch_related(
            "goals", "actions", "action_measures__action"
        ),
        partnership,
        pk=pk,
    )


def indicator_for_change(*, partnership: Partnership, pk: int) -> Indicator:
    return get_scoped_or_404(Indicator.objects.all(), partnership, pk=pk)


def value_history(*, indicator: Indicator, audience: disclosure.Audience) -> list[IndicatorValue]:
    """Every version of every value, newest period first, each with `shown`: the value as
    `audience` may see it."""
    rows = list(
        indicator.values.select_related("period", "entered_by").order_by(
            "-period__start", "-version"
        )
    )
    for row in rows:
        # For the history table only: `shown` is not a field of the model.
        row.shown = shown_value(row, indicator, audience)  # type: ignore[attr-defined]
    return rows


def periods_for_entry(*, partnership: Partnership, today: date) -> QuerySet[ReportingPeriod]:
    return partnership.reporting_periods.filter(start__lte=today).order_by("-start")


def period_just_ended(periods: QuerySet[ReportingPeriod], *, today: date) -> ReportingPeriod | None:
    """The period of `periods` (newest first) a value is usually entered for: the quarter
    just ended."""
    return periods.filter(end__lt=today).first()


# --- Who may enter values --------------------------------------------------------------


def member_organisation_ids(user: User, partnership: Partnership) -> set[int]:
    """The organisations `user` works for in `partnership` (active memberships only)."""
    return set(
        Membership.objects.active()
        .filter(user=user, partnership=partnership)
        .values_list("organisation_id", flat=True)
    )


def may_enter(*, user: User, partnership: Partnership, roles, indicator: Indicator) -> bool:
    """Whether `user` may enter values for `indicator`: the permission, and the owner rule."""
    return roles_grant(roles, "measures.enter") and may_enter_for(
        roles=roles,
        organisation_ids=member_organisation_ids(user, partnership),
        indicator=indicator,
    )


def indicator_for_entry(*, partnership: Partnership, roles, user: User, pk: int) -> Indicator:
    """One indicator the viewer may see and enter values for (PermissionDenied otherwise)."""
    indicator = indicator_for_detail(partnership=partnership, roles=roles, pk=pk)
    if not may_enter(user=user, partnership=partnership, roles=roles, indicator=indicator):
        raise PermissionDenied("Only the owner organisation may enter this indicator's values.")
    return indicator


# --- Figures as they may be shown --------------------------------------------------


# The kind of record a value typed in is, for its cell key: a value (or its parts) is
# keyed by what the cell is (indicator and period), so it reads the same wherever shown.
VALUE = "measures.IndicatorValue"


@dataclass(frozen=True)
class Shown:
    """A value as its audience may see it: the core.disclosure Figure, written in the
    indicator's unit. `value` is the number everything derived from it (trend, status,
    chart point) is worked from: exact for the exact audience, the controlled one for
    everyone else, None when hidden. `text` is its words ("1,235", "12.5%", "fewer than
    5", "not shown")."""

    figure: disclosure.Figure
    unit: str = ""

    @property
    def value(self) -> Decimal | None:
        return None if self.figure.value is None else Decimal(self.figure.value)

    @property
    def text(self) -> str:
        return self.figure.text if self.value is None else format_value(self.value, self.unit)

    @property
    def suppressed(self) -> bool:
        return self.figure.suppressed

    def __str__(self) -> str:
        return self.text


NO_VALUE = Shown(disclosure.missing("No value"))


def _typed_in(row) -> bool:
    return row.source != ValueSource.COMPUTED


def _count_figure(row, indicator: Indicator, audience) -> disclosure.Figure:
    """A value in the count unit: a count of people."""
    if _typed_in(row):
        # Typed in, no records behind it: keyed by what the cell is.
        t = disclosure.identity_tally(int(row.value), VALUE, indicator.pk, row.period.pk)
        return disclosure.count(t, audience)
    if row.numerator is not None and row.numerator_key is not None:
        return disclosure.count(disclosure.Tally(int(row.numerator), row.numerator_key), audience)
    # A computed count without a cell key counts no one (core.metrics): shown as it is.
    return disclosure.as_is(row.value)


def _part_figure(row, indicator: Indicator, which: str, audience) -> disclosure.Figure:
    """A rate's numerator or denominator: a count of people."""
    number = getattr(row, which)
    if _typed_in(row):
        whole = int(Decimal(number).to_integral_value(ROUND_HALF_UP))
        t = disclosure.identity_tally(whole, f"{VALUE}.{which}", indicator.pk, row.period.pk)
        return disclosure.count(t, audience)
    key = getattr(row, f"{which}_key")
    if key is None:
        # A computed part without a cell key counts no one (core.metrics): shown as it is.
        return disclosure.as_is(Decimal(number))
    return disclosure.count(disclosure.Tally(int(number), key), audience)


def shown_value(row, indicator: Indicator, audience: disclosure.Audience) -> Shown:
    """A value (an IndicatorValue or a LiveValue) as `audience` may see it, through
    core.disclosure: a count by its cell key; a rate or percentage worked from its parts
    as shown, so it is hidden ("not shown", never "fewer than 5") when a part is."""
    if row is None:
        return NO_VALUE
    unit = indicator.unit
    if audience.exact:
        return Shown(disclosure.as_is(row.value), unit)
    if unit == Unit.COUNT:
        figure = _count_figure(row, indicator, audience)
    elif row.numerator is not None and row.denominator is not None:
        figure = disclosure.rate(
            _part_figure(row, indicator, "numerator", audience),
            _part_figure(row, indicator, "denominator", audience),
            per=PER[unit],
        )
    else:
        # A rate or percentage entered without its parts is shown as entered: we hold no
        # counts behind it to control (a rate needs its parts to be entered at all; a
        # percentage from a survey the partnership does not run may come without them).
        figure = disclosure.as_is(row.value)
    return Shown(figure, unit)


# --- Status, trend and the trajectory ----------------------------------------------------


def year_end(partnership: Partnership, year: int) -> date:
    """The last day of the reporting year that starts in `year`."""
    return date(year + 1, partnership.reporting_year_start_month, 1) - timedelta(days=1)


def year_of(partnership: Partnership, day: date) -> int:
    return day.year if day.month >= partnership.reporting_year_start_month else day.year - 1


@dataclass
class Point:
    """One period on the chart and in its table."""

    label: str
    end: date
    value: Decimal | None
    shown: str
    expected: Decimal | None
    suppressed: bool = False
    live: bool = False
    unit: str = ""
    upper: Decimal | None = None  # a range target's highest value

    @property
    def expected_shown(self) -> str:
        if self.expected is None:
            return "None"
        shown = format_value(self.expected, self.unit)
        return shown if self.upper is None else f"{shown} to {format_value(self.upper, self.unit)}"


@dataclass
class Summary:
    """An indicator as its audience may see it: every figure here that is about people
    (the latest value, the chart's points, the trends, the status) is worked from the
    shown values, never the exact ones, unless the audience is exact."""

    indicator: Indicator
    latest: "IndicatorValue | LiveValue | None"
    shown: Shown
    target: Target | None
    target_value: Decimal | None
    target_shown: str
    assessment: st.Assessment
    since_previous: st.Trend
    since_last_year: st.Trend
    points: list[Point] = field(default_factory=list)
    anchors: list[tuple[date, Decimal]] = field(default_factory=list)
    # What a target set as a % change means ("30% above the baseline of 310").
    target_basis: str = ""

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def latest_shown(self) -> str:
        return self.shown.text

    @property
    def expected_shown(self) -> str:
        return format_value(self.assessment.expected, self.indicator.unit)


@dataclass(frozen=True)
class LiveValue:
    """The current period's figure, computed now: provisional until the period closes."""

    period: ReportingPeriod
    value: Decimal
    numerator: int | None
    denominator: int | None
    note: str
    numerator_key: int | None = None
    denominator_key: int | None = None
    source: str = ValueSource.COMPUTED
    live: bool = True
    version: int = 1


def live_value(indicator: Indicator, period: ReportingPeriod | None) -> LiveValue | None:
    if not indicator.metric_key or period is None:
        return None
    try:
        metric = metrics.get(indicator.metric_key)
    except KeyError:
        return None
    try:
        computed = metric.compute(indicator.partnership, period)
    except Exception:
        # Another module's figure failing must not take the board's scorecard down with it.
        logger.exception("Figure %s failed for indicator %s", metric.key, indicator.pk)
        return None
    if computed.value is None:
        return None
    # The MetricValue's own tallies: its parts' cell keys come with it.
    return LiveValue(
        period,
        computed.value,
        computed.numerator,
        computed.denominator,
        computed.note,
        numerator_key=computed.numerator_key,
        denominator_key=computed.denominator_key,
    )


def _targets_by_year(indicator: Indicator) -> dict[int, Target]:
    return {t.year: t for t in indicator.targets.all()}


def _anchors(indicator: Indicator, targets: dict[int, Target]) -> list[tuple[date, Decimal]]:
    """The trajectory: the baseline, then each year's target at the year's end."""
    anchors: list[tuple[date, Decimal]] = []
    if indicator.baseline_value is not None and indicator.baseline_period is not None:
        anchors.append((indicator.baseline_period.end, indicator.baseline_value))
    for year in sorted(targets):
        target = targets[year]
        value = st.target_value(
            kind=target.kind, amount=target.amount, baseline=indicator.baseline_value
        )
        if value is not None:
            anchors.append((year_end(indicator.partnership, year), value))
    return anchors


def _target_for(indicator: Indicator, targets: dict[int, Target], day: date) -> Target | None:
    """This reporting year's target, else the next one set, else the last."""
    year = year_of(indicator.partnership, day)
    later = [y for y in sorted(targets) if y >= year]
    if later:
        return targets[later[0]]
    return targets[max(targets)] if targets else None


def assess(indicator: Indicator, value, target: Target | None, anchors, day: date):
    """The status of `value` (measured in the period ending `day`)."""
    if not indicator.direction:
        return st.Assessment(st.Status.NO_STATUS, "Direction not set")
    if value is None:
        return st.Assessment(st.Status.NO_STATUS, "No value yet")
    if target is None:
        return st.Assessment(st.Status.NO_STATUS, "No target set")
    if indicator.direction == Direction.RANGE:
        return st.Assessment(
            st.status_against(
                direction="range",
                value=value,
                expected=target.amount,
                upper=target.upper,
                tolerance=indicator.tolerance,
            ),
            expected=target.amount,
        )
    expected = st.trajectory(anchors, day)
    if expected is None:
        return st.Assessment(st.Status.NO_STATUS, "Set a baseline for a % change target")
    return st.Assessment(
        st.status_against(
            direction=indicator.direction,
            value=value,
            expected=expected,
            tolerance=indicator.tolerance,
        ),
        expected=expected,
    )


def summarise(
    indicator: Indicator,
    *,
    today: date,
    audience: disclosure.Audience,
    period: ReportingPeriod | None,
) -> Summary:
    """Latest value, target, status and trends for an indicator fetched by _with_everything,
    as `audience` may see them: each is worked from the values as shown.

    `period` is the current reporting period: a computed indicator with no value
    for it yet shows its live, provisional figure.
    """
    rows = list(getattr(indicator, "current_values", None) or [])
    live = None
    if period is not None and not any(r.period_id == period.pk for r in rows):
        live = live_value(indicator, period)
        if live is not None:
            rows.append(live)
    targets = _targets_by_year(indicator)
    anchors = _anchors(indicator, targets)
    range_target = indicator.direction == Direction.RANGE
    # Each value with what its audience is shown: everything below is worked from that.
    values = [(row, shown_value(row, indicator, audience)) for row in rows]
    points = []
    for row, shown in values:
        target = _target_for(indicator, targets, row.period.end)
        expected = (
            target.amount
            if range_target and target
            else (st.trajectory(anchors, row.period.end) if anchors else None)
        )
        points.append(
            Point(
                label=row.period.label,
                end=row.period.end,
                value=shown.value,
                shown=shown.text,
                expected=expected,
                suppressed=shown.suppressed,
                live=getattr(row, "live", False),
                unit=indicator.unit,
                upper=target.upper if range_target and target else None,
            )
        )
    latest, latest_shown = values[-1] if values else (None, NO_VALUE)
    day = latest.period.end if latest else today
    target = _target_for(indicator, targets, day)
    target_value = None
    target_shown = "No target set"
    target_basis = ""
    if target is not None:
        if range_target:
            target_shown = (
                f"{format_value(target.amount, indicator.unit)} to "
                f"{format_value(target.upper, indicator.unit)} by {_year_label(indicator, target)}"
            )
        else:
            target_value = st.target_value(
                kind=target.kind, amount=target.amount, baseline=indicator.baseline_value
            )
            target_shown = f"{format_value(target_value, indicator.unit)} by " + _year_label(
                indicator, target
            )
            if target.kind == TargetKind.CHANGE:
                target_basis = format_target_basis(
                    target.amount, indicator.baseline_value, indicator.unit
                )
    if latest is not None and latest_shown.suppressed:
        # How a hidden figure stands against its target would hint at it.
        assessment = st.Assessment(st.Status.NO_STATUS, "The latest value is not shown")
    else:
        assessment = assess(indicator, latest_shown.value, target, anchors, day)
    low = target.amount if range_target and target else None
    high = target.upper if range_target and target else None
    previous = values[-2][1] if len(values) > 1 else None
    year_ago = None
    if latest is not None:
        wanted = _a_year_before(latest.period.start)
        year_ago = next((shown for r, shown in values if r.period.start == wanted), None)

    def trend_from(before: Shown | None) -> st.Trend:
        if before is None or latest is None:
            return st.Trend(st.Movement.NONE)
        if latest_shown.suppressed or before.suppressed:
            # Saying which way a hidden figure moved would hint at it.
            return st.Trend(st.Movement.NOT_SHOWN)
        return st.trend(
            direction=indicator.direction,
            value=latest_shown.value,
            earlier=before.value,
            low=low,
            high=high,
            unit=indicator.unit,
        )

    return Summary(
        indicator=indicator,
        latest=latest,
        shown=latest_shown,
        target=target,
        target_value=target_value,
        target_shown=target_shown,
        assessment=assessment,
        since_previous=trend_from(previous),
        since_last_year=trend_from(year_ago),
        points=points,
        anchors=anchors,
        target_basis=target_basis,
    )


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _year_label(indicator: Indicator, target: Target) -> str:
    if indicator.partnership.reporting_year_start_month == 1:
        return str(target.year)
    return f"{target.year}/{str(target.year + 1)[-2:]}"


# --- The scorecard -------------------------------------------------------------------------

NO_PRIORITY = "Not linked to a priority"


@dataclass
class ScorecardGroup:
    title: str
    priority: Priority | None
    summaries: list[Summary]


@dataclass
class Scorecard:
    groups: list[ScorecardGroup]
    count: int
    unset_direction: list[Indicator]
    audience: disclosure.Audience = disclosure.CONTROLLED


def scorecard(
    *,
    partnership: Partnership,
    roles,
    today: date,
    audience: disclosure.Audience,
    priority: int | None = None,
    status: str = "",
    owner: int | None = None,
) -> Scorecard:
    """Every indicator the viewer may see, grouped by the priorities it evidences (one
    indicator may sit in more than one group), in a fixed number of queries. Figures, and
    the status filter, are as `audience` may see them."""
    queryset = _with_everything(indicators_for(partnership=partnership, roles=roles))
    if owner:
        queryset = queryset.filter(owner_id=owner)
    if priority:
        queryset = queryset.filter(priorities__pk=priority).distinct()
    period = current_period(partnership, today)
    summaries = [summarise(i, today=today, audience=audience, period=period) for i in queryset]
    if status:
        summaries = [s for s in summaries if s.status == status]
    return _grouped(summaries, audience=audience, priority=priority)


def _grouped(
    summaries: list[Summary], *, audience: disclosure.Audience, priority: int | None = None
) -> Scorecard:
    by_priority: dict[int | None, list[Summary]] = defaultdict(list)
    priorities: dict[int, Priority] = {}
    for summary in summaries:
        linked = list(summary.indicator.priorities.all())
        if priority:
            linked = [p for p in linked if p.pk == priority]
        for p in linked:
            priorities[p.pk] = p
            by_priority[p.pk].append(summary)
        if not linked:
            by_priority[None].append(summary)
    ordered = sorted(priorities.values(), key=lambda p: (p.strategy_id, p.order))
    groups = [
        ScorecardGroup(f"{p.code} – {p.title}" if p.code else p.title, p, by_priority[p.pk])
        for p in ordered
    ]
    if by_priority[None]:
        groups.append(ScorecardGroup(NO_PRIORITY, None, by_priority[None]))
    return Scorecard(
        groups=groups,
        count=len(summaries),
        unset_direction=[s.indicator for s in summaries if not s.indicator.direction],
        audience=audience,
    )


def scorecard_at(
    *,
    partnership: Partnership,
    roles,
    audience: disclosure.Audience,
    until: date,
    today: date,
    public: bool = False,
) -> Scorecard:
    """The scorecard as it stood at the end of a report's period (`until`): values of later
    periods are left out. When the report reaches the period still under way on `today`,
    a computed indicator shows its live figure for it, which its Point marks `live` (a
    part-finished quarter, never to be read as a fall). `public`: the public indicators
    only, whatever `roles` may see."""
    indicators = scoped(Indicator.objects.all(), partnership)
    indicators = (
        indicators.filter(disclosure=Disclosure.PUBLIC) if public else indicators.visible_to(roles)
    )
    values = (
        IndicatorValue.objects.current()
        .filter(period__end__lte=until)
        .select_related("period")
        .order_by("period__start")
    )
    queryset = indicators.select_related(
        "owner", "baseline_period", "partnership"
    ).prefetch_related(
        Prefetch("values", queryset=values, to_attr="current_values"), "targets", "priorities"
    )
    period = current_period(partnership, today) if until >= today else None
    summaries = [
        summarise(i, today=min(today, until), audience=audience, period=period)
        for i in queryset.order_by("name", "pk")
    ]
    return _grouped(summaries, audience=audience)


def baseline_shown(indicator: Indicator) -> str:
    """The baseline and its period in words, as the scorecard's export writes it."""
    if indicator.baseline_value is None:
        return "Not set"
    shown = format_value(indicator.baseline_value, indicator.unit)
    return f"{shown} ({indicator.baseline_period})" if indicator.baseline_period else shown


def filter_options(*, partnership: Partnership) -> dict:
    priorities = scoped(Priority.objects.all(), partnership).order_by("strategy_id", "order")
    owners = Organisation.objects.filter(partnership=partnership, indicators__isnull=False)
    return {
        "priorities": [(p.pk, f"{p.code} – {p.title}") for p in priorities],
        "owners": [(o.pk, o.name) for o in owners.distinct().order_by("name")],
    }


def scorecard_table(card: Scorecard) -> tuple[list[str], list[list]]:
    """The scorecard as rows for a CSV or XLSX export: every figure as the card's audience
    may see it, a hidden one in words ("fewer than 5", "not shown")."""
    headers = [
        "Priority",
        "Indicator ID",
        "Indicator",
        "Direction",
        "Unit",
        "Owner",
        "Baseline",
        "Baseline period",
        "Latest value",
        "Latest period",
        "Target",
        "Status",
        "Change since previous period",
        "Change since same period last year",
    ]
    rows = []
    for group in card.groups:
        for s in group.summaries:
            i = s.indicator
            rows.append(
                [
                    group.title,
                    i.pk,
                    i.name,
                    i.get_direction_display() or "Not set",
                    i.get_unit_display(),
                    str(i.owner or ""),
                    format_value(i.baseline_value, i.unit) if i.baseline_value is not None else "",
                    str(i.baseline_period or ""),
                    s.latest_shown,
                    s.latest.period.label if s.latest else "",
                    s.target_shown,
                    s.assessment.label
                    + (f" ({s.assessment.reason})" if s.assessment.reason else ""),
                    s.since_previous.text,
                    s.since_last_year.text,
                ]
            )
    return headers, rows


# --- The published plan --------------------------------------------------------------------


def public_indicators(partnership: Partnership, *, today: date | None = None) -> list[Summary]:
    """The partnership's public indicators, figures at the controlled level (the public's),
    for the published plan page (template: measures/includes/public_indicators.html).
    Nothing about the visitor is recorded."""
    today = today or date.today()
    queryset = _with_everything(
        scoped(Indicator.objects.filter(disclosure=Disclosure.PUBLIC), partnership)
    )
    # Public pages show only closed, kept values: nothing live or provisional.
    return [
        summarise(i, today=today, audience=disclosure.CONTROLLED, period=None) for i in queryset
    ]


# --- For the home page ---------------------------------------------------------------------


def off_track_count(*, partnership: Partnership, roles, today: date) -> int:
    """How many indicators the viewer may see are off track, judged from the controlled
    figures: the home page records no restricted read, so it never works from exact ones
    (the scorecard it links to shows the viewer's own level)."""
    card = scorecard(
        partnership=partnership,
        roles=roles,
        today=today,
        audience=disclosure.CONTROLLED,
        status=st.Status.OFF_TRACK,
    )
    return card.count
