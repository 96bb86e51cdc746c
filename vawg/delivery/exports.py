"""The dashboard's views and "what changed" as CSV or XLSX downloads, each one audited.

The rows come from the same selector the page shows, so a download always matches
the screen (filters included).
"""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.tabular import CONTENT_TYPES, write_table
from vawg.delivery.selectors import ActionRow, Change, Dashboard

FORMATS = ("csv", "xlsx")
# View name -> (heading on the page, attribute of Dashboard holding its rows).
DASHBOARD_VIEWS = {
    "all": ("All actions", "rows"),
    "no-update": ("No update this period", "no_update"),
    "overdue": ("Overdue", "overdue"),
    "no-deliver-by": ("No deliver-by date", "no_deliver_by"),
    "turned": ("Turned amber or red since last period", "turned"),
}
ROW_HEADERS = [
    "Ref",
    "Priority",
    "Activity",
    "Lead",
    "Deliver by",
    "Status this period",
    "Status last period",
    "Latest approved status",
    "Update state",
]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def as_response(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _row(row: ActionRow) -> list:
    action = row.action
    return [
        action.ref,
        f"{action.priority.code} – {action.priority.title}",
        action.activity,
        row.leads,
        action.deliver_by or action.deliver_by_as_written or "Not given",
        row.status_label,
        row.previous_label,
        row.latest_label,
        row.state or "No update",
    ]


def dashboard_export(
    *, result: Dashboard, view: str, fmt: str, actor, request: HttpRequest | None = None
) -> ExportFile:
    title, attribute = DASHBOARD_VIEWS[view]
    rows = [_row(r) for r in getattr(result, attribute)]
    content = write_table(fmt, ROW_HEADERS, rows, title=title)
    strategy = result.strategy
    record(
        action=AuditAction.EXPORT,
        actor=actor,
        partnership=strategy.partnership_id,
        obj=strategy,
        summary=f"Exported the delivery dashboard ({title}, {result.period.label}) as "
        f"{fmt.upper()}",
        detail={"view": view, "format": fmt, "period_id": result.period.pk, "rows": len(rows)},
        request=request,
    )
    name = f"{strategy.partnership.slug}-{strategy.slug}-{view}-{result.period.start:%Y-%m}"
    return ExportFile(content, CONTENT_TYPES[fmt], f"{name}.{fmt}")


CHANGE_HEADERS = [
    "Ref",
    "Priority",
    "Activity",
    "Period",
    "Status before",
    "Status now",
    "Approved on",
]


def changes_export(
    *,
    strategy,
    changes: list[Change],
    since: date,
    fmt: str,
    actor,
    request: HttpRequest | None = None,
) -> ExportFile:
    rows = [
        [
            c.update.action.ref,
            f"{c.update.action.priority.code} – {c.update.action.priority.title}",
            c.update.action.activity,
            c.update.period.label,
            c.before_label,
            c.update.get_status_display(),
            c.update.reviewed_at.date() if c.update.reviewed_at else None,
        ]
        for c in changes
    ]
    content = write_table(fmt, CHANGE_HEADERS, rows, title="Changes")
    record(
        action=AuditAction.EXPORT,
        actor=actor,
        partnership=strategy.partnership_id,
        obj=strategy,
        summary=f"Exported what changed since {since:%d/%m/%Y} as {fmt.upper()}",
        detail={"since": since.isoformat(), "format": fmt, "rows": len(rows)},
        request=request,
    )
    name = f"{strategy.partnership.slug}-{strategy.slug}-changes-since-{since:%Y-%m-%d}"
    return ExportFile(content, CONTENT_TYPES[fmt], f"{name}.{fmt}")
