"""The sections the board pack and the annual report share, each from one app's selectors.

Every figure about people arrives here already through core.disclosure at the report
reader's level (spec.Reader.disclosure): the selectors are asked for it at that level,
and anything derived (a rate, a change, a chart's point) is worked by them from the
figures shown. Counts of actions, meetings, registers and recommendations are about no
one and are shown as they are. Reports compute no figure of their own: they choose,
order and word what the selectors give.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from vawg.core import disclosure, meetings
from vawg.core.access import scoped
from vawg.core.models import BodyMeeting, Partnership, PartnershipBody, ReportingPeriod
from vawg.core.periods import add_months
from vawg.core.permissions import Role
from vawg.delivery import selectors as delivery
from vawg.insight import selectors as insight
from vawg.learning import selectors as learning
from vawg.marac import selectors as marac
from vawg.measures import selectors as measures
from vawg.reports.charts import ChartSpec, Series
from vawg.reports.document import Bullets, Chart, Document, Heading, Paragraph, Section, Table
from vawg.reports.spec import Reader, ReportSpec
from vawg.voice import selectors as voice

# The roles whose view of the measures a board reader shares (restricted ones are left out).
BOARD_ROLES = frozenset({Role.BOARD_MEMBER})
ON_TRACK = ("complete", "on_track")
AT_RISK, OFF_TRACK, NO_UPDATE = "at_risk", "off_track", delivery.NO_UPDATE
UNIT_AXIS = {
    "count": "Number",
    "percentage": "Per cent (%)",
    "rate_per_1000": "Rate per 1,000",
    "rate_per_10000": "Rate per 10,000",
}


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def are(n: int) -> str:
    return f"{n:,} is" if n == 1 else f"{n:,} are"


def have(n: int) -> str:
    return f"{n:,} has" if n == 1 else f"{n:,} have"


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class Reading:
    """What every section reads from: the spec, and what was worked out from it once."""

    spec: ReportSpec
    today: date
    partnership: Partnership
    audience: disclosure.Audience
    strategy: object | None
    period: ReportingPeriod | None  # the quarter the delivery figures are for
    body: PartnershipBody | None
    priority_ids: set[int] | None = None  # a workstream's own priorities; None: all
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.spec.period.label


def reading_for(spec: ReportSpec, today: date) -> Reading:
    partnership = spec.partnership
    if partnership is None:
        raise ValueError("A board pack or an annual report is for one partnership.")
    quarters = scoped(ReportingPeriod.objects.all(), partnership).filter(
        start__gte=spec.period.start, start__lte=min(spec.period.end, today)
    )
    # The quarter the delivery figures are for: a pack's own; for a year, its latest
    # finished quarter (one still under way has few updates approved yet).
    period = (
        quarters.filter(end__lt=today).order_by("-start").first()
        if not spec.period.is_quarter
        else None
    ) or quarters.order_by("-start").first()
    strategy = delivery.strategy_on(partnership=partnership, day=min(spec.period.end, today))
    priority_ids = None
    body = spec.body
    if body is not None and body.kind not in meetings.BOARD_KINDS and strategy is not None:
        # A workstream's pack covers the priorities it leads; a board's covers them all.
        own = {p.pk for p in strategy.priorities.all() if p.workstream_id == body.pk}
        priority_ids = own or None
    return Reading(
        spec=spec,
        today=today,
        partnership=partnership,
        audience=Reader.disclosure(spec.audience),
        strategy=strategy,
        period=period,
        body=body,
        priority_ids=priority_ids,
    )


def _ours(reading: Reading, priority_id: int) -> bool:
    return reading.priority_ids is None or priority_id in reading.priority_ids


# --- Meetings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Since:
    day: date
    words: str  # where the date comes from, for the reader


def since_last_meeting(reading: Reading) -> Since:
    """The body's last meeting held by the period's end; else the period's start."""
    body, period = reading.body, reading.spec.period
    last = meetings.last_held(body, period.end)
    if last is not None:
        return Since(last.held_on, f"since the {body} met on {long_date(last.held_on)}")
    return Since(
        period.start,
        f"since the start of {period.label} on {long_date(period.start)} "
        f"(no earlier meeting of the {body or 'board'} is recorded)",
    )


