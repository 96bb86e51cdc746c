"""Downloads of attendance, register participants and recommendations (CSV or XLSX).

Headings match the imports', so a downloaded file can be corrected and uploaded
again; columns an import does not read are ignored by it. Every export is audited.
"""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest

from vawg.core.models import Partnership
from vawg.core.tabular import write_table
from vawg.learning import selectors, services
from vawg.learning.models import Initiative


@dataclass(frozen=True)
class ExportFile:
    fmt: str
    filename: str
    content: bytes


def _file(*, partnership, name: str, fmt: str, headers, rows, title: str) -> ExportFile:
    content = write_table(fmt, headers, rows, title=title)
    return ExportFile(fmt, f"{partnership.slug}-{name}.{fmt}", content)


def attendance_export(
    *, partnership: Partnership, fmt: str, actor, request: HttpRequest | None = None
) -> ExportFile:
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
    services.audit_export(
        actor=actor,
        partnership=partnership,
        what="training attendance",
        fmt=fmt,
        rows=len(rows),
        request=request,
    )
    return _file(
        partnership=partnership,
        name="training-attendance",
        fmt=fmt,
        headers=headers,
        rows=rows,
        title="Attendance",
    )


def participants_export(
    *, initiative: Initiative, fmt: str, actor, request: HttpRequest | None = None
) -> ExportFile:
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
    services.audit_export(
        actor=actor,
        partnership=initiative.partnership,
        what="register participants",
        fmt=fmt,
        rows=len(rows),
        request=request,
    )
    return _file(
        partnership=initiative.partnership,
        name=f"register-{initiative.pk}",
        fmt=fmt,
        headers=headers,
        rows=rows,
        title="Participants",
    )


def recommendations_export(
    *, partnership: Partnership, fmt: str, on: date, actor, request: HttpRequest | None = None
) -> ExportFile:
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
    services.audit_export(
        actor=actor,
        partnership=partnership,
        what="review recommendations",
        fmt=fmt,
        rows=len(rows),
        request=request,
    )
    return _file(
        partnership=partnership,
        name="review-recommendations",
        fmt=fmt,
        headers=headers,
        rows=rows,
        title="Recommendations",
    )
