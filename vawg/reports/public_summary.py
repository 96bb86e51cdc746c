"""The public annual summary on the published plan: the year's delivery and measures in
plain English, safe for anyone to read.

The year is the reporting year of the last finished quarter, told up to that quarter's
end: nothing provisional or live reaches the public. Only approved updates count, only
the public measures are named, and their figures are at the controlled level (the
public's) as the measures app gives them. Nothing about the visitor is recorded.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from vawg.core.access import scoped
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.periods import add_months, reporting_year_start, year_label
from vawg.reports import content
from vawg.reports.spec import Period, Reader, ReportSpec


@dataclass
class PublicSummary:
    year: str
    to: str  # the last day told, in words
    finished: bool  # the whole year is told
    delivery: str = ""
    completed: list[str] = field(default_factory=list)
    measures: str = ""
    measure_lines: list[str] = field(default_factory=list)


def public_summary(partnership: Partnership, *, today: date | None = None) -> PublicSummary | None:
    today = today or timezone.localdate()
    last = (
        scoped(ReportingPeriod.objects.all(), partnership)
        .filter(end__lt=today)
        .order_by("-start")
        .first()
    )
    if last is None:
        return None
    start = reporting_year_start(partnership, last.start)
    year_end = add_months(start, 12) - timedelta(days=1)
    label = year_label(start)
    spec = ReportSpec("annual-summary", Period(label, start, last.end), Reader.PUBLIC, partnership)
    # `today` the day after the last quarter told: no quarter under way is shown.
    reading = content.reading_for(spec, last.end + timedelta(days=1))
    summary = PublicSummary(label, content.long_date(last.end), last.end >= year_end)
    found = content.delivery_for(reading)
    if found.board is not None:
        counts: Counter = found.counts()
        summary.delivery = content.status_words(counts, len(found.rows))
        summary.completed = [
            content.shorten(r.action.activity, 140) for r in found.rows if r.status == "complete"
        ]
    measures = content.unique_summaries(content.scorecard_for(reading, public=True))
    if measures:
        summary.measures = content.measure_status_words(measures)
        summary.measure_lines = [_measure_line(s) for s in measures if s.latest is not None]
    return summary


def _measure_line(s) -> str:
    line = f"{s.indicator.name}: {s.latest_shown} in {s.latest.period.label}"
    if s.target is not None:
        line += f", against a target of {s.target_shown}"
    return f"{line} ({s.assessment.label.lower()})."