def next_meeting(reading: Reading) -> BodyMeeting | None:
    """The body's first meeting after the period's end: the one the pack is for."""
    return meetings.next_planned(reading.body, reading.spec.period.end)


# --- Delivery ------------------------------------------------------------------------------


@dataclass
class Delivery:
    board: delivery.Dashboard | None
    latest: dict  # action id -> its latest approved update
    exceptions: list  # (row, reasons) in the plan's order

    @property
    def rows(self) -> list:
        return self.board.rows if self.board else []

    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)


def delivery_for(reading: Reading) -> Delivery:
    if reading.strategy is None or reading.period is None:
        return Delivery(None, {}, [])
    board = delivery.dashboard(
        partnership=reading.partnership,
        strategy=reading.strategy,
        period=reading.period,
        filters=delivery.Filters(),
        today=min(reading.today, reading.spec.period.end + timedelta(days=1)),
    )
    board.rows = [r for r in board.rows if _ours(reading, r.action.priority_id)]
    latest = delivery.latest_approved_updates(
        partnership=reading.partnership, strategy=reading.strategy, until=reading.period.start
    )
    overdue = {r.action.pk for r in board.overdue}
    not_updated = {r.action.pk for r in board.no_update}
    exceptions = []
    for row in board.rows:
        reasons = []
        if row.status == OFF_TRACK:
            reasons.append("off track (red)")
        elif row.status == AT_RISK:
            reasons.append("at risk (amber)")
        if row.action.pk in overdue:
            reasons.append(f"overdue: due by {long_date(row.action.deliver_by)}")
        if row.action.pk in not_updated:
            reasons.append(f"not updated for {reading.period.label}")
        if reasons:
            exceptions.append((row, reasons))
    return Delivery(board, latest, exceptions)


def status_words(counts: Counter, total: int) -> str:
    on = counts["complete"] + counts["on_track"]
    return (
        f"Of {plural(total, 'action')}, {are(on)} complete or on track, "
        f"{counts[AT_RISK]:,} at risk, {counts[OFF_TRACK]:,} off track, "
        f"{counts['not_started']:,} not started and {have(counts[NO_UPDATE])} no approved "
        "update."
    )


def delivery_table(rows: list, caption: str) -> Table:
    """Actions by priority and status (actions are not people: shown as they are)."""
    by_priority: dict = {}
    for row in rows:
        by_priority.setdefault(row.action.priority, Counter())[row.status] += 1
    scale = delivery.SCALE
    headers = ["Priority", *(delivery.status_label(s) for s in scale), "All"]
    body = [
        [
            f"{p.code} {p.title}".strip(),
            *(str(c[s]) for s in scale),
            str(sum(c.values())),
        ]
        for p, c in sorted(by_priority.items(), key=lambda item: item[0].order)
    ]
    return Table(caption, headers, body, numeric=tuple(range(1, len(headers))))


def board_asks(reading: Reading, found: Delivery) -> list[str]:
    """What the board is asked to decide, one line each, from the exceptions."""
    asks = []
    for row, reasons in found.exceptions:
        ref = row.action.ref
        if row.status == OFF_TRACK:
            asks.append(f"{ref}: agree the recovery plan, or a revised deliver-by date.")
        elif any(r.startswith("overdue") for r in reasons):
            asks.append(f"{ref}: agree a new deliver-by date, or close the action.")
        elif any(r.startswith("not updated") for r in reasons):
            first = "a first update" if row.latest == NO_UPDATE else "this quarter's update"
            asks.append(f"{ref}: ask {row.leads} for {first}.")
    return asks


