"""The dashboard's views and "what changed" as tables for a CSV or XLSX download.

The rows come from the same selector the page shows, so a download always matches
the screen (filters included). vawg.exchange.exporting writes, marks and records them.
"""

from datetime import date

from vawg.delivery.selectors import ActionRow, Change, Dashboard
from vawg.exchange.exporting import Table

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


def dashboard_table(*, result: Dashboard, view: str) -> Table:
    title, attribute = DASHBOARD_VIEWS[view]
    strategy = result.strategy
    return Table(
        name=f"{strategy.partnership.slug}-{strategy.slug}-{view}-{result.period.start:%Y-%m}",
        title=title,
        headers=ROW_HEADERS,
        rows=[_row(r) for r in getattr(result, attribute)],
        what=f"the delivery dashboard ({title}, {result.period.label})",
        subject=strategy,
        detail={"view": view, "period_id": result.period.pk},
    )


CHANGE_HEADERS = [
    "Ref",
    "Priority",
    "Activity",
    "Period",
    "Status before",
    "Status now",
    "Approved on",
]


def changes_table(*, strategy, changes: list[Change], since: date) -> Table:
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
    return Table(
        name=f"{strategy.partnership.slug}-{strategy.slug}-changes-since-{since:%Y-%m-%d}",
        title="Changes",
        headers=CHANGE_HEADERS,
        rows=rows,
        what=f"what changed since {since:%d/%m/%Y}",
        subject=strategy,
        detail={"since": since.isoformat()},
    )
