"""The annual report to the Community Safety Partnership, for one partnership and year.

The year's delivery, each measure against its baseline and target, what changed for
survivors (their voice, the MARAC's figures, the local insight), and the priorities for the
coming year. Every figure about people at the reader's disclosure level (content.py).
"""

from collections import Counter

from django.utils import timezone

from vawg.core.periods import add_months, year_label
from vawg.reports import content
from vawg.reports.board_pack import render
from vawg.reports.document import Bullets, Document, Heading, Paragraph
from vawg.reports.spec import Progress, ReportSpec

TITLE = "Annual report to the Community Safety Partnership"


def build(spec: ReportSpec, progress: Progress, today=None) -> Document:
    today = today or timezone.localdate()
    reading = content.reading_for(spec, today)
    year = spec.period
    document = Document(
        title=TITLE, partnership=reading.partnership.name, period=year.label, made_on=today
    )
    content.add_cover(document, reading, meeting=None)
    if year.end > today:
        told = f"{year.label} is not over: this report covers it to {content.long_date(today)}."
        after = next(i for i, (label, _) in enumerate(document.cover_lines) if label == "Period")
        document.cover_lines.insert(after + 1, ("Note", told))

    progress(10, "Reading the year's delivery")
    found = content.delivery_for(reading)
    section = document.section("The year's delivery")
    if found.board is None:
        section.add(Paragraph("No action plan or reporting period covers this year."))
    else:
        counts = found.counts()
        section.add(
            Paragraph(
                f"Where the plan stood at the end of {reading.period.label}. "
                + content.status_words(counts, len(found.rows))
            ),
            content.delivery_table(
                found.rows, f"Actions by priority and status, {reading.period.label}"
            ),
        )
        complete = [r for r in found.rows if r.status == "complete"]
        section.add(Heading("Completed"))
        section.add(
            Bullets(
                [f"{r.action.ref}: {content.shorten(r.action.activity, 120)}" for r in complete]
            )
            if complete
            else Paragraph("No action was reported complete this year.")
        )
        section.add(Heading("Off track, at risk or overdue"))
        late = [(r, why) for r, why in found.exceptions if not why[0].startswith("not updated")]
        section.add(
            Bullets(
                [
                    f"{r.action.ref} ({'; '.join(why)}): {content.shorten(r.action.activity, 100)}"
                    for r, why in late
                ]
            )
            if late
            else Paragraph("No action ended the year off track, at risk or overdue.")
        )

    progress(30, "Reading the measures of success")
    summaries = content.measures_section(
        document, reading, "Measures against baseline and target", baseline=True
    )

    progress(50, "Reading what changed for survivors")
    content.voice_section(document, reading, "What changed for survivors")
    content.insight_section(document, reading, year.start, year.end)
    content.marac_section(document, reading, year.start, year.end)
    content.learning_section(document, reading, ahead_months=12)

    coming = year_label(add_months(year.start, 12))
    section = document.section(f"Priorities for {coming}")
    off = [s for s in summaries if s.status == "off_track"]
    carried = [r for r in found.rows if r.status not in ("complete",)]
    by_priority = Counter(r.action.priority.title for r in carried)
    lines = [
        f"Carry forward {content.plural(len(carried), 'action')} not yet complete"
        + (
            ": " + "; ".join(f"{n} in {title}" for title, n in by_priority.items())
            if carried
            else ""
        )
        + ".",
    ]
    lines += [
        f"Bring {r.action.ref} back on track: {content.shorten(r.action.activity, 90)}"
        for r, _ in found.exceptions
        if r.status == content.OFF_TRACK
    ]
    lines += [f"Turn round the measure '{s.indicator.name}' ({s.latest_shown})." for s in off]
    section.add(
        Paragraph(
            f"What the partnership proposes to focus on in {coming}, from this year's results. "
            "The Community Safety Partnership is asked to agree them."
        ),
        Bullets(lines),
    )

    summary = content.summary_section(document)
    summary.add(
        Paragraph(f"This report tells the Community Safety Partnership how {year.label} went."),
        Bullets(
            [
                content.status_words(found.counts(), len(found.rows))
                if found.board
                else "No action plan covers this year.",
                content.measure_status_words(summaries)
                if summaries
                else "No measures of success are set up.",
                f"The priorities proposed for {coming} are in the last section.",
            ]
        ),
    )
    return document


def make(spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
    progress(5, "Starting the annual report")
    document = build(spec, progress)
    return render(document, fmt, progress)