def exception_blocks(reading: Reading, found: Delivery, row, reasons: list[str]) -> list:
    """One red, amber, overdue or silent action and why: its latest approved commentary,
    what is being done next, and the help asked of the board."""
    action = row.action
    update = found.latest.get(action.pk)
    title = f"{action.ref}: {shorten(action.activity, 110)}"
    was = f" (last quarter: {row.previous_label})" if row.previous != row.status else ""
    facts = [
        f"Status {reading.period.label}: {row.status_label}{was}.",
        f"Why it is listed: {'; '.join(reasons)}.",
        f"Lead: {row.leads}. Deliver by: "
        + (long_date(action.deliver_by) if action.deliver_by else "no date set")
        + ".",
    ]
    blocks: list = [Heading(title), Bullets(facts)]
    if update is not None:
        commentary = " ".join(update.commentary.split()) or "The update gives no commentary."
        blocks.append(Paragraph(f"Latest commentary ({update.period.label}): {commentary}"))
        doing = " ".join(update.next_milestone.split())
        if doing:
            when = (
                f" (by {long_date(update.next_milestone_date)})"
                if update.next_milestone_date
                else ""
            )
            blocks.append(Paragraph(f"What is being done: {doing}{when}"))
        else:
            blocks.append(Paragraph("What is being done: no next step is recorded."))
    else:
        blocks.append(Paragraph("No update has ever been approved for this action."))
    asks = board_asks(reading, Delivery(found.board, found.latest, [(row, reasons)]))
    blocks.append(
        Paragraph(
            "Help asked of the board: "
            + (asks[0].split(": ", 1)[1] if asks else "none at present."),
            style="callout",
        )
    )
    return blocks


def delivery_section(document: Document, reading: Reading, found: Delivery) -> None:
    section = document.section("Delivery by priority")
    if found.board is None:
        section.add(Paragraph("No action plan or reporting period covers this period."))
        return
    section.add(
        Paragraph(status_words(found.counts(), len(found.rows))),
        delivery_table(found.rows, f"Actions by priority and status, {reading.period.label}"),
        Paragraph(
            "Below, by priority, every action that is red (off track) or amber (at risk), "
            "overdue, or has no approved update this quarter, with its latest commentary.",
            style="note",
        ),
    )
    current = None
    for row, reasons in found.exceptions:
        priority = row.action.priority
        if priority != current:
            current = priority
            section.add(Heading(f"Priority {priority.code}: {priority.title}".replace("  ", " ")))
        section.add(*exception_blocks(reading, found, row, reasons))
    if not found.exceptions:
        section.add(Paragraph("Every action is on track or complete, and every one is updated."))


def changes_section(document: Document, reading: Reading, since: Since) -> None:
    section = document.section("What changed since the last meeting")
    if reading.strategy is None:
        section.add(Paragraph("No action plan covers this period."))
        return
    changes = [
        c
        for c in delivery.changes_since(
            partnership=reading.partnership, strategy=reading.strategy, since=since.day
        )
        # Updates for quarters after the pack's own belong to a later pack.
        if _ours(reading, c.update.action.priority_id)
        and c.update.period.start <= reading.spec.period.end
    ]
    moved = [c for c in changes if c.before != c.update.status]
    section.add(
        Paragraph(
            f"Updates approved {since.words}: {plural(len(changes), 'update')}, "
            f"{len(moved):,} of which changed an action's status."
        )
    )
    if moved:
        section.add(
            Table(
                "Actions whose status changed",
                ["Action", "Priority", "Quarter", "Before", "Now"],
                [
                    [
                        f"{c.update.action.ref}: {shorten(c.update.action.activity, 70)}",
                        c.update.action.priority.code,
                        c.update.period.label,
                        c.before_label,
                        c.update.get_status_display(),
                    ]
                    for c in moved
                ],
            )
        )


# --- Measures ------------------------------------------------------------------------------


def scorecard_for(reading: Reading, *, public: bool = False) -> measures.Scorecard:
    return measures.scorecard_at(
        partnership=reading.partnership,
        roles=BOARD_ROLES,
        audience=reading.audience,
        until=reading.spec.period.end,
        today=reading.today,
        public=public,
    )


