"""Attendance, register participants and recommendations as tables to download (CSV or XLSX).

Headings match the imports', so a downloaded file can be corrected and uploaded
again; columns an import does not read are ignored by it. vawg.exchange.exporting
writes, marks and records every download.
"""

from datetime import date

from vawg.core.models import Partnership
from vawg.exchange.exporting import Table
from vawg.learning import selectors
from vawg.learning.models import Initiative


def attendance_table(*, partnership: Partnership) -> Table:
    headers = [
        "Course",
        "Session date",
        "Format",
        "Trainer",
        "Attendee reference",
        "Organisation",
        "Confidence before",
        "Confidence after",
    ]
    rows = [
        [
            a.session.course.title,
            a.session.held_on,
            a.session.get_format_display(),
            a.session.trainer,
            a.attendee_reference,
            a.organisation.name,
            a.confidence_before,
            a.confidence_after,
        ]
        for a in selectors.attendance_for_export(partnership=partnership)
    ]
    return Table(
        name=f"{partnership.slug}-training-attendance",
        headers=headers,
        rows=rows,
        title="Attendance",
        what="training attendance",
        subject="learning.Attendance",
    )


def participants_table(*, initiative: Initiative) -> Table:
    headers = [
        "Participant",
        "Status",
        "Started on",
        "Renewal due",
        "Ended on",
        "Partnership organisation",
    ]
    rows = [
        [
            p.name,
            p.get_status_display(),
            p.started_on,
            p.renewal_due,
            p.ended_on,
            p.organisation.name if p.organisation else "",
        ]
        for p in initiative.participants.select_related("organisation").order_by("name")
    ]
    return Table(
        name=f"{initiative.partnership.slug}-register-{initiative.pk}",
        headers=headers,
        rows=rows,
        title="Participants",
        what="the register's participants",
        subject=initiative,
    )


def recommendations_table(*, partnership: Partnership, on: date) -> Table:
    headers = [
        "Review",
        "Type",
        "Number",
        "Recommendation",
        "Owner organisation",
        "Due date",
        "Status",
        "Completed on",
        "Embedded on",
        "Evidence",
        "Themes",
        "Overdue",
    ]
    rows = [
        [
            r.review.reference,
            r.review.get_kind_display(),
            r.number,
            r.text,
            r.owner.name,
            r.due_on,
            r.get_status_display(),
            r.completed_on,
            r.embedded_on,
            r.evidence,
            "; ".join(t.name for t in r.themes.all()),
            "yes" if r.is_overdue(on) else "no",
        ]
        for r in selectors.recommendations_for(partnership=partnership, on=on)
    ]
    return Table(
        name=f"{partnership.slug}-review-recommendations",
        headers=headers,
        rows=rows,
        title="Recommendations",
        what="review recommendations",
        subject="learning.Recommendation",
    )
