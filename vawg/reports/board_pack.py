"""The quarterly board pack: for one governance body, partnership and quarter.

Cover and contents; a one-page summary in plain English; delivery by priority with every
red, amber, overdue and silent action and why; what changed since the body last met; the
measures scorecard with a chart and data table for each measure; the local insight
headlines; MARAC figures beside SafeLives' national figures; survivor voice and "you
said, we did"; training, registers and case-review recommendations due. Every figure
about people at the reader's disclosure level (content.py).
"""

from django.utils import timezone

from vawg.core.periods import add_months
from vawg.reports import content
from vawg.reports.document import Bullets, Document, Paragraph, to_docx, to_pdf
from vawg.reports.spec import Progress, ReportSpec

TITLE = "Board pack"


def build(spec: ReportSpec, progress: Progress, today=None) -> Document:
    """The pack's document, made once for either format."""
    today = today or timezone.localdate()
    reading = content.reading_for(spec, today)
    document = Document(
        title=f"{TITLE}: {reading.body or 'VAWG board'}",
        partnership=reading.partnership.name,
        period=reading.label,
        made_on=today,
    )
    meeting = content.next_meeting(reading)
    content.add_cover(document, reading, meeting=meeting)
    since = content.since_last_meeting(reading)

    progress(10, "Reading the action plan's delivery")
    found = content.delivery_for(reading)
    content.delivery_section(document, reading, found)
    content.changes_section(document, reading, since)
    progress(30, "Reading the measures of success")
    summaries = content.measures_section(document, reading, "Measures of success", baseline=False)
    progress(45, "Reading the local insight")
    period = spec.period
    # A year of months to the quarter's end: the trend needs more than the quarter.
    content.insight_section(document, reading, add_months(period.end, -11), period.end)
    progress(55, "Reading the MARAC, voice and learning figures")
    content.marac_section(document, reading, period.start, period.end)
    content.voice_section(document, reading)
    content.learning_section(document, reading)

    summary = content.summary_section(document)
    counts = found.counts()
    on_track = [s for s in summaries if s.status == "on_track"]
    off_track = [s for s in summaries if s.status == "off_track"]
    summary.add(
        Paragraph(
            f"This pack reports {reading.label} to the {reading.body or 'board'}. "
            f"What changed is counted {since.words}."
        ),
        Paragraph("What is on track", style="callout"),
        Bullets(
            [
                content.status_words(counts, len(found.rows))
                if found.board
                else "No action plan covers this period.",
                content.measure_status_words(summaries)
                if summaries
                else "No measures of success are set up.",
            ]
            + [f"On track: {s.indicator.name} ({s.latest_shown})." for s in on_track[:5]]
        ),
        Paragraph("What is not on track", style="callout"),
        Bullets(
            [
                f"{row.action.ref} ({row.status_label}): {content.shorten(row.action.activity, 90)}"
                for row, _ in found.exceptions
                if row.status in (content.OFF_TRACK, content.AT_RISK)
            ][:8]
            + [f"Measure off track: {s.indicator.name} ({s.latest_shown})." for s in off_track[:5]]
            or ["Nothing is off track or at risk."]
        ),
        Paragraph("Decisions the board is asked for", style="callout"),
        Bullets(content.board_asks(reading, found) or ["No decision is asked for this quarter."]),
    )
    return document


def make(spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
    progress(5, "Starting the board pack")
    document = build(spec, progress)
    return render(document, fmt, progress)


def render(document: Document, fmt: str, progress: Progress) -> bytes:
    if fmt == "pdf":
        progress(70, "Drawing the charts and writing the PDF")
        return to_pdf(document)
    if fmt == "docx":
        progress(70, "Drawing the charts and writing the Word document")
        return to_docx(document)
    raise ValueError(f"A report is made as pdf or docx, not {fmt!r}.")