def unique_summaries(card: measures.Scorecard) -> list:
    seen, found = set(), []
    for group in card.groups:
        for summary in group.summaries:
            if summary.indicator.pk not in seen:
                seen.add(summary.indicator.pk)
                found.append(summary)
    return found


def measure_chart(summary) -> Chart:
    """A measure by financial quarter: the values as shown, the target trajectory, and a
    part-finished quarter marked as such; its data table beside it."""
    indicator = summary.indicator
    points = summary.points[-8:]  # two years of quarters
    partial = next((i for i, p in enumerate(points) if p.live), None)
    unit_axis = UNIT_AXIS.get(indicator.unit, indicator.get_unit_display())
    series = [Series("Value", [_float(p.value) for p in points])]
    if any(p.expected is not None for p in points):
        series.append(Series("Target trajectory", [_float(p.expected) for p in points], "target"))
    status = summary.assessment.label
    latest = summary.latest_shown
    spec = ChartSpec(
        title=indicator.name,
        description=(
            f"Line chart of {indicator.name} by financial quarter, "
            f"{points[0].label if points else ''} to {points[-1].label if points else ''}. "
            f"Latest {latest}; target {summary.target_shown}; {status}."
        ),
        categories=[p.label for p in points],
        series=series,
        x_label="Financial quarter",
        y_label=unit_axis,
        partial=partial,
        percent=indicator.unit == "percentage",
    )
    rows = [
        [
            p.label + (" (part-finished)" if p.live else ""),
            p.shown,
            p.expected_shown if p.expected is not None else "–",
        ]
        for p in points
    ]
    table = Table(f"{indicator.name}: figures", ["Quarter", "Value", "Target"], rows, (1, 2))
    note = f"Status: {status}" + (
        f" ({summary.assessment.reason})." if summary.assessment.reason else "."
    )
    if partial is not None:
        note += (
            f" {points[partial].label} is not finished: its figure so far is provisional "
            "and is not a fall."
        )
    return Chart(spec, table, note)


def _float(value) -> float | None:
    return None if value is None else float(value)


def scorecard_table(summaries: list, caption: str, *, baseline: bool = False) -> Table:
    headers = ["Measure", "Latest", "Target", "Status", "Since previous"]
    if baseline:
        headers = ["Measure", "Baseline", "Latest", "Target", "Status"]
    rows = []
    for s in summaries:
        i = s.indicator
        latest = s.latest_shown
        if s.latest is not None:
            # A live figure is the quarter so far: say so wherever it appears.
            part = ", part-finished" if getattr(s.latest, "live", False) else ""
            latest += f" ({s.latest.period.label}{part})"
        if baseline:
            base = measures.baseline_shown(i)
            rows.append([i.name, base, latest, s.target_shown, s.assessment.label])
        else:
            rows.append([i.name, latest, s.target_shown, s.assessment.label, s.since_previous.text])
    return Table(caption, headers, rows)


def measure_status_words(summaries: list) -> str:
    counts = Counter(s.status for s in summaries)
    return (
        f"Of {plural(len(summaries), 'measure')} of success, {are(counts['on_track'])} on "
        f"track, {counts['close']:,} close to target, {counts['off_track']:,} off track and "
        f"{have(counts['no_status'])} no status yet."
    )


def measures_section(document: Document, reading: Reading, title: str, *, baseline: bool) -> list:
    section = document.section(title)
    card = scorecard_for(reading)
    summaries = unique_summaries(card)
    if not summaries:
        section.add(Paragraph("No measures of success are set up for this partnership."))
        return summaries
    section.add(
        Paragraph(measure_status_words(summaries)),
        Paragraph(
            "Figures about people are shown as the board may see them: small numbers read "
            f"'{disclosure.small_text()}', others are rounded, and a rate is not shown when "
            "a part of it is hidden. A quarter still under way is marked part-finished.",
            style="note",
        ),
    )
    for group in card.groups:
        section.add(scorecard_table(group.summaries, group.title, baseline=baseline))
    section.add(Heading("Each measure by quarter"))
    for summary in summaries:
        if summary.points:
            section.add(measure_chart(summary))
    return summaries


# --- Local insight ---------------------------------------------------------------------------


def insight_section(document: Document, reading: Reading, first: date, last: date) -> None:
    section = document.section("Local insight")
    found = insight.headlines(
        partnership=reading.partnership,
        first=first,
        last=min(last, reading.today),
        audience=reading.audience,
        today=reading.today,
    )
    board = found.board
    if board.refused or board.trend is None:
        section.add(
            Paragraph(
                "Too few incidents are held for these months to show without risking "
                "identifying someone, or no partner data is held yet."
            )
        )
        return
    wards = found.chart.get("wards")
    bullets = [
        f"Trend: {board.trend.summary}",
        f"Repeat victimisation: {board.repeat_rate.text}"
        + ("% of incidents were repeats." if board.repeat_rate.shown else "."),
    ]
    if wards:
        bullets.append(f"Hotspots: {wards.summary}")
    bullets.append(
        "Over-represented among victims: "
        + ("; ".join(found.over_represented) if found.over_represented else "no group.")
    )
    bullets.append(
        "Under-represented among victims (may be less likely to come forward): "
        + ("; ".join(found.under_represented) if found.under_represented else "no group.")
    )
    section.add(Bullets(bullets))
    points = board.trend.points
    partial = next((i for i, p in enumerate(points) if p.partial), None)
    months = [f"{p.month:%b %Y}" for p in points]
    spec = ChartSpec(
        title="Incidents by month",
        description=f"Line chart of incidents by month, {months[0]} to {months[-1]}. "
        + board.trend.summary,
        categories=[f"{p.month:%b %y}" for p in points],
        series=[
            Series("Incidents", [_float(p.figure.value) for p in points]),
            Series(
                "Same month a year earlier", [_float(p.last_year.value) for p in points], "target"
            ),
        ],
        x_label="Month",
        y_label="Incidents",
        partial=partial,
    )
    table = Table(
        "Incidents by month",
        ["Month", "Incidents", "A year earlier"],
        [
            [m + (" (part-finished)" if p.partial else ""), p.figure.text, p.last_year.text]
            for m, p in zip(months, points, strict=True)
        ],
        (1, 2),
    )
    note = "Monthly incidents recorded by partners."
    if partial is not None:
        note += f" {months[partial]} is not over: its figure is incomplete, not a fall."
    section.add(Chart(spec, table, note))
    if wards:
        top = wards.bars[:8]
        section.add(
            Table(
                "Ward hotspots (the wards with most incidents)",
                wards.headers,
                [[b.label, b.figure.text, *(e.text for e in b.extra)] for b in top],
                (1, 2),
            )
        )


# --- MARAC ----------------------------------------------------------------------------------


def marac_section(document: Document, reading: Reading, start: date, end: date) -> None:
    section = document.section("MARAC")
    rows, source = marac.statistics_for_report(
        partnership=reading.partnership, start=start, end=end, audience=reading.audience
    )
    section.add(
        Paragraph(
            "The MARAC's figures for the meetings held in the period, beside SafeLives' "
            "national figures. Statistics only: no case is described."
        ),
        Table(
            f"MARAC figures, {reading.label}",
            ["Figure", "This partnership", "National"],
            [
                [
                    row.label,
                    _with_unit(row.local, row.unit),
                    "–" if row.national is None else _with_unit(row.national, row.unit),
                ]
                for row in rows
            ],
            (1, 2),
        ),
        Paragraph(f"National figures: {source}.", style="note"),
    )


def _with_unit(value, unit: str) -> str:
    shown = value if isinstance(value, disclosure.Figure) else disclosure.as_is(value)
    if not shown.shown or unit == "count":
        return shown.text
    return f"{shown.text}%" if unit == "%" else f"{shown.text} {unit}"


# --- Survivor voice -------------------------------------------------------------------------


def voice_section(document: Document, reading: Reading, title: str = "Survivor voice") -> None:
    section = document.section(title)
    period = reading.spec.period
    received = voice.feedback_received_count(
        partnership=reading.partnership,
        start=period.start,
        end=period.end,
        audience=reading.audience,
    )
    figures = voice.measures_of_success(
        partnership=reading.partnership, period=period, audience=reading.audience
    )
    section.add(
        Paragraph(f"Feedback received in {period.label}: {received.text}."),
        Table(
            f"Survey measures, {period.label}",
            ["Measure", "Share answering yes"],
            [[label, f"{f.text}%" if f.shown else f.text] for label, f in figures],
            (1,),
        ),
        Heading("You said, we did"),
    )
    themes = list(voice.published_themes(partnership=reading.partnership))
    if not themes:
        section.add(Paragraph("No 'you said, we did' response is published yet."))
    for theme in themes:
        # Only the published summary: never a survivor's own words.
        section.add(Bullets([f"{theme.name}. You said: {theme.you_said} We did: {theme.we_did}"]))


# --- Learning -------------------------------------------------------------------------------


def learning_section(document: Document, reading: Reading, ahead_months: int = 3) -> None:
    section = document.section("Training, registers and case reviews")
    period = reading.spec.period
    on = min(reading.today, period.end)
    attended = disclosure.count(
        learning.attendance_tally(
            partnership=reading.partnership, start=period.start, end=period.end
        ),
        reading.audience,
    )
    section.add(Paragraph(f"Training attendances in {period.label}: {attended.text}."))
    registers = learning.registers_with_coverage(partnership=reading.partnership, on=on)
    if registers:
        section.add(
            Table(
                "Registers and accreditations",
                ["Register", "Taking part", "Coverage"],
                [
                    [
                        initiative.name,
                        f"{initiative.active_count:,}",
                        f"{share.percent.text}%"
                        if share.percent.shown
                        else (share.note or share.percent.text),
                    ]
                    for initiative, share in registers
                ],
                (1, 2),
            )
        )
    until = add_months(period.end, ahead_months)
    due = learning.recommendations_due(partnership=reading.partnership, on=on, until=until)
    section.add(Heading("Case-review recommendations due"))
    if not due:
        section.add(Paragraph(f"No recommendation is open and due by {long_date(until)}."))
        return
    section.add(
        Table(
            f"Open recommendations due by {long_date(until)}",
            ["Review", "Recommendation", "Owner", "Due", "Overdue"],
            [
                [
                    f"{r.review.reference} {r.number}",
                    shorten(r.text, 120),
                    str(r.owner),
                    long_date(r.due_on),
                    "Yes" if r.overdue else "No",
                ]
                for r in due
            ],
        )
    )


def add_cover(document: Document, reading: Reading, *, meeting: BodyMeeting | None) -> None:
    lines = [("Partnership", reading.partnership.name)]
    if reading.body is not None:
        lines.append(("For", str(reading.body)))
    lines.append(
        (
            "Period",
            f"{reading.label} ({long_date(reading.spec.period.start)} to "
            f"{long_date(reading.spec.period.end)})",
        )
    )
    if meeting is not None:
        lines.append(("Meeting", long_date(meeting.held_on)))
    lines.append(("Made on", long_date(reading.today)))
    lines.append(("Marking", document.marking))
    document.cover_lines = lines
    document.audience_note = (
        f"Figures about people are controlled for disclosure: counts below "
        f"{disclosure.threshold()} read '{disclosure.small_text()}' and others are rounded, so "
        "this document may be shared with the board's members and their organisations."
    )


def summary_section(document: Document) -> Section:
    """Placed first, written last: it reads what the other sections found."""
    section = Section("Summary")
    document.sections.insert(0, section)
    return section
